import type pg from 'pg';
import type {DatabaseProperties} from './database-properties.js';
import {quoteIdentifier} from './user-tables.js';

/**
 * The parameters whose value is a list that ALTER … SET must be given element by element
 * (pg_dump's variable_is_guc_list_quote); any other value goes back as one literal.
 */
const listParameters = new Set(['local_preload_libraries', 'search_path', 'session_preload_libraries', 'shared_preload_libraries', 'temp_tablespaces', 'unix_socket_directories']);

/**
 * Gives the fresh database what lives outside any dump of its contents: the ALTER DATABASE …
 * SET and ALTER ROLE … IN DATABASE … SET parameters, the comment and the grants on the
 * database, copied from the database it replaces. Returns what could not be made the same.
 */
export async function copyDatabaseSettings(client: pg.Client, source: DatabaseProperties, fresh: string): Promise<string[]> {
	const target = quoteIdentifier(fresh);
	const notes: string[] = [];
	// One that this role may not copy (another role's setting, a superuser-only parameter) is noted, not fatal: the restore matters more.
	const attempt = async (statement: string) => client.query(statement).then(() => undefined, (error: unknown) => {
		notes.push(`could not copy "${statement.replace(target, quoteIdentifier(source.name))}": ${error instanceof Error ? error.message : String(error)}`);
	});
	const settings = await client.query<[string | null, string[]]>({
		text: `SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(s.setrole) END, s.setconfig
			FROM pg_catalog.pg_db_role_setting s WHERE s.setdatabase = $1 ORDER BY s.setrole`,
		values: [source.oid],
		rowMode: 'array',
	});
	for (const [role, config] of settings.rows) {
		const prefix = role === null ? `ALTER DATABASE ${target}` : `ALTER ROLE ${quoteIdentifier(role)} IN DATABASE ${target}`;
		for (const entry of config) {
			const at = entry.indexOf('=');
			const name = entry.slice(0, at);
			const value = entry.slice(at + 1);
			const values = listParameters.has(name) ? splitList(value) : [value];
			// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
			await attempt(`${prefix} SET ${quoteIdentifier(name)} TO ${values.map(item => client.escapeLiteral(item)).join(', ')}`);
		}
	}

	if (source.comment !== null) {
		await attempt(`COMMENT ON DATABASE ${target} IS ${client.escapeLiteral(source.comment)}`);
	}

	const grants = await copyGrants(client, source, fresh).catch((error: unknown) => [`could not copy the grants on the database: ${error instanceof Error ? error.message : String(error)}`]);
	return [...notes, ...grants];
}

/** A GUC list as the server writes it: comma-separated, an element in double quotes when it needs them. */
export function splitList(value: string): string[] {
	const items: string[] = [];
	let at = 0;
	const skipSpace = () => {
		while (at < value.length && /\s/.test(value[at]!)) {
			at++;
		}
	};

	skipSpace();
	if (at === value.length) {
		return [];
	}

	for (;;) {
		skipSpace();
		let item = '';
		if (value[at] === '"') {
			at++;
			while (at < value.length) {
				if (value[at] === '"') {
					if (value[at + 1] === '"') {
						item += '"';
						at += 2;
						continue;
					}

					at++;
					break;
				}

				item += value[at];
				at++;
			}
		} else {
			while (at < value.length && value[at] !== ',') {
				item += value[at];
				at++;
			}

			item = item.trimEnd();
		}

		items.push(item);
		skipSpace();
		if (value[at] !== ',') {
			return items;
		}

		at++;
	}
}

/**
 * Grants on the database, replayed from aclexplode: the defaults revoked first, as pg_dump does.
 * A grant given by someone other than the owner is recorded with us as its grantor; the
 * difference is returned rather than hidden.
 */
async function copyGrants(client: pg.Client, source: DatabaseProperties, fresh: string): Promise<string[]> {
	if (source.acl === null) {
		return [];
	}

	const target = quoteIdentifier(fresh);
	const grants = await client.query<[string, string, boolean]>({
		text: `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END, a.privilege_type, a.is_grantable
			FROM pg_catalog.pg_database d CROSS JOIN LATERAL pg_catalog.aclexplode(d.datacl) AS a WHERE d.oid = $1`,
		values: [source.oid],
		rowMode: 'array',
	});
	await client.query(`REVOKE ALL ON DATABASE ${target} FROM PUBLIC`);
	await client.query(`REVOKE ALL ON DATABASE ${target} FROM ${quoteIdentifier(source.owner)}`);
	for (const [grantee, privilege, grantable] of grants.rows) {
		// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
		await client.query(`GRANT ${privilege} ON DATABASE ${target} TO ${grantee}${grantable ? ' WITH GRANT OPTION' : ''}`);
	}

	const copied = await client.query<[string[] | null]>({text: 'SELECT datacl::text[] FROM pg_catalog.pg_database WHERE datname = $1', values: [fresh], rowMode: 'array'});
	const want = [...source.acl].sort();
	const got = [...(copied.rows[0]?.[0] ?? [])].sort();
	return want.join(',') === got.join(',') ? [] : [`the grants on the database could not be copied exactly (was ${want.join(' ')}, now ${got.join(' ')})`];
}
