import type pg from 'pg';
import {quoteIdentifier} from './user-tables.js';

/** What CREATE DATABASE and the database-level catalogs say about a database, read from pg_database. */
export type DatabaseProperties = {
	oid: number;
	name: string;
	owner: string;
	encoding: string;
	collate: string;
	ctype: string;
	/** 'c' libc, 'i' icu, 'b' builtin; null before PostgreSQL 15, which had libc only. */
	localeProvider: string | null;
	/** The ICU or builtin locale (daticulocale, datlocale from PostgreSQL 17). */
	providerLocale: string | null;
	icuRules: string | null;
	tablespace: string;
	connectionLimit: number;
	comment: string | null;
	/** The database's grants as aclitem text; null for the built-in defaults. */
	acl: string[] | null;
};

// to_jsonb reads columns that only some versions have (datlocprovider, daticulocale, datlocale, daticurules) without failing on the others.
const propertiesSql = `SELECT d.oid::int8::text, d.datname, pg_catalog.pg_get_userbyid(d.datdba), pg_catalog.pg_encoding_to_char(d.encoding),
		d.datcollate, d.datctype, j->>'datlocprovider', coalesce(j->>'datlocale', j->>'daticulocale'), j->>'daticurules',
		t.spcname, d.datconnlimit, pg_catalog.shobj_description(d.oid, 'pg_database'), d.datacl::text[]
	FROM pg_catalog.pg_database d
	CROSS JOIN LATERAL pg_catalog.to_jsonb(d) AS j
	JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace
	WHERE d.datname = $1`;

type Row = [string, string, string, string, string, string, string | null, string | null, string | null, string, number, string | null, string[] | null];

export async function readDatabaseProperties(client: pg.Client, name: string): Promise<DatabaseProperties | null> {
	const result = await client.query<Row>({text: propertiesSql, values: [name], rowMode: 'array'});
	const row = result.rows[0];
	if (row === undefined) {
		return null;
	}

	const [oid, datname, owner, encoding, collate, ctype, localeProvider, providerLocale, icuRules, tablespace, connectionLimit, comment, acl] = row;
	return {oid: Number(oid), name: datname, owner, encoding, collate, ctype, localeProvider, providerLocale, icuRules, tablespace, connectionLimit, comment, acl};
}

/** CREATE DATABASE for an empty copy of `source`: template0, so nothing of template1's additions comes along. */
export function createDatabaseSql(client: pg.Client, name: string, source: DatabaseProperties): string {
	const literal = (value: string) => client.escapeLiteral(value);
	const parts = [
		`CREATE DATABASE ${quoteIdentifier(name)} WITH TEMPLATE template0`,
		`OWNER ${quoteIdentifier(source.owner)}`,
		`ENCODING ${literal(source.encoding)}`,
		`LC_COLLATE ${literal(source.collate)}`,
		`LC_CTYPE ${literal(source.ctype)}`,
	];
	if (source.localeProvider === 'i') {
		parts.push('LOCALE_PROVIDER icu');
		if (source.providerLocale !== null) {
			parts.push(`ICU_LOCALE ${literal(source.providerLocale)}`);
		}

		if (source.icuRules !== null) {
			parts.push(`ICU_RULES ${literal(source.icuRules)}`);
		}
	} else if (source.localeProvider === 'b') {
		parts.push('LOCALE_PROVIDER builtin');
		if (source.providerLocale !== null) {
			parts.push(`BUILTIN_LOCALE ${literal(source.providerLocale)}`);
		}
	} else if (source.localeProvider === 'c') {
		parts.push('LOCALE_PROVIDER libc');
	}

	if (source.tablespace !== 'pg_default') {
		parts.push(`TABLESPACE ${quoteIdentifier(source.tablespace)}`);
	}

	parts.push(`CONNECTION LIMIT ${source.connectionLimit}`);
	return parts.join(' ');
}
