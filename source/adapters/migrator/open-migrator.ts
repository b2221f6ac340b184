import type {AppliedMigration, MigrationInfo, MigrationPlan} from '../../engine/model.js';
import {MigrationError} from '../../errors/index.js';
import type {Clock} from '../../ports/clock.js';
import type {LockPolicy, MigrationContext, Migrator} from '../../ports/migrator.js';
import {notRetrySafe} from '../../sql/non-transactional.js';
import {invalidIndexes} from './invalid-indexes.js';
import {resolveLockPolicy} from './lock-policy.js';
import type {Target} from '../../target.js';
import type {FormatName, MigrationFolder, MigrationSource} from './migration-files.js';
import {logTableExists, readLog, type LogRow, type LogTable} from './migration-log.js';
import {historyTools, objectsPresent, readLiveSchema} from './live-schema.js';
import {followObjects} from '../../adopt/evidence.js';
import {objectKey} from '../../adopt/map-history.js';
import {schemaChanges} from '../../sql/created-objects.js';
import {touchedObjects} from '../../sql/touched-objects.js';
import {readPlannedFiles, type PlannedFiles} from './planned-files.js';
import {runMigration} from './run-migration.js';
import {catchUpStatements, historyInStep, toolHistory, type HistoryInStep} from './tool-history.js';
import {readHistory} from './history-readers.js';
import type {Session, Statement} from './session.js';

export type MigratorOptions = {
	target: Target;
	/** The directory holding the migration files; read by each plan(), and what runs is what the last plan read. */
	directory: string;
	/** Where applied_at comes from; the system clock unless a test hands in another. */
	clock?: Clock;
	/** Lock timeout and retries (the checklist's `upgrade:` section); defaults for what is not given. */
	lock?: Partial<LockPolicy>;
	/** The folder's format as named with --format; detected from the files when absent or null. */
	format?: FormatName | null;
};

/**
 * Opens one connection to the target and runs the migrations of `directory`, one at a time.
 * The folder is read and hashed once per plan, not once per migration: a run of 700 migrations
 * reads 700 files once. Before each migration only its own file is looked at (a stat), and a
 * file changed since the plan is refused rather than run as it now is.
 */
export async function openMigrator(options: MigratorOptions): Promise<Migrator> {
	const {target, directory} = options;
	const clock = options.clock ?? {now: () => Date.now()};
	const policy = resolveLockPolicy(options.lock);
	const format = options.format ?? null;
	// Each engine's session (and its driver) is loaded only when needed.
	const session = target.engine === 'postgres'
		? await (await import('./postgres-session.js')).openPostgresSession(target)
		: await (await import('./sqlite-session.js')).openSqliteSession(target.path);
	const log: LogTable = {known: false};
	let planned: PlannedFiles | undefined;
	// The other tool's history that moves with each migration, as found by the last plan.
	let history: HistoryInStep | null | undefined;
	// What that table lacks of cutover's log, added with the next migration (then nothing more).
	let catchUp: Statement[] | undefined;
	// `logged`: the log as the caller just read it, not read again.
	const inStep = async (folder: MigrationFolder, logged?: readonly LogRow[]) => {
		// Looked once per plan: none found (null) is an answer too, not a reason to read the catalog before each migration.
		if (history === undefined) {
			const found = folder.format === 'maragu' ? [] : await historyTools(session);
			history = historyInStep(folder.format, found, folder.sources.some(s => s.up.kind === 'external'));
			const toolHas = history === null || !found.includes(history.tool) ? null : new Set((await readHistory(session, history.tool)).rows.map(row => row.key));
			catchUp = catchUpStatements(session, history, (logged ?? await readLog(session)).map(row => row.name), toolHas);
			if (history !== null && catchUp.length > 0) {
				history = {...history, behind: history.tool === 'golang-migrate' ? 1 : catchUp.length};
			}
		}

		return history;
	};

	const files = async () => {
		// An up or down without a plan first (a test, a tool) reads the folder then, once.
		planned ??= await readPlannedFiles(directory, target.engine, format);
		return planned;
	};

	const isApplied = async (name: string) => (await readLog(session)).some(row => row.name === name);

	const one = async (name: string, direction: 'up' | 'down', context: MigrationContext) => {
		const folder = await files();
		const source = folder.find(name);
		if (!source) {
			// Only on this path is the log read: whether the migration is applied says what to do.
			throw new MigrationError(`there is no migration ${name} in ${directory} as it was read for the plan`, {
				migration: name,
				direction,
				statement: null,
				hint: await isApplied(name) ? `${name} is applied but its files are gone: restore them to revert it, or restore the backup` : 'check the name against the plan; a file added since is planned by the next run',
			});
		}

		if (direction === 'down' && source.down === null && context.partlyApplied !== true && !await isApplied(name)) {
			// Nothing to revert comes before having no way to: the same answer as for a migration that has a down.
			throw new MigrationError(`${name} is not applied, there is nothing to revert`, {migration: name, direction, statement: null, hint: 'plan again to see what is applied'});
		}

		await folder.check(source, direction);
		// Already applied, or not applied to revert: the guard inside the migration's transaction says so.
		const own = toolHistory(session, await inStep(folder.folder), folder.folder.sources, name, direction);
		const tool = own === null ? null : {before: [...own.before, ...catchUp ?? []], after: own.after};
		await runMigration(session, source, direction, {...context, appliedAt: new Date(clock.now()).toISOString()}, policy, log, tool);
		catchUp = [];
	};

	return {
		async plan() {
			planned = await readPlannedFiles(directory, target.engine, format);
			history = undefined;
			catchUp = undefined;
			// One read of the log serves the plan and the other tool's history.
			const logged = await readLog(session);
			return plan(session, planned.folder, await inStep(planned.folder, logged), logged);
		},
		async up(name, context) {
			await one(name, 'up', context);
		},
		async down(name, context) {
			await one(name, 'down', context);
		},
		async invalidIndexes(name) {
			const source = (await files()).find(name);
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

async function plan(session: Session, {sources, ...folder}: MigrationFolder, history: HistoryInStep | null, logged: readonly LogRow[]): Promise<MigrationPlan> {
	const byName = new Map(sources.map(s => [s.name, s]));
	// The log reads in name order; the folder's is by version (1_init before 10_audit, Flyway's 1.9 before 1.10).
	const position = new Map(sources.map((s, index) => [s.name, index]));
	const log = [...logged].sort((a, b) => (position.get(a.name) ?? sources.length) - (position.get(b.name) ?? sources.length));
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
		.map(s => ({name: s.name, checksum: s.checksum, reversible: s.down !== null, ...(absorbsWrapper(s) ? {wrapperAbsorbed: true} : {}), ...noTransaction(s), ...(s.up.kind === 'external' ? {runsWith: s.up.tool} : {}), ...touches(s)}));
	// No log at all: a schema found here was made without cutover, and must be adopted before anything runs on it.
	const live = log.length === 0 && !await logTableExists(session) ? await readLiveSchema(session) : null;
	const note = {format: folder.format, ignored: folder.ignored, skipped: folder.skipped, ...(history === null ? {} : {history})};
	if (live === null) {
		return {applied, pending, ...note};
	}

	const baselineTo = await lastPresent(session, sources);
	return {applied, pending, ...note, adoption: baselineTo === null ? live : {...live, baselineTo}};
}

/** What the up's statements alter or remove, as the plan carries it; nothing for a module or a migration that names nothing. */
function touches(source: MigrationSource): Pick<MigrationInfo, 'touches'> {
	if (source.up.kind !== 'sql') {
		return {};
	}

	const touched = touchedObjects(source.up.statements);
	return touched.objects.length === 0 ? {} : {touches: touched};
}

/**
 * Where a baseline likely goes: the last migration N such that every table and index migrations up
 * to N create, and none of them drops or renames after, exists (the rule baseline's evidence
 * applies), and N makes one of those itself, so that migrations after the schema's last sign of
 * them (ALTERs only) are not offered on no evidence. Null when there is no such N.
 * Not an unbroken run from the first: an object dropped later is absent, yet the later migration is the one the schema is at.
 */
async function lastPresent(session: Session, sources: readonly MigrationSource[]): Promise<string | null> {
	const files = await Promise.all(sources.map(async source => ({
		name: source.name,
		changes: source.up.kind === 'sql' ? (await Promise.all(source.up.statements.map(async statement => schemaChanges(statement, session.engine)))).flat() : [],
	})));
	const after: Array<{alive: ReadonlyArray<{kind: 'table' | 'index'; name: string}>; own: boolean}> = [];
	const evidence = followObjects(files, (_, alive, own) => {
		after.push({alive, own});
	});
	// One look at the database for every name any migration gives an object.
	const present = await objectsPresent(session, evidence.flat());
	for (let n = after.length - 1; n >= 0; n--) {
		const {alive, own} = after[n]!;
		if (own && alive.every(o => present.has(objectKey(o)))) {
			return sources[n]!.name;
		}
	}

	return null;
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
