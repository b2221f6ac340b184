import {mkdirSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {ConfigDirError, CutoverError} from '../errors/index.js';
import type {Settings} from './settings.js';

/**
 * The settings as `openSettings().read()` gives them, read straight from the file conf keeps,
 * for commands that only read them (`verify`): conf loads a JSON-schema validator of about a
 * hundred modules, and reading must not create the directory either.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
	const file = settingsFile(env);
	const base = path.dirname(file);
	const stored = readStored(file);
	const text = (key: keyof Settings) => typeof stored[key] === 'string' ? stored[key] : undefined;
	return {
		operatorName: text('operatorName') ?? os.userInfo().username,
		recordsDir: text('recordsDir') ?? path.join(base, 'records'),
		backupsDir: text('backupsDir') ?? path.join(base, 'backups'),
		signingKey: text('signingKey') ?? path.join(base, 'signing-key.pem'),
		trustedKeys: text('trustedKeys') ?? path.join(base, 'allowed_signers'),
	};
}

/**
 * The settings for a run, which writes next to them (its signing key): as readSettings, with the
 * settings directory made first, as conf would, and an unusable one said as conf's users are told.
 */
export function settingsForRun(env: NodeJS.ProcessEnv = process.env): Settings {
	const dir = path.dirname(settingsFile(env));
	try {
		mkdirSync(dir, {recursive: true});
		return readSettings(env);
	} catch (error) {
		throw ConfigDirError.from(error, dir) ?? error;
	}
}

/** Where conf keeps cutover's settings: CUTOVER_CONFIG_DIR, else env-paths' config directory for "cutover". */
export function settingsFile(env: NodeJS.ProcessEnv = process.env): string {
	const dir = env['CUTOVER_CONFIG_DIR'];
	if (dir !== undefined && dir !== '') {
		return path.resolve(dir, 'config.json');
	}

	const home = os.homedir();
	const config = process.platform === 'darwin'
		? path.join(home, 'Library', 'Preferences', 'cutover')
		: process.platform === 'win32'
			? path.join(env['APPDATA'] || path.join(home, 'AppData', 'Roaming'), 'cutover', 'Config')
			: path.join(env['XDG_CONFIG_HOME'] || path.join(home, '.config'), 'cutover');
	return path.join(config, 'config.json');
}

function readStored(file: string): Record<string, unknown> {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return {};
		}

		throw new CutoverError(`cannot read the settings file ${file}: ${(error as Error).message}`, {hint: 'make it readable, or point CUTOVER_CONFIG_DIR at another settings directory', cause: error});
	}

	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null ? value as Record<string, unknown> : {};
	} catch (error) {
		throw new CutoverError(`the settings file ${file} is not valid JSON`, {hint: 'fix or remove it (cutover config sets values again), or point CUTOVER_CONFIG_DIR elsewhere', cause: error});
	}
}
