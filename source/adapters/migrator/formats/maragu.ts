import type {FileRole, FormatReader, Version} from './types.js';

// maragu.dev/migrate (formerly github.com/maragudk/migrate): <version>.up.sql / .down.sql, where
// the version is any run of word characters and dashes and the character before `up` may be any
// (the tool's own pattern leaves that dot unescaped, so 0029_add_index_up.sql is a migration to it,
// and folders hold both spellings). Versions are strings, applied in byte order of the string:
// several 0000_… files, or a bare 0188, are each a migration of their own.
const sqlFile = /^([\w-]+).(up|down)\.sql$/;

export const maragu: FormatReader = {
	name: 'maragu',
	match(file) {
		const match = sqlFile.exec(file);
		if (!match) {
			return null;
		}

		const [, id, direction] = match as unknown as [string, string, 'up' | 'down'];
		return {id, key: id, version: byteOrder(id), direction, engine: 'any', transaction: true, kind: 'sql'} satisfies FileRole;
	},
};

/** The version string as numbers compared one by one: the tool's string order (a prefix first, as "0188" before "0188_x"). */
function byteOrder(id: string): Version {
	return [...Buffer.from(id, 'utf8')].map(byte => BigInt(byte));
}
