import {existsSync} from 'node:fs';
import {copyFile, constants, link, open, rename, rm} from 'node:fs/promises';
import path from 'node:path';
import type {BackupArtifact} from '../../engine/model.js';
import {BackupError} from '../../errors/index.js';
import type {RestoreOutcome} from '../../ports/index.js';
import {sha256OfFile} from './file-hash.js';
import {messageOf} from './open-file.js';
import {SIDE_FILE_SUFFIXES} from './remove-partial.js';

/** Where the current file goes when a backup replaces it. */
export function asideName(target: string, now: number): string {
	return `${target}.replaced-${new Date(now).toISOString().replaceAll(':', '-').replace(/\.\d{3}Z$/, 'Z')}`;
}

/**
 * Puts the backup in place of the target. The copy is written and synced beside the target
 * first, so the final step is one rename; the replaced file is kept, never deleted.
 */
export async function restoreFile(target: string, artifact: BackupArtifact, now: number): Promise<RestoreOutcome> {
	const fail = (message: string, hint: string, cause?: unknown): BackupError =>
		new BackupError(message, cause === undefined ? {path: artifact.path, hint} : {path: artifact.path, hint, cause});

	const sha256 = await sha256OfFile(artifact.path).catch((error: unknown) => {
		throw fail(`cannot read the backup ${artifact.path}`, 'check that the backup file is still there and readable', error);
	});
	if (sha256 !== artifact.sha256) {
		throw fail(`the backup ${artifact.path} changed since it was made (sha256 differs); nothing was restored`, 'do not restore from this file; find another copy of the backup');
	}

	const aside = asideName(target, now);
	if (existsSync(aside)) {
		throw fail(`${aside} already exists; nothing was restored`, 'wait a second and try again, or move that file away');
	}

	const directory = path.dirname(target);
	const temporary = path.join(directory, `.${path.basename(target)}.restoring-${now}`);
	try {
		await copyFile(artifact.path, temporary, constants.COPYFILE_EXCL);
		await syncPath(temporary);
	} catch (error) {
		await rm(temporary, {force: true});
		throw fail(`cannot copy the backup next to ${target}: ${messageOf(error)}; nothing was restored`, `check free space and permissions in ${directory}`, error);
	}

	// A hard link keeps the current file under its new name while the target name never goes missing.
	const linked = await link(target, aside).then(() => true, () => false);
	const moved: Array<[string, string]> = [];
	try {
		if (!linked) {
			await rename(target, aside);
			moved.push([target, aside]);
		}

		// A leftover WAL or hot journal would be applied to the restored file and corrupt it.
		for (const suffix of SIDE_FILE_SUFFIXES) {
			if (existsSync(`${target}${suffix}`)) {
				// eslint-disable-next-line no-await-in-loop -- one after the other
				await rename(`${target}${suffix}`, `${aside}${suffix}`);
				moved.push([`${target}${suffix}`, `${aside}${suffix}`]);
			}
		}

		await rename(temporary, target);
	} catch (error) {
		for (const [from, to] of moved.reverse()) {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			await rename(to, from).catch(() => undefined);
		}

		if (linked) {
			await rm(aside, {force: true});
		}

		await rm(temporary, {force: true});
		throw fail(`cannot put the backup in place of ${target}: ${messageOf(error)}; the current file was left in place`, `check permissions in ${directory}`, error);
	}

	await syncPath(directory).catch(() => undefined);
	return {detail: `restored ${target} from ${artifact.path}; the replaced file is kept as ${aside}`};
}

async function syncPath(file: string): Promise<void> {
	const handle = await open(file, 'r');
	try {
		await handle.sync();
	} finally {
		await handle.close();
	}
}
