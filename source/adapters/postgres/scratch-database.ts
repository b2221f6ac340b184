import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import {CutoverError, ScratchCopyError} from '../../errors/index.js';
import type {ScratchCopy, ScratchMode} from '../../ports/scratch-copy.js';
import {readPostgresCatalog} from './catalog.js';
import {connectPostgres} from './connect.js';
import {createDatabaseSql, readDatabaseProperties} from './database-properties.js';
import {DEFAULT_LOCK_WAIT_MS} from './lock-waits.js';
import {dbnameArgument, describeFailure, runPgTool, type PgBinaries} from './pg-tool.js';
import type {PostgresTarget} from './postgres-target.js';
import {bookkeepingTables, quoteIdentifier} from './user-tables.js';
import {withDatabase} from './with-database.js';

export type ScratchDatabaseOptions = {
	mode: ScratchMode;
	/** The database's name: unique per process and moment, so one a killed process left is recognisable and never reused. */
	name: string;
	binaries?: PgBinaries;
	/** Stops pg_dump or pg_restore; the half-made database is dropped. */
	signal?: AbortSignal;
	/** The application_name of every session and tool, so pg_stat_activity says which command made the copy. */
	application?: string;
};

/**
 * A throwaway database on the source's server, made from template0 like the source (encoding,
 * locale) and owned by the connecting role, restored from pg_dump of the source (its schema
 * only, with cutover's migration log, for schema-only; nothing for empty). The source is only
 * read: pg_dump, and the catalog queries that find its properties. Every session and tool gets
 * the resolved connection of the source, with the database name swapped.
 */
export async function createScratchDatabase(source: PostgresTarget, options: ScratchDatabaseOptions): Promise<ScratchCopy> {
	const binaries = options.binaries ?? {pgDump: 'pg_dump', pgRestore: 'pg_restore'};
	const {name} = options;
	const application = options.application ?? 'cutover test-migrations';
	const scratch = withDatabase(source, name);
	// CREATE and DROP DATABASE are issued from a session on the source database: never from the scratch one.
	let admin: pg.Client | null = await connectPostgres(source, {application_name: application});
	let directory: string | null = null;
	let created = false;
	const remove = async (): Promise<string | null> => {
		if (directory !== null) {
			await rm(directory, {recursive: true, force: true}).catch(() => undefined);
			directory = null;
		}

		if (!created) {
			await admin?.end().catch(() => undefined);
			admin = null;
			return null;
		}

		try {
			admin ??= await connectPostgres(source, {application_name: application});
			// FORCE ends the migrator's session too, should a signal have cut the round trip short while it ran.
			await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
			created = false;
			return null;
		} catch (error) {
			return `the scratch database "${name}" could not be dropped (${error instanceof Error ? error.message : String(error)}): drop it with DROP DATABASE ${quoteIdentifier(name)}`;
		} finally {
			await admin?.end().catch(() => undefined);
			admin = null;
		}
	};

	const refuse = (message: string, hint: string) => new ScratchCopyError(message, {source: source.display, hint});

	try {
		const [user, mayCreate, database, serverVersion] = (await admin.query<[string, boolean, string, string]>({
			text: `SELECT current_user, rolcreatedb OR rolsuper, current_database(), current_setting('server_version_num') FROM pg_catalog.pg_roles WHERE rolname = current_user`,
			rowMode: 'array',
		})).rows[0]!;
		if (!mayCreate) {
			throw refuse(`the role "${user}" may not create databases, and the work runs on a throwaway database restored from ${source.display}`, 'connect as a role with CREATEDB (ALTER ROLE … CREATEDB), or test on a copy you made yourself; nothing was changed');
		}

		if (Number(serverVersion) < 130_000) {
			throw refuse('the server is older than PostgreSQL 13, which the scratch database\'s forced drop needs', 'run the round trip against a copy on PostgreSQL 13 or later; nothing was changed');
		}

		const properties = (await readDatabaseProperties(admin, database))!;
		await admin.query(createDatabaseSql(admin, name, {...properties, owner: user, connectionLimit: -1}));
		created = true;
		// A throwaway: its commits need not wait for the WAL to reach the disk. A trace applies every
		// pending migration on it, one commit each, while the operator waits at the window.
		await admin.query(`ALTER DATABASE ${quoteIdentifier(name)} SET synchronous_commit = off`);
		if (options.mode !== 'empty') {
			directory = await mkdtemp(path.join(os.tmpdir(), 'cutover-rt-'));
			await copyInto(source, scratch, binaries, directory, {...options, application}, await presentBookkeeping(admin));
		}

		if (options.signal?.aborted === true) {
			throw refuse('stopped while the scratch database was made', 'nothing was run on it; the source was not touched');
		}

		await rm(directory ?? '', {recursive: true, force: true}).catch(() => undefined);
		directory = null;
	} catch (error) {
		const left = await remove();
		const failure = error instanceof ScratchCopyError ? error : new ScratchCopyError(`cannot make the scratch database "${name}" from ${source.display}: ${error instanceof Error ? error.message : String(error)}`, {
			source: source.display,
			hint: error instanceof CutoverError ? error.hint : 'read the message; the source was not touched',
			cause: error,
		});
		throw left === null ? failure : new ScratchCopyError(`${failure.message}; ${left}`, {source: source.display, hint: failure.hint, cause: failure});
	}

	const what = options.mode === 'empty' ? 'created empty' : options.mode === 'schema-only' ? 'restored from the schema of the source' : 'restored from a dump of the source';
	return {
		target: scratch,
		description: `database "${name}" on the source's server, ${what}`,
		async readCatalog() {
			const client = await connectPostgres(scratch, {application_name: application});
			try {
				return await readPostgresCatalog(client);
			} finally {
				await client.end().catch(() => undefined);
			}
		},
		remove,
	};
}

/** cutover's own tables the source holds, schema-qualified: their rows say which migrations are applied, and go with a schema-only copy. */
async function presentBookkeeping(client: pg.Client): Promise<string[]> {
	const result = await client.query<[string]>({
		text: `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind = 'r' AND c.relname = ANY($1::text[]) AND n.nspname NOT IN ('pg_catalog', 'information_schema')`,
		values: [[...bookkeepingTables]],
		rowMode: 'array',
	});
	return result.rows.map(([table]) => table);
}

/** pg_dump of the source (custom format, into the temporary directory), pg_restore into the scratch database. */
async function copyInto(source: PostgresTarget, scratch: PostgresTarget, binaries: PgBinaries, directory: string, options: ScratchDatabaseOptions & {application: string}, bookkeeping: string[]): Promise<void> {
	const {application} = options;
	const signal = options.signal === undefined ? {} : {signal: options.signal};
	const dumps: Array<{file: string; args: string[]}> = options.mode === 'schema-only'
		? [
			{file: path.join(directory, 'schema.dump'), args: ['--schema-only']},
			...bookkeeping.length === 0 ? [] : [{file: path.join(directory, 'log.dump'), args: ['--data-only', ...bookkeeping.map(table => `--table=${table}`)]}],
		]
		: [{file: path.join(directory, 'source.dump'), args: []}];
	for (const dump of dumps) {
		// eslint-disable-next-line no-await-in-loop -- the schema is restored before the rows that go in it
		const run = await runPgTool(binaries, binaries.pgDump, ['--format=custom', '--no-password', `--lock-wait-timeout=${DEFAULT_LOCK_WAIT_MS}`, ...dump.args, `--file=${dump.file}`, dbnameArgument(source, application)], source, {path: dump.file, ...signal});
		if (run.exitCode !== 0) {
			throw new ScratchCopyError(`pg_dump of ${source.display} failed: ${describeFailure('pg_dump', run)}`, {
				source: source.display,
				hint: /version mismatch/i.test(describeFailure('pg_dump', run)) ? 'pg_dump must be the server\'s major version or newer: install the matching postgresql-client' : 'read pg_dump\'s message; nothing on the server changed',
			});
		}

		// The copy is owned by the connecting role: the owners of the source's objects need not be roles it may act as.
		// eslint-disable-next-line no-await-in-loop
		const restore = await runPgTool(binaries, binaries.pgRestore, ['--single-transaction', '--exit-on-error', '--no-password', '--no-owner', dbnameArgument(scratch, application), dump.file], scratch, {path: dump.file, ...signal});
		if (restore.exitCode !== 0) {
			throw new ScratchCopyError(`pg_restore into the scratch database failed: ${describeFailure('pg_restore', restore)}`, {
				source: source.display,
				hint: 'read pg_restore\'s message (an extension only a superuser may create, a role the dump grants to that this server lacks…); --empty starts from an empty database instead; the source was not touched',
			});
		}
	}
}
