import type {UmzugStorage} from 'umzug';
import type {AppliedMigration, MigrationInfo, MigrationPlan} from '../../engine/model.js';
import {CutoverError, MigrationError} from '../../errors/index.js';
import type {Clock} from '../../ports/clock.js';
import type {LockPolicy, MigrationContext, Migrator} from '../../ports/migrator.js';
import {notRetrySafe} from '../../sql/non-transactional.js';
import {invalidIndexes} from './invalid-indexes.js';
import {resolveLockPolicy} from './lock-policy.js';
import type {Target} from '../../target.js';
import {readMigrationFolder, readMigrations, type FormatName, type MigrationSource} from './migration-files.js';
import {logTableExists, readLog} from './migration-log.js';
import {objectExists, readLiveSchema} from './live-schema.js';
import {createdObjects} from '../../sql/created-objects.js';
import {runMigration} from './run-migration.js';
import type {Session} from './session.js';
import {messageOf} from './session.js';

export type MigratorOptions = {
	target: Target;
	/** The directory holding the migration files; read afresh on every call, so drift shows at once. */
	directory: string;
	/** Where applied_at comes from; the system clock unless a test hands in another. */
	clock?: Clock;
	/** Lock timeout and retries (the checklist's `upgrade:` section); defaults for what is not given. */
	lock?: Partial<LockPolicy>;
	/** The folder's format as named with --format; detected from the files when absent or null. */
	format?: FormatName | null;
};

// umzug logs and un-logs a migration in calls of their own, after the migration ran. Both do
// nothing here: the migration's own wrapper writes the log row in the migration's transaction,
// and executed() reads that table. Passing a storage also keeps umzug from writing umzug.json.
const storageFor = (session: Session): UmzugStorage => ({
	async logMigration() {},
	async unlogMigration() {},
	async executed() {
		return (await readLog(session)).map(row => row.name);
	},
});

/** Opens one connection to the target and runs the migrations of `directory` through umzug, one at a time. */
export async function openMigrator(options: MigratorOptions): Promise<Migrator> {
	const {target, directory} = options;
	const clock = options.clock ?? {now: () => Date.now()};
	const policy = resolveLockPolicy(options.lock);
	// Each engine's session (and its driver) and umzug are loaded only when needed: `status` plans, it never migrates.
	const session = target.engine === 'postgres'
		? await (await import('./postgres-session.js')).openPostgresSession(target)
		: await (await import('./sqlite-session.js')).openSqliteSession(target.path);
	const storage = storageFor(session);

	const umzugFor = async (sources: MigrationSource[], context: MigrationContext) => new (await import('umzug')).Umzug({
		migrations: sources.map(source => ({
			name: source.name,
			up: async () => runMigration(session, source, 'up', {...context, appliedAt: new Date(clock.now()).toISOString()}, policy),
			// Always present: umzug treats a missing down as success and un-logs; ours throws IrreversibleMigrationError.
			down: async () => runMigration(session, source, 'down', {...context, appliedAt: new Date(clock.now()).toISOString()}, policy),
		})),
		storage,
		logger: undefined,
		context: {},
	});

	const one = async (name: string, direction: 'up' | 'down', context: MigrationContext) => {
		const sources = await readMigrations(directory, target.engine, {format: options.format ?? null});
		const applied = new Set(await storage.executed({context: {}}));
		const source = sources.find(s => s.name === name);
		if (!source) {
			throw new MigrationError(`there is no migration ${name} in ${directory}`, {
				migration: name,
				direction,
				statement: null,
				hint: applied.has(name) ? `${name} is applied but its files are gone: restore them to revert it, or restore the backup` : 'check the name against the plan',
			});
		}

		if (direction === 'up' && applied.has(name)) {
			throw new MigrationError(`${name} is already applied`, {migration: name, direction, statement: null, hint: 'plan again to see what is pending'});
		}

		if (direction === 'down' && !applied.has(name) && context.partlyApplied !== true) {
			throw new MigrationError(`${name} is not applied, there is nothing to revert`, {migration: name, direction, statement: null, hint: 'plan again to see what is applied'});
		}

		if (direction === 'down' && context.partlyApplied === true && !applied.has(name)) {
			// Not logged, so umzug knows nothing to revert: the down of an up that took effect in part runs on its own.
			await runMigration(session, source, 'down', {...context, appliedAt: new Date(clock.now()).toISOString()}, policy);
			return;
		}

		const umzug = await umzugFor(sources, context);
		try {
			await (direction === 'up' ? umzug.up({migrations: [name]}) : umzug.down({migrations: [name]}));
		} catch (error) {
			throw unwrap(error, name, direction);
		}
	};

	return {
		async plan() {
			return plan(session, directory, target.engine, options.format ?? null);
		},
		async up(name, context) {
			await one(name, 'up', context);
		},
		async down(name, context) {
			await one(name, 'down', context);
		},
		async invalidIndexes(name) {
			const source = (await readMigrations(directory, target.engine, {format: options.format ?? null})).find(s => s.name === name);
			return source && source.up.kind === 'sql' ? invalidIndexes(session, source.up.statements) : [];
		},
		async dropInvalidIndex(index) {
			// CONCURRENTLY: dropping takes no lock that would stop the table's readers and writers.
			await session.run(`DROP INDEX CONCURRENTLY IF EXISTS ${index.qualified}`);
		},
		async close() {
			await session.close();
		},
	};
}

async function plan(session: Session, directory: string, engine: Target['engine'], format: FormatName | null): Promise<MigrationPlan> {
	const {sources, ...folder} = await readMigrationFolder(directory, engine, {format});
	const byName = new Map(sources.map(s => [s.name, s]));
	// The log reads in name order; the folder's is by version (1_init before 10_audit, Flyway's 1.9 before 1.10).
	const position = new Map(sources.map((s, index) => [s.name, index]));
	const log = (await readLog(session)).sort((a, b) => (position.get(a.name) ?? sources.length) - (position.get(b.name) ?? sources.length));
	const applied: AppliedMigration[] = log.map(row => {
		const source = byName.get(row.name);
		return {
			name: row.name,
			checksum: row.checksum,
			reversible: source?.down != null,
			appliedAt: row.appliedAt,
			appliedBy: row.appliedBy,
			runId: row.runId,
			drift: source === undefined ? 'missing' : source.checksum === row.checksum ? 'none' : 'changed',
		};
	});
	const done = new Set(log.map(row => row.name));
	const pending: MigrationInfo[] = sources
		.filter(s => !done.has(s.name))
		.map(s => ({name: s.name, checksum: s.checksum, reversible: s.down !== null, ...(absorbsWrapper(s) ? {wrapperAbsorbed: true} : {}), ...noTransaction(s)}));
	// No log at all: a schema found here was made without cutover, and must be adopted before anything runs on it.
	const live = log.length === 0 && !await logTableExists(session) ? await readLiveSchema(session) : null;
	if (live === null) {
		return {applied, pending, format: folder.format, ignored: folder.ignored, skipped: folder.skipped};
	}

	const baselineTo = await lastPresent(session, sources);
	return {applied, pending, format: folder.format, ignored: folder.ignored, skipped: folder.skipped, adoption: baselineTo === null ? live : {...live, baselineTo}};
}

/** The last migration, from the first on without a break, whose CREATE TABLE targets all exist; null when the first's do not. */
async function lastPresent(session: Session, sources: readonly MigrationSource[]): Promise<string | null> {
	let last: string | null = null;
	for (const source of sources) {
		const tables = source.up.kind === 'sql' ? createdObjects(source.up.text).filter(o => o.kind === 'table') : [];
		// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
		if (tables.length === 0 || !(await Promise.all(tables.map(async t => objectExists(session, t)))).every(Boolean)) {
			return last;
		}

		last = source.name;
	}

	return last;
}

/** What the plan says of an up that runs outside a transaction: its statements, and which of them are not safe to run twice. */
function noTransaction(source: MigrationSource): Pick<MigrationInfo, 'noTransaction'> {
	const {up} = source;
	if (up.transaction) {
		return {};
	}

	if (up.kind === 'module') {
		return {noTransaction: {statements: null, notRetrySafe: []}};
	}

	const notSafe = up.statements.flatMap((statement, i) => {
		const why = notRetrySafe(statement);
		return why === null ? [] : [{index: i + 1, why}];
	});
	return {noTransaction: {statements: up.statements.length, notRetrySafe: notSafe}};
}

function absorbsWrapper(source: MigrationSource): boolean {
	return [source.up, source.down].some(script => script?.kind === 'sql' && script.wrapperAbsorbed);
}

/** umzug wraps what a migration throws in its own MigrationError; hand ours back as it was thrown. */
function unwrap(error: unknown, name: string, direction: 'up' | 'down'): CutoverError {
	let current: unknown = error;
	while (current instanceof Error) {
		if (current instanceof CutoverError) {
			return current;
		}

		current = current.cause;
	}

	return new MigrationError(`${name} (${direction}) failed: ${messageOf(error)}`, {migration: name, direction, statement: null, hint: 'see the cause; the migration ran in a transaction that was rolled back', cause: error});
}
