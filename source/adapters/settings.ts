import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import {ConfigDirError} from '../errors/index.js';

export type Settings = {
	/** How the operator is named in change records, besides the OS user. */
	operatorName: string;
	recordsDir: string;
	backupsDir: string;
	/** Ed25519 private key (PKCS#8 PEM) that seals records; runs are unsigned while the file does not exist. */
	signingKey: string;
	/** allowed_signers file of keys whose seals `cutover verify` believes; without it, the signing key's own public key. */
	trustedKeys: string;
};

export const SETTING_KEYS = ['operatorName', 'recordsDir', 'backupsDir', 'signingKey', 'trustedKeys'] as const;
export type SettingKey = typeof SETTING_KEYS[number];

export type SettingsStore = {
	readonly path: string;
	read(): Settings;
	set(key: SettingKey, value: string): void;
};

/**
 * Operator settings in conf's per-user file; CUTOVER_CONFIG_DIR (or --config-dir, which the
 * entry point turns into it) moves it: tests, shared jump hosts, an unwritable HOME.
 */
export function openSettings(env: NodeJS.ProcessEnv = process.env): SettingsStore {
	const cwd = env['CUTOVER_CONFIG_DIR'];
	const where = cwd === undefined || cwd === '' ? path.join(env['XDG_CONFIG_HOME'] ?? path.join(os.homedir(), '.config'), 'cutover') : path.resolve(cwd);
	const guarded = <T>(work: () => T): T => {
		try {
			return work();
		} catch (error) {
			throw ConfigDirError.from(error, where) ?? error;
		}
	};

	const store = guarded(() => new Conf<Partial<Settings>>({
		projectName: 'cutover',
		projectSuffix: '',
		...(cwd === undefined || cwd === '' ? {} : {cwd}),
	}));
	const base = path.dirname(store.path);
	return {
		path: store.path,
		read: () => guarded(() => ({
			operatorName: store.get('operatorName') ?? os.userInfo().username,
			recordsDir: store.get('recordsDir') ?? path.join(base, 'records'),
			backupsDir: store.get('backupsDir') ?? path.join(base, 'backups'),
			signingKey: store.get('signingKey') ?? path.join(base, 'signing-key.pem'),
			trustedKeys: store.get('trustedKeys') ?? path.join(base, 'allowed_signers'),
		})),
		set(key, value) {
			guarded(() => {
				store.set(key, key === 'operatorName' ? value : path.resolve(value));
			});
		},
	};
}
