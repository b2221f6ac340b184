import {rm} from 'node:fs/promises';

/** Side files SQLite keeps next to a database; they belong to it and go wherever it goes. */
export const SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/** Removes a half-written copy and whatever journal SQLite left beside it. */
export async function removePartial(file: string): Promise<void> {
	await Promise.all([file, ...SIDE_FILE_SUFFIXES.map(suffix => `${file}${suffix}`)].map(async name => rm(name, {force: true})));
}
