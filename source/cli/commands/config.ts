import {openSettings, SETTING_KEYS, type SettingKey} from '../../adapters/settings.js';
import {UsageError} from '../../errors/index.js';
import {parseCommand} from '../parse.js';

export function configCommand(args: string[]): number {
	const {positionals} = parseCommand(args, {}, 'config');
	const store = openSettings();
	const [key, value, extra] = positionals;
	if (extra !== undefined) {
		throw new UsageError('too many arguments', {hint: 'cutover config <key> <value>'});
	}

	const settings = store.read();
	if (key === undefined) {
		process.stdout.write(`# ${store.path}\n${SETTING_KEYS.map(k => `${k} = ${settings[k]}`).join('\n')}\n`);
		return 0;
	}

	if (!SETTING_KEYS.includes(key as SettingKey)) {
		throw new UsageError(`unknown setting "${key}"`, {hint: `settings are ${SETTING_KEYS.join(', ')}`});
	}

	if (value === undefined) {
		process.stdout.write(`${settings[key as SettingKey]}\n`);
		return 0;
	}

	store.set(key as SettingKey, value);
	process.stdout.write(`${key} = ${store.read()[key as SettingKey]}\n`);
	return 0;
}
