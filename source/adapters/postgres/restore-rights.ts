import type pg from 'pg';

/** Whether the connected role may restore by creating a database and renaming the target; the reason when not. */
export async function restoreRefusal(client: pg.Client, database: string): Promise<string | null> {
	const result = await client.query<[string, boolean, boolean, boolean, string]>({
		text: `SELECT r.rolname, r.rolsuper, r.rolcreatedb, pg_catalog.pg_has_role(d.datdba, 'USAGE'), pg_catalog.pg_get_userbyid(d.datdba)
			FROM pg_catalog.pg_roles r, pg_catalog.pg_database d WHERE r.rolname = current_user AND d.datname = $1`,
		values: [database],
		rowMode: 'array',
	});
	const row = result.rows[0];
	if (row === undefined) {
		return `there is no database "${database}" on the server any more`;
	}

	const [role, superuser, createdb, owns, owner] = row;
	if (!superuser && !createdb) {
		return `the role ${role} cannot create databases, and a restore builds the restored copy in a new database: ALTER ROLE ${role} CREATEDB, or restore as a role that can`;
	}

	if (!owns) {
		return `the role ${role} does not own "${database}" (its owner is ${owner}), and only the owner can rename it aside: GRANT ${owner} TO ${role}, or restore as ${owner}`;
	}

	return null;
}

/** Whether the role can keep each owner of the dump's objects (ALTER … OWNER TO needs membership); the ones it cannot. */
export async function ownersOutOfReach(client: pg.Client, owners: string[]): Promise<string[]> {
	const result = await client.query<[string]>({
		text: `SELECT o FROM unnest($1::text[]) AS o
			WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = o AND pg_catalog.pg_has_role(r.oid, 'MEMBER'))
			ORDER BY o`,
		values: [owners],
		rowMode: 'array',
	});
	return result.rows.map(([owner]) => owner);
}
