import {closeSync, existsSync, openSync, readFileSync, readSync, statSync, type Stats} from 'node:fs';
import type {SqliteWatchInfo} from '../../watch/types.js';

// Byte offsets of SQLite's file locks (os_unix.c) and of the WAL index's locks (wal.c).
const PENDING = 0x40000000;
const RESERVED = PENDING + 1;
const SHARED_FIRST = PENDING + 2;
const WAL_WRITE_LOCK = 120;
const WAL_READ_FIRST = 123;
const WAL_READ_LAST = 127;

/**
 * What can be told about a SQLite database without opening it: sizes, the journal mode from the
 * file header, and who holds its locks, read from the kernel's lock table (Linux /proc/locks)
 * rather than by trying to take one — a probe that took the write lock could fail a migration.
 * Meant for a process with no connection of its own to the file (`cutover watch`).
 */
export function readSqliteWatchInfo(file: string, procLocks = '/proc/locks'): SqliteWatchInfo {
	const stats = statSync(file);
	const shm = existsSync(`${file}-shm`) ? statSync(`${file}-shm`) : null;
	const locks = readLocks(procLocks, stats, shm);
	const wal = sizeOf(`${file}-wal`);
	// Closing any descriptor of a file drops every POSIX lock this process holds on it, so the
	// header is read only when this process holds none (SQLite's own documented hazard).
	const ownLocks = locks === null || [...locks.writer, ...locks.readers].includes(process.pid);
	const header = ownLocks ? null : readHeader(file);
	const rawPageSize = header?.readUInt16BE(16) ?? null;
	return {
		path: file,
		fileBytes: stats.size,
		walBytes: wal,
		journalMode: header === null ? (wal === null ? 'rollback' : 'wal') : header[18] === 2 ? 'wal' : 'rollback',
		pageSize: rawPageSize === 1 ? 65_536 : rawPageSize,
		pageCount: header?.readUInt32BE(28) ?? null,
		locks,
		hotJournal: (sizeOf(`${file}-journal`) ?? 0) > 0,
	};
}

function readHeader(file: string): Buffer {
	const header = Buffer.alloc(100);
	const fd = openSync(file, 'r');
	try {
		readSync(fd, header, 0, 100, 0);
	} finally {
		closeSync(fd);
	}

	return header;
}

function sizeOf(file: string): number | null {
	try {
		return statSync(file).size;
	} catch {
		return null;
	}
}

type Lock = {pid: number; type: string; start: number; end: number};

function readLocks(procLocks: string, database: Stats, shm: Stats | null): {writer: number[]; readers: number[]} | null {
	let table: string;
	try {
		table = readFileSync(procLocks, 'utf8');
	} catch {
		return null;
	}

	const on = (stats: Stats) => parseLocks(table, stats);
	const writer = new Set<number>();
	const readers = new Set<number>();
	for (const lock of on(database)) {
		if (lock.start <= RESERVED && lock.end >= PENDING) {
			writer.add(lock.pid);
		} else if (lock.start >= SHARED_FIRST) {
			(lock.type === 'WRITE' ? writer : readers).add(lock.pid);
		}
	}

	if (shm !== null) {
		for (const lock of on(shm)) {
			if (lock.start <= WAL_WRITE_LOCK && lock.end >= WAL_WRITE_LOCK && lock.type === 'WRITE') {
				writer.add(lock.pid);
			} else if (lock.start <= WAL_READ_LAST && lock.end >= WAL_READ_FIRST) {
				readers.add(lock.pid);
			}
		}
	}

	return {writer: [...writer].sort((a, b) => a - b), readers: [...readers].sort((a, b) => a - b)};
}

/** Lines like "1: POSIX  ADVISORY  WRITE 2252 fe:00:2147064 120 120" for the file's device and inode. */
function parseLocks(table: string, stats: Stats): Lock[] {
	const major = Number((BigInt(stats.dev) >> 8n) & 0xFFFn);
	const minor = Number((BigInt(stats.dev) & 0xFFn) | ((BigInt(stats.dev) >> 12n) & 0xFFF00n));
	const id = `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}:${stats.ino}`;
	return table.split('\n').flatMap(line => {
		const fields = line.trim().split(/\s+/);
		// "1: POSIX ADVISORY WRITE pid dev:ino start end"; blocked requests carry an extra "->" field.
		const at = fields.indexOf(id);
		if (at < 1 || fields[1] === '->') {
			return [];
		}

		const end = fields[at + 2] === 'EOF' ? Number.MAX_SAFE_INTEGER : Number(fields[at + 2]);
		return [{pid: Number(fields[at - 1]), type: fields[at - 2] ?? '', start: Number(fields[at + 1]), end}];
	});
}
