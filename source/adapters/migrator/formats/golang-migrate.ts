import type {FileRole, FormatReader} from './types.js';

// golang-migrate and morph: {version}_{title}.up.sql / .down.sql, the title free (dots and spaces too);
// cutover's own engine variants (.up.sqlite.sql, .up.postgres.sql) and NNNN_name.js/.mjs modules.
const sqlFile = /^(\d+)_(.+?)\.(up|down)(?:\.(sqlite|postgres))?\.sql$/;
const moduleFile = /^(\d+)_([A-Za-z0-9_-]+)\.(?:js|mjs|ts|mts)$/;

export const golangMigrate: FormatReader = {
	name: 'golang-migrate',
	match(file) {
		const sql = sqlFile.exec(file);
		if (sql) {
			const [, digits, title, direction, variant] = sql as unknown as [string, string, string, 'up' | 'down', 'sqlite' | 'postgres' | undefined];
			return role(digits, title, direction, variant ?? 'any', 'sql');
		}

		const module = moduleFile.exec(file);
		return module ? role(module[1]!, module[2]!, 'both', 'any', 'module') : null;
	},
};

function role(digits: string, title: string, direction: FileRole['direction'], engine: FileRole['engine'], kind: FileRole['kind']): FileRole {
	const id = `${digits}_${title}`;
	return {id, key: id, version: [BigInt(digits)], direction, engine, transaction: true, kind};
}
