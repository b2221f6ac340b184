import {createHash} from 'node:crypto';
import {readdir, stat} from 'node:fs/promises';
import path from 'node:path';
import type {ManifestFile} from '../../engine/model.js';
import {sha256File} from './file-digest.js';

/** The manifest's own sha256: of its lines as `sha256sum` prints them, so `sha256sum * | sha256sum` in the directory gives it too. */
export function manifestDigest(files: readonly ManifestFile[]): string {
	const lines = [...files].sort((a, b) => compareNames(a.name, b.name)).map(file => `${file.sha256}  ${file.name}\n`);
	return createHash('sha256').update(lines.join('')).digest('hex');
}

/**
 * Hashes files of a directory, `concurrency` at a time: reading runs on libuv's threads, so two
 * files hash at once on two cores. Hashes already taken (as pg_dump finished each table's file)
 * are reused when the file's size and modification time are unchanged since.
 */
export class DirectoryHasher {
	private readonly known = new Map<string, Promise<ManifestFile & {mtimeMs: number}>>();
	private queue: Promise<unknown> = Promise.resolve();

	constructor(private readonly directory: string) {}

	/** Starts hashing a file pg_dump has closed, one such file at a time: the dump itself needs the cores. */
	early(name: string): void {
		if (!this.known.has(name)) {
			const pending = this.queue.then(async () => this.hash(name));
			// A failure here is only a lost head start: the file is hashed again at the end.
			pending.catch(() => this.known.delete(name));
			this.queue = pending.catch(() => undefined);
			this.known.set(name, pending);
		}
	}

	/** Every file of the directory with its sha256, by name. */
	async manifest(concurrency: number): Promise<ManifestFile[]> {
		const names = (await readdir(this.directory)).sort(compareNames);
		const files = await mapLimited(names, concurrency, async name => {
			const info = await stat(path.join(this.directory, name));
			const early = await this.known.get(name)?.catch(() => undefined);
			const fresh = early !== undefined && early.bytes === info.size && early.mtimeMs === info.mtimeMs ? early : await this.hash(name);
			return {name, bytes: fresh.bytes, sha256: fresh.sha256};
		});
		return files;
	}

	private async hash(name: string): Promise<ManifestFile & {mtimeMs: number}> {
		const file = path.join(this.directory, name);
		const before = await stat(file);
		const sha256 = await sha256File(file);
		return {name, bytes: before.size, sha256, mtimeMs: before.mtimeMs};
	}
}

export type ManifestCheck = {
	missing: string[];
	extra: string[];
	/** Files whose size or sha256 differs from the record's. */
	changed: Array<{name: string; detail: string}>;
	/** What the directory holds now, for the totals. */
	actual: ManifestFile[];
};

/** The directory now against the files the backup recorded. Throws only when the directory cannot be read at all. */
export async function checkManifest(directory: string, recorded: readonly ManifestFile[], concurrency: number): Promise<ManifestCheck> {
	const actual = await new DirectoryHasher(directory).manifest(concurrency);
	const now = new Map(actual.map(file => [file.name, file]));
	const expected = new Map(recorded.map(file => [file.name, file]));
	const changed: ManifestCheck['changed'] = [];
	for (const file of recorded) {
		const present = now.get(file.name);
		if (present === undefined) {
			continue;
		}

		if (present.bytes !== file.bytes) {
			changed.push({name: file.name, detail: `${file.name} is ${present.bytes} bytes, the backup wrote ${file.bytes}`});
		} else if (present.sha256 !== file.sha256) {
			changed.push({name: file.name, detail: `${file.name} has sha256 ${present.sha256}, the backup recorded ${file.sha256}`});
		}
	}

	return {
		missing: recorded.filter(file => !now.has(file.name)).map(file => file.name),
		extra: actual.filter(file => !expected.has(file.name)).map(file => file.name),
		changed,
		actual,
	};
}

export function describeManifestCheck(check: ManifestCheck): string | null {
	const problems = [
		...(check.missing.length === 0 ? [] : [`missing: ${check.missing.join(', ')}`]),
		...(check.extra.length === 0 ? [] : [`not written by the backup: ${check.extra.join(', ')}`]),
		...check.changed.map(change => change.detail),
	];
	return problems.length === 0 ? null : `${problems.join('; ')}: the directory changed since it was written`;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = Array.from({length: items.length});
	let next = 0;
	const lane = async () => {
		while (next < items.length) {
			const index = next++;
			// eslint-disable-next-line no-await-in-loop -- each lane takes one file at a time
			results[index] = await work(items[index]!);
		}
	};

	await Promise.all(Array.from({length: Math.max(1, Math.min(limit, items.length))}, lane));
	return results;
}

/** By code point, as `LC_ALL=C sort` and sha256sum's glob order in the C locale. */
function compareNames(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
