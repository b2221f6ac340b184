import {createHash} from 'node:crypto';
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {Script} from 'node:vm';

/**
 * A script built by scripts/bundle.mjs (the console: Ink, React and the screens), run with V8's
 * code cache. Node 20 caches no compiled code of ES modules, and compiling the console is tens of
 * ms of every first frame. The cache is only ever an accelerator: one that cannot be read or
 * written is skipped, one V8 rejects (another Node, other flags) is made again, and its name holds
 * the script's own hash and its bytes a hash of themselves, so it is never used for other code.
 */
export type CachedScript<T> = {
	exports: T;
	/** Whether V8 took a cache made before, rather than compiling the script. */
	cacheUsed: boolean;
	/** Writes the cache once `after` has settled, when none was used: it then holds what ran by then (the first frame's functions). */
	saveAfter(after?: Promise<unknown>): void;
};

/** Where the code cache lives: CUTOVER_CACHE_DIR (empty: no cache), else the platform's per-user cache directory. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
	const chosen = env['CUTOVER_CACHE_DIR'];
	if (chosen !== undefined) {
		return chosen === '' ? null : path.resolve(chosen);
	}

	let home: string;
	try {
		home = os.homedir();
	} catch {
		return null;
	}

	if (process.platform === 'darwin') {
		return path.join(home, 'Library', 'Caches', 'cutover');
	}

	if (process.platform === 'win32') {
		return path.join(env['LOCALAPPDATA'] || path.join(home, 'AppData', 'Local'), 'cutover', 'Cache');
	}

	return path.join(env['XDG_CACHE_HOME'] || path.join(home, '.cache'), 'cutover');
}

/**
 * Runs `file`: an async function expression taking (require, url, exports) that hands its exports
 * to `exports` (the shape scripts/bundle.mjs gives it), as an ES module's top level would run.
 */
export async function runCachedScript<T>(file: string, cacheDir: string | null = codeCacheDir()): Promise<CachedScript<T>> {
	const bytes = readFileSync(file);
	const source = bytes.toString('utf8');
	// Node's version and the machine's architecture in the name too: two Nodes sharing a home keep a cache each.
	const prefix = `${path.basename(file, '.js')}-${process.version}-${process.arch}-`;
	const cacheFile = cacheDir === null ? null : path.join(cacheDir, `${prefix}${sha256(bytes).slice(0, 32)}.v8`);
	const cachedData = cacheFile === null ? undefined : readCache(cacheFile);
	const script = new Script(source, {filename: file, ...(cachedData === undefined ? {} : {cachedData})});
	const run = script.runInThisContext() as (require: NodeJS.Require, url: string, exports: (value: T) => void) => Promise<void>;
	let exports: T | undefined;
	await run(createRequire(file), pathToFileURL(file).href, value => {
		exports = value;
	});
	if (exports === undefined) {
		throw new Error(`${file} gave no exports`);
	}

	const used = cachedData !== undefined && !script.cachedDataRejected;
	let saving = false;
	return {
		exports,
		cacheUsed: used,
		saveAfter(after) {
			if (used || saving || cacheFile === null) {
				return;
			}

			saving = true;
			void Promise.resolve(after).catch(() => {}).then(() => {
				// After whatever the caller is drawing has gone out.
				setImmediate(() => {
					writeCache(cacheFile, prefix, script);
				});
			});
		},
	};
}

function sha256(data: Uint8Array): string {
	return createHash('sha256').update(data).digest('hex');
}

/** The cache's bytes when they are whole (their hash leads the file), else undefined. */
function readCache(file: string): Buffer | undefined {
	let stored: Buffer;
	try {
		stored = readFileSync(file);
	} catch {
		return undefined;
	}

	const data = stored.subarray(32);
	return stored.length > 32 && createHash('sha256').update(data).digest().equals(stored.subarray(0, 32)) ? data : undefined;
}

function writeCache(file: string, prefix: string, script: Script): void {
	const dir = path.dirname(file);
	const partial = `${file}.${process.pid}.tmp`;
	try {
		const data = script.createCachedData();
		mkdirSync(dir, {recursive: true, mode: 0o700});
		writeFileSync(partial, Buffer.concat([createHash('sha256').update(data).digest(), data]), {mode: 0o600});
		// Whole or not at all: another cutover starting now reads the old cache or this one.
		renameSync(partial, file);
		// The caches of this script's earlier builds, for this Node.
		for (const name of readdirSync(dir)) {
			if (name.startsWith(prefix) && name.endsWith('.v8') && name !== path.basename(file)) {
				rmSync(path.join(dir, name), {force: true});
			}
		}
	} catch {
		// An unwritable cache directory costs the next start its compile, nothing else.
		try {
			rmSync(partial, {force: true});
		} catch {
			// Nothing was written there either.
		}
	}
}
