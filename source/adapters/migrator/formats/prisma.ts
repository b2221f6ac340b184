import type {FileRole, FormatReader} from './types.js';

// Prisma Migrate: a folder per migration, <timestamp>_<name>/migration.sql, with no down (Prisma
// has none), ordered by the folder's leading digits; migration_lock.toml beside them says which
// provider wrote them. The migration's name is its folder's, as _prisma_migrations names it.
const migrationFile = /^((\d+)_[^/]+)\/migration\.sql$/;

/** A folder that looks like one of Prisma's migrations (read only when its migration.sql is there). */
export const prismaFolder = /^\d+_[^/]+$/;

export const prisma: FormatReader = {
	name: 'prisma',
	match(file) {
		const match = migrationFile.exec(file);
		if (!match) {
			return null;
		}

		const [, id, digits] = match as unknown as [string, string, string];
		return {id, key: id, version: [BigInt(digits)], direction: 'up', engine: 'any', transaction: true, kind: 'sql'} satisfies FileRole;
	},
};
