import path from 'node:path';
import {openFileJournal} from '../adapters/journal-file.js';
import {warmBackupTool} from '../adapters/open-target.js';
import {systemClock} from '../adapters/system-clock.js';
import type {Checklist, RunbookDatabase} from '../checklist/types.js';
import {UsageError} from '../errors/index.js';
import type {Journal} from '../ports/journal.js';
import type {RunLockHandle} from '../ports/run-lock.js';
import {pastDurations} from '../replay/past-durations.js';
import {runDatabasesFlow, type DatabaseLegRun} from '../run/databases-flow.js';
import type {Runbook} from '../run/plan-types.js';
import type {Connections} from '../run/run-deps.js';
import {createSession} from '../run/session.js';
import {toolVersion} from '../package-root.js';
import {attachSealer} from '../signing/sealer.js';
import {signerOf, type SigningKey} from '../signing/signing-key.js';
import {parseTarget, type Target} from '../target.js';
import {takeChainPlace} from '../verify/previous-record.js';
import {newRunIdentity, openConnections, secretsOf, takeRunLock} from './open-run.js';
import {parseFormat} from './run-flags.js';
import {driveRun, type RunOptions, type RunResult} from './run-command.js';
import {shellRunner} from '../adapters/shell-runner.js';
import {redactUrl} from '../adapters/postgres/conninfo-url.js';
import {lockTracer} from './lock-tracer.js';

type Leg = {database: RunbookDatabase; target: Target; migrationsDir: string; runbook: Runbook};

/**
 * `cutover run --checklist dual.yaml --db users=… --db pool=…`: the runbook names the databases,
 * the command line their targets. Every name needs a target and every target a name.
 */
export function pairTargets(runbook: Checklist, given: readonly string[]): Map<string, string> {
	const names = (runbook.databases ?? []).map(d => d.name);
	const example = names.map(n => `--db ${n}=<target>`).join(' ');
	const pairs = new Map<string, string>();
	for (const raw of given) {
		const at = raw.indexOf('=');
		const name = at > 0 ? raw.slice(0, at) : '';
		if (!names.includes(name)) {
			throw new UsageError(`--db ${redactUrl(raw)} does not say which of the runbook's databases it is (${names.join(', ')})`, {hint: `name each one: ${example}`});
		}

		if (pairs.has(name)) {
			throw new UsageError(`--db ${name}= is given twice`, {hint: `give each database once: ${example}`});
		}

		pairs.set(name, raw.slice(at + 1));
	}

	const missing = names.filter(n => !pairs.has(n));
	if (missing.length > 0) {
		throw new UsageError(`the runbook ${runbook.path} is a run over ${names.join(', ')}, and no target is given for ${missing.join(', ')}`, {hint: `give every one: ${example}`});
	}

	return pairs;
}

/** One database's runbook: the checks that name it or no database. */
export function runbookFor(runbook: Runbook, name: string): Runbook {
	const mine = (phase: 'pre' | 'post') => runbook.checks[phase].filter(c => c.database === undefined || c.database === name);
	return {
		...runbook,
		checks: {pre: mine('pre'), post: mine('post'), health: []},
		// The run's own, not any one database's: the flow gives the preparation to the first window and runs the commands itself.
		preparation: [],
		maintenance: {on: null, off: null, offWhenMidChange: false},
	};
}

export async function runDatabases(options: RunOptions, runbook: Runbook, signingKey: SigningKey | null): Promise<RunResult> {
	if (options.migrationsGiven === true) {
		throw new UsageError(`--migrations does not apply to a run over several databases: ${runbook.path} names each one's folder`, {hint: 'leave --migrations out, or change the databases: section of the runbook'});
	}

	if (options.format !== undefined && options.format !== null) {
		throw new UsageError(`--format does not apply to a run over several databases: ${runbook.path} names each one's folder`, {hint: 'give the format in the runbook instead: databases: [{name: …, migrations: …, format: …}]'});
	}

	if (options.to !== null) {
		throw new UsageError('--to does not apply to a run over several databases yet: each has its own folder', {hint: 'leave --to out: every pending migration of every database is applied'});
	}

	const pairs = pairTargets(runbook, options.dbs ?? [options.db]);
	const databases = runbook.databases ?? [];
	// In plain mode each window is typed by its own --confirm-db, in the runbook's order: a value typed for one database never opens another's.
	const typed = options.confirmDbs ?? [];
	if (options.plain && typed.length !== databases.length) {
		throw new UsageError(`${typed.length} --confirm-db given for ${databases.length} databases`, {hint: `give one per database, in the runbook's order: ${databases.map(d => `--confirm-db <the real name of ${d.name}>`).join(' ')}`});
	}

	const legs: Leg[] = databases.map(database => {
		if (database.migrations === null) {
			throw new UsageError(`the runbook ${runbook.path} names no migrations folder for database ${database.name}`, {hint: `add migrations: <folder> to ${database.name} under databases: (relative to the runbook)`});
		}

		const target = parseTarget(pairs.get(database.name)!);
		warmBackupTool(target);
		return {database, target, migrationsDir: path.resolve(path.dirname(runbook.path), database.migrations), runbook: runbookFor(runbook, database.name)};
	});

	const now = systemClock.now();
	const identity = newRunIdentity(options.settings, databases.map(d => d.name).join('+'), now);
	const locks: RunLockHandle[] = [];
	const connections: Connections[] = [];
	let journal: Journal;
	let place: Awaited<ReturnType<typeof takeChainPlace>>;
	try {
		for (const leg of legs) {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			locks.push(await takeRunLock(leg.target, identity, now));
		}

		for (const leg of legs) {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			connections.push(await openConnections(leg.target, leg.migrationsDir, leg.runbook.upgrade, parseFormat(leg.database.format ?? undefined)));
		}

		place = await takeChainPlace(options.settings.recordsDir);
		try {
			journal = openFileJournal({path: identity.journalPath, runId: identity.runId, secrets: legs.flatMap(l => secretsOf(l.target))});
		} catch (error) {
			place.release();
			throw error;
		}
	} catch (error) {
		await Promise.allSettled([...connections.map(async c => c.close()), ...locks.map(async l => l.release())]);
		throw error;
	}

	const session = createSession(journal, systemClock);
	const placed = session.subscribe(() => {
		placed();
		place.release();
	});
	const sealer = attachSealer(session, {journalPath: journal.path, key: signingKey});
	const common = {
		runId: identity.runId,
		toolVersion,
		operator: identity.operator,
		host: identity.host,
		checklist: {name: runbook.name, path: runbook.path, sha256: runbook.sha256},
		to: null,
		mode: options.plain ? 'plain' as const : 'console' as const,
		signer: signingKey === null ? null : signerOf(signingKey),
	};
	const answers = {
		yes: options.yes,
		confirmDb: null,
		overrides: options.overrides,
		onFailure: options.onFailure,
		atEnd: options.atEnd,
		dropInvalidIndex: options.dropInvalidIndex,
		observe: options.observe ?? 'wait',
		acknowledgeLint: options.acknowledgeLint ?? [],
	};
	return driveRun({
		session,
		sealer,
		journal,
		connections: connections[0]!,
		runLock: locks[0]!,
		target: legs[0]!.target,
		runbook: legs[0]!.runbook,
		plain: options.plain,
		json: options.json === true,
		answers,
		backupsDir: options.settings.backupsDir,
		runId: identity.runId,
		appliedBy: `${identity.operator.name} (${identity.operator.osUser}@${identity.host})`,
		databases: legs.map((leg, index) => ({name: leg.database.name, connections: connections[index]!, runLock: locks[index]!, target: leg.target, runbook: leg.runbook, answers: {...answers, confirmDb: typed[index] ?? null}})),
	}, async (_, named) => {
		const runs: DatabaseLegRun[] = named.map((leg, index) => ({
			name: leg.name,
			deps: leg.deps,
			// Each database's own part of the record starts like a run over one: its target, its folder, its runbook.
			start: {...common, target: legs[index]!.target.display, migrationsDir: legs[index]!.migrationsDir, previousRecord: null},
		}));
		return runDatabasesFlow({session}, runs, {
			start: {
				type: 'run.started',
				...common,
				target: legs.map(l => `${l.database.name}: ${l.target.display}`).join(', '),
				migrationsDir: legs.map(l => l.migrationsDir).join(', '),
				previousRecord: place.previousRecord,
				databases: legs.map(l => ({name: l.database.name, target: l.target.display, migrationsDir: l.migrationsDir})),
			},
			to: null,
			window: {startsAt: options.windowStart, expectedMinutes: options.windowMinutes},
			pastDurations: pending => pastDurations(options.settings.recordsDir, pending),
			preparation: runbook.preparation,
			maintenance: runbook.maintenance,
			runner: shellRunner,
			lint: name => {
				const leg = legs.find(l => l.database.name === name);
				return leg === undefined ? undefined : async (pending, live) => (await import('../lint/run-lint.js')).lintForRun(leg.migrationsDir, leg.target.engine, parseFormat(leg.database.format ?? undefined), pending, live);
			},
			// Each PostgreSQL database on a copy of its own schema; a SQLite one is not traced.
			traceLocks: name => {
				const leg = legs.find(l => l.database.name === name);
				return leg === undefined ? undefined : lockTracer(leg.target, {enabled: options.traceLocks !== false, directory: leg.migrationsDir, format: parseFormat(leg.database.format ?? undefined), application: `cutover run (lock trace of ${name})`});
			},
		});
	}).finally(() => {
		placed();
		place.release();
	});
}
