import {CutoverError} from './cutover-error.js';

const CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOSPC']);

/** The settings directory cannot be created or written; says where, and how to point cutover elsewhere. */
export class ConfigDirError extends CutoverError {
	override name = 'ConfigDirError';

	/** The error to raise for a file-system failure on the settings, or undefined when it is not one. */
	static from(error: unknown, where: string): ConfigDirError | undefined {
		const {code, path} = (error ?? {}) as {code?: unknown; path?: unknown};
		if (typeof code !== 'string' || !CODES.has(code)) {
			return undefined;
		}

		const at = typeof path === 'string' && path !== '' && path !== where ? ` at ${path}` : '';
		return new ConfigDirError(`cannot use the settings directory ${where} (${code}${at})`, {
			hint: 'point cutover at a writable directory: CUTOVER_CONFIG_DIR=<dir> or --config-dir <dir> (or fix HOME / XDG_CONFIG_HOME)',
			cause: error,
		});
	}
}
