import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import Database from 'better-sqlite3';
import {readSqliteWatchInfo} from '../../source/adapters/sqlite/watch-info.js';

const directory = mkdtempSync(path.join(tmpdir(), 'cutover-watch-'));
after(() => {
	rmSync(directory, {recursive: true, force: true});
});

const linux = process.platform === 'linux';

describe('SQLite watch info', () => {
	it('reads sizes and journal mode from the file, and sees an open write transaction in WAL mode', () => {
		const file = path.join(directory, 'wal.db');
		const db = new Database(file);
		try {
			db.pragma('journal_mode = WAL');
			db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
			let info = readSqliteWatchInfo(file);
			assert.equal(info.journalMode, 'wal');
			assert.ok(info.walBytes !== null && info.walBytes > 0);
			if (linux) {
				assert.deepEqual(info.locks?.writer, []);
			}

			db.exec('BEGIN IMMEDIATE');
			info = readSqliteWatchInfo(file);
			if (linux) {
				assert.deepEqual(info.locks?.writer, [process.pid]);
			}

			db.exec('ROLLBACK');
		} finally {
			db.close();
		}
	});

	it('sees the writer of a rollback-journal database, and says nothing is busy once it ends', () => {
		const file = path.join(directory, 'rollback.db');
		const db = new Database(file);
		try {
			db.exec('CREATE TABLE t (x)');
			db.exec('BEGIN IMMEDIATE; INSERT INTO t VALUES (1)');
			let info = readSqliteWatchInfo(file);
			assert.equal(info.journalMode, 'rollback');
			assert.equal(info.walBytes, null);
			if (linux) {
				assert.deepEqual(info.locks?.writer, [process.pid]);
				// Reading the header would have closed a descriptor of the file and dropped our own lock.
				assert.equal(info.pageSize, null);
				assert.deepEqual(readSqliteWatchInfo(file).locks?.writer, [process.pid], 'the watch dropped the writer\'s lock');
			}

			db.exec('COMMIT');
			info = readSqliteWatchInfo(file);
			if (linux) {
				assert.deepEqual(info.locks, {writer: [], readers: []});
			}

			assert.ok((info.pageCount ?? 0) >= 2);
			assert.equal(info.fileBytes, (info.pageCount ?? 0) * (info.pageSize ?? 0));
		} finally {
			db.close();
		}
	});

	it('says the lock table is unknown where it cannot be read', () => {
		const file = path.join(directory, 'plain.db');
		new Database(file).close();
		assert.equal(readSqliteWatchInfo(file, path.join(directory, 'no-such-proc-locks')).locks, null);
	});
});
