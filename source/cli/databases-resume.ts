import {existsSync} from 'node:fs';
import os from 'node:os';
import {createInterface} from 'node:readline/promises';
import {reopenFileJournal} from '../adapters/journal-file.js';
import {sha256File} from '../adapters/postgres/file-digest.js';
import {removePartial} from '../adapters/sqlite/remove-partial.js';
import {shellRunner} from '../adapters/shell-runner.js';
import type {Settings} from '../adapters/settings.js';
import {systemClock} from '../adapters/system-clock.js';
import type {EventOf} from '../engine/events.js';
import type {RunState} from '../engine/state.js';
import {CutoverError, UsageError} from '../errors/index.js';
import type {RunLockHandle} from '../ports/run-lock.js';
import {runDatabasesFlow, type DatabaseLegRun} from '../run/databases-flow.js';
import type {PlainAnswers} from '../run/decider.js';
import type {Runbook} from '../run/plan-types.js';
import {reconcile, type Reconciliation} from '../run/reconcile.js';
import type {Connections} from '../run/run-deps.js';
import {createSession} from '../run/session.js';
import {failStoppedStatements} from '../run/stopped-statements.js';
import {attachSealer} from '../signing/sealer.js';
import type {SigningKey} from '../signing/signing-key.js';
import {parseTarget, type Target} from '../target.js';
import {readJournal} from '../journal/read-journal.js';
import {runbookFor} from './databases-run.js';
import {openConnections, secretsOf, takeRunLock} from './open-run.js';
import {driveRun, type RunResult} from './run-command.js';
import {parseFormat} from './run-flags.js';
import {lockTracer} from './lock-tracer.js';

export type DatabasesResumeOptions = {
	journalPath: string;
	started: EventOf<'run.started'> & {databases: NonNullable<EventOf<'run.started'>['databases']>};
	runbook: Runbook;
	signingKey: SigningKey | null;
	settings: Settings;
	plain: boolean;
	json: boolean;
	/** --db name=target: a target given again (with its password, which the record never holds). */
	targets: readonly string[];
	/** --confirm-db, one per database in the runbook's order (plain mode). */
	confirm: readonly string[];
	rollback: boolean;
	/** false (--no-trace): no database's locks are measured again on a copy. */
	traceLocks: boolean;
	answers: Omit<PlainAnswers, 'confirmDb'>;
	write: (text: string) => void;
};

type Leg = {name: string; target: Target; migrationsDir: string; state: RunState; lock: RunLockHandle | null; connections: Connections | null};

/**
 * `cutover resume` of a run over several databases: each database that took part is re-read
 * and reconciled with its part of the record, every one is confirmed by its name, and the run
 * goes on from where its state stands; a database stopped mid-upgrade goes to the rollback
 * prompts when the operator says so (or has no verified backup to go on with).
 */
export async function resumeDatabases(options: DatabasesResumeOptions): Promise<RunResult | 'declined'> {
	const {journalPath, started, runbook} = options;
	const read = readJournal(journalPath);
	const folded = createSession({path: journalPath, append() {}, close() {}}, systemClock, read.entries).state;
	if (folded.outcome !== null) {
		throw new CutoverError(`${journalPath} already finished (${folded.outcome}); there is nothing to resume`, {hint: 'cutover replay shows how it ended'});
	}

	const given = new Map<string, string>();
	for (const raw of options.targets) {
		const at = raw.indexOf('=');
		const name = at > 0 ? raw.slice(0, at) : '';
		if (!started.databases.some(d => d.name === name)) {
			throw new UsageError(`--db ${name === '' ? 'without a name' : name} is not one of this run's databases (${started.databases.map(d => d.name).join(', ')})`, {hint: 'give a target again as --db <name>=<target>, or leave --db out: each database is connected as the record names it'});
		}

		given.set(name, raw.slice(at + 1));
	}

	if (options.plain && options.confirm.length !== started.databases.length) {
		throw new UsageError(`${options.confirm.length} --confirm-db given for ${started.databases.length} databases`, {hint: `give one per database, in the run's order: ${started.databases.map(d => `--confirm-db <the real name of ${d.name}>`).join(' ')}`});
	}

	const legs: Leg[] = started.databases.map(d => ({
		name: d.name,
		target: parseTarget(given.get(d.name) ?? d.target),
		migrationsDir: d.migrationsDir,
		state: folded.databases?.find(x => x.name === d.name)?.state ?? folded,
		lock: null,
		connections: null,
	}));
	const release = async () => {
		await Promise.allSettled(legs.map(async l => l.connections?.close()));
		await Promise.allSettled(legs.map(async l => l.lock?.release()));
	};

	const operator = {osUser: os.userInfo().username, name: options.settings.operatorName};
	const host = os.hostname();
	try {
		for (const leg of legs) {
			// eslint-disable-next-line no-await-in-loop -- one database after the other, in the run's order
			leg.lock = await takeRunLock(leg.target, {runId: started.runId, operator, host}, systemClock.now());
			// eslint-disable-next-line no-await-in-loop -- as above
			leg.connections = await openConnections(leg.target, leg.migrationsDir, runbook.upgrade, parseFormat(recordedFormatOf(read.entries, leg.name)));
		}
	} catch (error) {
		await release();
		throw error;
	}

	let reopened: ReturnType<typeof reopenFileJournal>;
	const reconciliations = new Map<string, Reconciliation>();
	try {
		reopened = reopenFileJournal({path: journalPath, secrets: legs.flatMap(l => secretsOf(l.target))});
		for (const leg of legs.filter(l => l.state.runId !== null && l.state.outcome === null)) {
			const artifact = leg.state.backup?.artifact;
			// A database the stop did not reach itself stopped with the run: the run's stop is its own.
			const state = leg.state.interrupted === null && folded.interrupted !== null ? {...leg.state, interrupted: folded.interrupted} : leg.state;
			reconciliations.set(leg.name, reconcile(state, {
				// eslint-disable-next-line no-await-in-loop -- as above
				fingerprint: await leg.connections!.database.fingerprint(),
				// eslint-disable-next-line no-await-in-loop -- as above
				plan: await leg.connections!.migrator.plan(),
				// eslint-disable-next-line no-await-in-loop -- as above
				backupSha256: artifact && existsSync(artifact.path) ? await sha256File(artifact.path) : null,
				cut: reopened.cut,
				migrationsDir: leg.migrationsDir,
			}));
		}
	} catch (error) {
		await release();
		throw error;
	}

	options.write(`Resuming ${journalPath}, a run over ${legs.map(l => l.name).join(', ')}\n`);
	for (const [name, reconciliation] of reconciliations) {
		options.write(`${name}:\n${reconciliation.lines.map(line => `  ${line}`).join('\n')}\n`);
	}

	const problems = [...reconciliations].flatMap(([name, r]) => r.problems.map(p => `${name}: ${p}`));
	if (problems.length > 0) {
		reopened.journal.close();
		await release();
		throw new CutoverError(`cannot resume: ${problems.join('; ')}`, {hint: 'nothing was changed or journaled; check each database with cutover status'});
	}

	// Every database that took part confirmed by its own name; in plain mode by position, as the run took them.
	const upgradeOpen = [...reconciliations.values()].some(r => r.upgradeOpen);
	let then: 'continue' | 'rollback' = options.rollback ? 'rollback' : 'continue';
	for (const [index, leg] of legs.entries()) {
		const real = leg.state.fingerprint?.database;
		if (!reconciliations.has(leg.name) || real === undefined) {
			continue;
		}

		if (options.plain) {
			if (options.confirm[index] !== real) {
				reopened.journal.close();
				// eslint-disable-next-line no-await-in-loop -- once, on the way out
				await release();
				throw new UsageError(`--confirm-db ${options.confirm[index] ?? ''} is not the database ${leg.name} of this run (${real})`, {hint: `pass the names in the run's order: ${legs.map(l => `--confirm-db ${l.state.fingerprint?.database ?? `<${l.name}>`}`).join(' ')}`});
			}

			continue;
		}

		// eslint-disable-next-line no-await-in-loop -- the operator answers one question after the other
		const answer = await confirmInConsole(leg.name, real, upgradeOpen && then === 'continue');
		if (answer === null) {
			reopened.journal.close();
			// eslint-disable-next-line no-await-in-loop -- once, on the way out
			await release();
			options.write('nothing was changed or journaled; the run is still unfinished\n');
			return 'declined';
		}

		if (answer === 'rollback') {
			then = 'rollback';
		}
	}

	for (const reconciliation of reconciliations.values()) {
		if (reconciliation.partialBackup !== null) {
			// eslint-disable-next-line no-await-in-loop -- a killed SQLite copy also leaves its -journal beside it
			await removePartial(reconciliation.partialBackup);
		}
	}

	const session = createSession(reopened.journal, systemClock, reopened.entries);
	const sealer = attachSealer(session, {journalPath, key: options.signingKey});
	const first = legs[0]!;
	return driveRun({
		session,
		sealer,
		journal: reopened.journal,
		connections: first.connections!,
		runLock: first.lock!,
		target: first.target,
		runbook: runbookFor(runbook, first.name),
		plain: options.plain,
		json: options.json,
		answers: {...options.answers, confirmDb: null},
		backupsDir: options.settings.backupsDir,
		runId: started.runId,
		appliedBy: `${operator.name} (${operator.osUser}@${host})`,
		databases: legs.map((leg, index) => ({
			name: leg.name,
			connections: leg.connections!,
			runLock: leg.lock!,
			target: leg.target,
			runbook: runbookFor(runbook, leg.name),
			answers: {...options.answers, confirmDb: options.confirm[index] ?? leg.state.fingerprint?.database ?? null},
		})),
	}, async (_, named) => {
		session.emit({type: 'run.resumed', operator, host, reconciliation: [...reconciliations].map(([name, r]) => `${name}: ${r.lines.join('; ')}`)});
		const runs: DatabaseLegRun[] = named.map((leg, index) => ({
			name: leg.name,
			deps: leg.deps,
			start: {
				runId: started.runId, toolVersion: started.toolVersion, operator: started.operator, host: started.host, checklist: started.checklist, to: null,
				mode: started.mode, signer: started.signer, target: legs[index]!.target.display, migrationsDir: legs[index]!.migrationsDir, previousRecord: null,
			},
		}));
		for (const leg of runs) {
			const reconciliation = reconciliations.get(leg.name);
			if (reconciliation === undefined) {
				continue;
			}

			const {session: own} = leg.deps;
			own.emit({type: 'run.resumed', operator, host, reconciliation: reconciliation.lines});
			for (const event of reconciliation.events) {
				own.emit(event);
			}

			if (own.state.lockLost !== null) {
				own.emit({type: 'run-lock.retaken', detail: 'the resumed run took the run lock again through the normal acquire; no other run holds it'});
			}

			// Stopped mid-upgrade: as far as it got, to the rollback prompts, when the operator says so or there is no verified backup to go on with.
			const usable = Boolean(own.state.backup?.artifact && own.state.verification?.ok);
			if (reconciliation.upgradeOpen && (then === 'rollback' || !usable)) {
				for (const event of failStoppedStatements(own.state)) {
					own.emit(event);
				}

				own.emit({type: 'upgrade.finished', ok: false});
			}
		}

		return runDatabasesFlow({session}, runs, {
			start: started,
			resumed: true,
			to: null,
			window: {startsAt: null, expectedMinutes: null},
			preparation: runbook.preparation,
			maintenance: runbook.maintenance,
			runner: shellRunner,
			// A database stopped before its upgrade whose migrations no trace on the record covers is traced again, on its own copy.
			traceLocks: name => {
				const leg = legs.find(l => l.name === name);
				return leg === undefined ? undefined : lockTracer(leg.target, {enabled: options.traceLocks, directory: leg.migrationsDir, format: parseFormat(recordedFormatOf(read.entries, name)), application: `cutover resume (lock trace of ${name})`});
			},
		});
	});
}

/** The format one database's folder was read in (its migrations.planned). */
function recordedFormatOf(entries: ReturnType<typeof readJournal>['entries'], name: string): string | undefined {
	for (const {event} of entries) {
		if (event.type === 'database.event' && event.database === name && event.event.type === 'migrations.planned') {
			return event.event.format;
		}
	}

	return undefined;
}

async function confirmInConsole(name: string, database: string, upgradeOpen: boolean): Promise<'continue' | 'rollback' | null> {
	const prompt = createInterface({input: process.stdin, output: process.stdout});
	try {
		const ask = upgradeOpen
			? `${name}: type ${database} to continue the upgrade, "rollback" to go to the rollback prompts, or Enter to leave: `
			: `${name}: type ${database} to continue the run, or Enter to leave: `;
		const answer = (await prompt.question(ask)).trim();
		if (answer === database) {
			return 'continue';
		}

		return upgradeOpen && answer === 'rollback' ? 'rollback' : null;
	} finally {
		prompt.close();
	}
}
