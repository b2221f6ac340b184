import path from 'node:path';
import {localDirectories} from '../adapters/directory-probe.js';
import {loadChecklist} from '../checklist/index.js';
import type {LiveSchema, RollbackChoice} from '../engine/model.js';
import {createBackupTool, warmBackupTool} from '../adapters/open-target.js';
import {localProbes} from '../adapters/local-probes.js';
import {shellRunner} from '../adapters/shell-runner.js';
import type {Settings} from '../adapters/settings.js';
import {systemClock} from '../adapters/system-clock.js';
import {consoleDecider, plainDecider, type Decider, type PlainAnswers} from '../run/decider.js';
import {pastDurations} from '../replay/past-durations.js';
import {runFlow, type FlowResult} from '../run/flow.js';
import {Interruption} from '../run/interruption.js';
import type {Runbook} from '../run/plan-types.js';
import type {Connections, RunDeps} from '../run/run-deps.js';
import {createSession, type Session} from '../run/session.js';
import {databaseSession} from '../run/database-session.js';
import type {Journal} from '../ports/journal.js';
import {parseTarget, type Target} from '../target.js';
import {toolVersion} from '../package-root.js';
import {CutoverError, RecordWriteError} from '../errors/index.js';
import {guessDatabaseName, newRunIdentity, openConnections, openJournal, secretsOf, takeRunLock} from './open-run.js';
import type {RunLockHandle} from '../ports/run-lock.js';
import {watchLocksDuringUpgrade} from '../run/lock-watch.js';
import {withRunSessions} from './run-sessions.js';
import {journalCommands} from '../run/command-journal.js';
import {handleBackendActions} from '../run/backend-actions.js';
import {figureReader} from '../health/figure-reader.js';
import type {ConsoleHandle} from './console.js';
import type {FormatName} from '../adapters/migrator/formats/types.js';
import {formatJsonLine} from './json-output.js';
import {formatPlainLine} from './plain-output.js';
import type {Entry} from '../engine/events.js';
import {attachSealer, type Sealer} from '../signing/sealer.js';
import {ensureSigningKey, signerOf, type SigningKey} from '../signing/signing-key.js';
import {takeChainPlace} from '../verify/previous-record.js';
import {importWithoutFetch} from './without-fetch.js';
import {clearEarlyFrame, drawEarlyFrame} from './early-frame.js';
import {lockTracer, withTracer} from './lock-tracer.js';

export type RunOptions = {
	db: string;
	/** Every --db given: a runbook over several databases takes one per database, as name=target. */
	dbs?: string[];
	/** --migrations was given (not the default): a runbook over several databases names its folders itself. */
	migrationsGiven?: boolean;
	/** Why the default migrations folder could not be found: an error for a run over one database only. */
	migrationsProblem?: unknown;
	/** Every --confirm-db given: in a run over several databases, one per database. */
	confirmDbs?: string[];
	migrationsDir: string;
	/** --format: the migrations folder's layout; detected from the files when absent or null. */
	format?: FormatName | null;
	checklistPath: string;
	to: string | null;
	plain: boolean;
	/** --json: plain, with each event as a JSON line on stdout. */
	json?: boolean;
	yes: boolean;
	confirmDb: string | null;
	overrides: Map<string, string>;
	onFailure: RollbackChoice | null;
	atEnd: RollbackChoice;
	dropInvalidIndex: boolean;
	/** --ack-lint: the lint's error findings the operator accepts, by rule id or file:line. */
	acknowledgeLint?: readonly string[];
	/** false (--no-trace): a PostgreSQL run does not measure the pending migrations' locks on a copy before its window. */
	traceLocks?: boolean;
	/** --observe: wait out the runbook's observation period in plain mode, or skip it on the record. */
	observe?: 'wait' | 'skip';
	windowStart: number | null;
	windowMinutes: number | null;
	/** --unsigned: the record names no signer; otherwise it is signed, with a key made first if there is none. */
	unsigned: boolean;
	settings: Settings;
	/** The non-interactive form of this very command, given the database name. */
	plainHint: (databaseName: string) => string;
	/** `cutover import` / `cutover baseline` with the operator's flags, for a live database without cutover history. */
	adoptCommands?: (live: LiveSchema) => string[];
};

export type RunResult = {
	outcome: FlowResult;
	recordPath: string;
	/** Why the run stopped when the record itself could not go on (the records directory is full). */
	fault?: CutoverError;
	/** Why an interrupted run stopped, when it was not a plain signal (a lost run lock). */
	stoppedBecause?: string;
};

const interactiveTerminal = () => Boolean(process.stdin.isTTY && process.stdout.isTTY);

let consoleModule: Promise<typeof import('./console.js')> | null = null;

/** How long after the flow starts the console draws its events at the latest, when no gate has opened by then: the target is slow. */
const REDRAW_AT_THE_LATEST_MS = 1000;

/** The screens and Ink: the heaviest imports of a run, loaded once, started as early as a console is known to come. */
async function loadConsole(): Promise<typeof import('./console.js')> {
	consoleModule ??= importWithoutFetch(async () => import('./console.js'));
	return consoleModule;
}

/** Starts loading the console when one will be drawn: Ink loads while the lock is taken and the connections opened. */
export function preloadConsole(plain: boolean): void {
	if (!plain && interactiveTerminal()) {
		// An import error surfaces where the console is awaited.
		loadConsole().catch(() => {});
	}
}

export async function runGuided(options: RunOptions): Promise<RunResult> {
	preloadConsole(options.plain);
	if (!options.plain && interactiveTerminal()) {
		// Something on the screen at once; the console's first frame replaces it (driveRun).
		drawEarlyFrame();
	}

	try {
		return await guided(options);
	} finally {
		// A run that stopped before its console: nothing of the frame is left above the shell's prompt.
		clearEarlyFrame({beforeInk: false});
	}
}

async function guided(options: RunOptions): Promise<RunResult> {
	const runbook = forRun(await loadChecklist(options.checklistPath));
	if (runbook.databases === undefined && (options.dbs?.length ?? 1) > 1) {
		throw new CutoverError(`${options.dbs!.length} targets are given (--db), and the runbook ${runbook.path} is over one database`, {
			hint: 'give one --db, or a runbook that names its databases (databases: [{name: users, migrations: …}, …], as checklists/dual-db-split.yaml does)',
		});
	}

	if (runbook.databases !== undefined) {
		return runOverDatabases(options, runbook);
	}

	if (options.migrationsProblem !== undefined) {
		throw options.migrationsProblem;
	}

	const target = parseTarget(options.db);
	warmBackupTool(target);
	warmLint(target);
	if (!options.plain && !interactiveTerminal()) {
		throw new CutoverError('the console needs a terminal, and this is not one (a pipe, CI or nohup)', {
			hint: `run the same flow without the console: ${options.plainHint(guessDatabaseName(target))} (it stops at every gate no flag opens)`,
		});
	}

	const signing = options.unsigned ? null : signingKeyFor(options.settings.signingKey);
	const signingKey = signing?.key ?? null;
	// Said at once in plain mode; after the console, whose screen starts at the top, has closed.
	const announce = () => {
		if (signing?.notice && !terminalHungUp()) {
			process.stderr.write(signing.notice);
		}
	};

	if (options.plain) {
		announce();
	}

	try {
		return await startRun(options, target, runbook, signingKey);
	} finally {
		if (!options.plain) {
			announce();
		}
	}
}

async function runOverDatabases(options: RunOptions, runbook: Runbook): Promise<RunResult> {
	if (!options.plain && !interactiveTerminal()) {
		throw new CutoverError('the console needs a terminal, and this is not one (a pipe, CI or nohup)', {
			hint: 'run the same flow without the console: add --plain, with --yes and a --confirm-db for each database (it stops at every gate no flag opens)',
		});
	}

	const signing = options.unsigned ? null : signingKeyFor(options.settings.signingKey);
	// Said at once in plain mode; after the console, whose screen starts at the top, has closed.
	const announce = () => {
		if (signing?.notice && !terminalHungUp()) {
			process.stderr.write(signing.notice);
		}
	};

	if (options.plain) {
		announce();
	}

	try {
		const {runDatabases} = await import('./databases-run.js');
		return await runDatabases(options, runbook, signing?.key ?? null);
	} finally {
		if (!options.plain) {
			announce();
		}
	}
}

/** A PostgreSQL run lints its pending migrations with PostgreSQL's parser before its window: loaded while the run connects. */
function warmLint(target: Target): void {
	if (target.engine === 'postgres') {
		// A failure here is the lint's to report, when it loads the parser again.
		import('../lint/postgres-parser.js').then(parser => {
			parser.warmPostgresParser();
		}).catch(() => {});
	}
}

/** Takes the run lock, opens the connections and the journal in its place in the chain, and drives the run. */
async function startRun(options: RunOptions, target: Target, runbook: Runbook, signingKey: SigningKey | null): Promise<RunResult> {
	const identity = newRunIdentity(options.settings, guessDatabaseName(target), systemClock.now());
	const runLock = await takeRunLock(target, identity, systemClock.now());
	let connections: Connections;
	let journal: Journal;
	let place: Awaited<ReturnType<typeof takeChainPlace>>;
	try {
		connections = await openConnections(target, options.migrationsDir, runbook.upgrade, options.format ?? null);
		try {
			place = await takeChainPlace(options.settings.recordsDir);
			try {
				journal = openJournal(identity, target);
			} catch (error) {
				place.release();
				throw error;
			}
		} catch (error) {
			await connections.close();
			throw error;
		}
	} catch (error) {
		await runLock.release();
		throw error;
	}

	const {previousRecord} = place;
	const session = createSession(journal, systemClock);
	// The next run may name this record once its first line (run.started) is written.
	const placed = session.subscribe(() => {
		placed();
		place.release();
	});
	const sealer = attachSealer(session, {journalPath: journal.path, key: signingKey});
	return driveRun({
		session,
		sealer,
		journal,
		connections,
		runLock,
		target,
		runbook,
		plain: options.plain,
		json: options.json === true,
		answers: {yes: options.yes, confirmDb: options.confirmDb, overrides: options.overrides, onFailure: options.onFailure, atEnd: options.atEnd, dropInvalidIndex: options.dropInvalidIndex, observe: options.observe ?? 'wait', acknowledgeLint: options.acknowledgeLint ?? []},
		backupsDir: options.settings.backupsDir,
		runId: identity.runId,
		appliedBy: `${identity.operator.name} (${identity.operator.osUser}@${identity.host})`,
	}, deps => runFlow(deps, {
		start: {
			runId: identity.runId,
			toolVersion,
			operator: identity.operator,
			host: identity.host,
			target: target.display,
			checklist: {name: runbook.name, path: runbook.path, sha256: runbook.sha256},
			migrationsDir: options.migrationsDir,
			to: options.to,
			mode: options.plain ? 'plain' as const : 'console' as const,
			previousRecord,
			signer: signingKey === null ? null : signerOf(signingKey),
		},
		to: options.to,
		window: {startsAt: options.windowStart, expectedMinutes: options.windowMinutes},
		pastDurations: pending => pastDurations(options.settings.recordsDir, pending),
		// Imported when a run plans migrations: the parser is not loaded before that.
		lint: async (pending, live) => (await import('../lint/run-lint.js')).lintForRun(options.migrationsDir, target.engine, options.format ?? null, pending, live),
		...withTracer(lockTracer(target, {enabled: options.traceLocks !== false, directory: options.migrationsDir, format: options.format ?? null, application: 'cutover run (lock trace)'})),
		...(options.adoptCommands === undefined ? {} : {adoptCommands: options.adoptCommands}),
	})).finally(() => {
		placed();
		place.release();
	});
}

/** The key that signs a new run's record; one made here comes with a line saying where it is and its fingerprint. */
function signingKeyFor(file: string): {key: SigningKey; notice: string | null} {
	const {key, created} = ensureSigningKey(file);
	return {
		key,
		notice: created ? `cutover: made a signing key at ${file} (Ed25519, mode 0600), key id ${key.keyId}; records are signed with it (cutover key export gives its public key)\n` : null,
	};
}

/** Everything a run needs that `cutover run` and `cutover resume` build the same way. */
export type DriveOptions = {
	session: Session;
	journal: Journal;
	connections: Connections;
	/** Released when the run ends, after its connections are closed. */
	runLock: RunLockHandle;
	target: Target;
	runbook: Runbook;
	plain: boolean;
	/** With plain: each event as a JSON line (formatJsonLine) rather than formatPlainLine. */
	json?: boolean;
	answers: PlainAnswers;
	backupsDir: string;
	runId: string;
	appliedBy: string;
	/** The record's sealer: a checkpoint that cannot be written (the disk is full) stops the run too. */
	sealer?: Pick<Sealer, 'onError'>;
	/**
	 * A run over several databases: each with its own connections, lock, target and runbook, its
	 * events in the run's one record under its name. The first one's are also the options' own.
	 */
	databases?: Array<{name: string; connections: Connections; runLock: RunLockHandle; target: Target; runbook: Runbook; answers: PlainAnswers}>;
};

/** Each database's deps in a run over several (empty in a run over one). */
export type NamedDeps = Array<{name: string; deps: RunDeps}>;

/**
 * Runs a flow on a session, in the console or in plain lines, and survives the terminal: a
 * hang-up or terminate stops the run at its next safe point, resumable (nothing is abandoned);
 * the console's own quit (q, Ctrl-C, asked first) abandons it. Closes connections and journal.
 */
export async function driveRun(options: DriveOptions, flow: (deps: RunDeps, databases: NamedDeps) => Promise<FlowResult>): Promise<RunResult> {
	const {session, journal, connections} = options;
	const abort = new AbortController();
	const leave = (reason: string) => {
		if (!abort.signal.aborted && session.state.outcome === null) {
			session.emit({type: 'operator.abandoned', reason});
			abort.abort();
		}
	};

	// One set of deps per database: a run over one has just its own, on the run's session.
	const legs = options.databases === undefined
		? [{name: null, session, connections, runLock: options.runLock, target: options.target, runbook: options.runbook, answers: options.answers}]
		: options.databases.map(d => ({...d, session: databaseSession(session, d.name)}));
	const opened: OpenedLeg[] = [];
	// Resolved when the flow first waits for the operator, at any gate (see the console's mount below).
	let asking = () => {};
	const asked = new Promise<void>(resolve => {
		asking = resolve;
	});
	try {
		for (const leg of legs) {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			opened.push(await openLeg(leg, {...options, recordsDir: path.dirname(journal.path)}, abort, () => {
				asking();
			}));
		}
	} catch (error) {
		// What was opened is closed, and what was not yet is released too: nothing is left holding a database.
		await Promise.allSettled([
			...opened.map(async o => o.stop()),
			...legs.slice(opened.length).map(async leg => leg.connections.close()),
		]);
		journal.close();
		await Promise.allSettled(legs.map(async leg => leg.runLock.release()));
		throw error;
	}

	const deps = opened[0]!.deps;
	const named = opened.flatMap(o => o.name === null ? [] : [{name: o.name, deps: o.deps}]);

	// A record that takes no more lines stops the run at its next safe point; the stop itself cannot be journaled.
	const onFault = (fault: {code: string | null; message: string}) => {
		if (!abort.signal.aborted) {
			abort.abort(new Interruption(fault.code ?? 'EIO', fault.message));
		}
	};

	const offFault = session.onFault(onFault);
	if (session.fault !== null) {
		onFault(session.fault);
	}

	// A checkpoint lost to a full disk: the journal may still take the stop, which then waits for a resume to be sealed.
	let sealFault: RecordWriteError | null = null;
	const offSeal = options.sealer?.onError(error => {
		// After run.finished there is nothing left to stop: the journal is whole, only its last seal is missing (said on stderr).
		if (error instanceof RecordWriteError && session.state.outcome === null) {
			sealFault = error;
			onFault(error);
		}
	}) ?? (() => {});

	const result = (outcome: FlowResult): RunResult => {
		const fault = session.fault ?? sealFault;
		return withReason(fault === null ? {outcome, recordPath: journal.path} : {outcome: 'interrupted', recordPath: journal.path, fault}, session);
	};

	// The journal is the record, not the terminal: a dead terminal (EIO) or a closed pipe (EPIPE) must not stop a run halfway.
	watchOutput();
	let view: ConsoleHandle | null = null;
	const interrupt = (signal: NodeJS.Signals) => {
		if (signal === 'SIGHUP' && process.stdout.isTTY) {
			// The terminal is gone: drawing on it fails with EIO or EPIPE, which must not kill the run before the journal is safe.
			terminalGone();
			try {
				view?.unmount();
			} catch {
				// Ink restoring a terminal that no longer exists; the run goes on without it.
			}

			view = null;
		}

		if (!abort.signal.aborted && session.state.outcome === null) {
			abort.abort(new Interruption(signal));
		}
	};

	// In the console Ctrl-C is a key (asked first); in plain mode it is the operator's way to stop.
	const onInterrupt = (signal: NodeJS.Signals) => interrupt(signal);
	const onQuitSignal = () => leave('received SIGINT; stopping at the next safe point');
	const stops = ['SIGTERM', 'SIGHUP'] as const;
	for (const signal of stops) {
		process.on(signal, onInterrupt);
	}

	// In the console Ctrl-C arrives as a key, not a signal; a SIGINT sent from outside is a stop like SIGTERM.
	process.on('SIGINT', options.plain ? onQuitSignal : onInterrupt);


	try {
		// A resumed run whose window was confirmed before the stop describes itself at once.
		for (const leg of opened) {
			if (leg.deps.session.state.window?.confirmedName != null) {
				// eslint-disable-next-line no-await-in-loop -- one after the other
				await leg.runLock.windowConfirmed();
			}
		}

		if (options.plain) {
			const secrets = legs.flatMap(leg => secretsOf(leg.target));
			const line = options.json === true ? (entry: Entry) => formatJsonLine(entry, secrets) : formatPlainLine;
			const off = session.subscribe((_, entry) => write(`${line(entry)}\n`));
			try {
				return result(await flow(deps, named));
			} finally {
				off();
			}
		}

		// The flow reads the target (fingerprint, plan, lint, preflight) while Ink loads: its waits on
		// the database and on pg_dump overlap the compile, and the console mounts on what is known by then.
		const flowing = flow(deps, named);
		// Awaited once the console is up; a rejection meanwhile (a bug) is not an unhandled one that ends the process.
		flowing.catch(() => {});
		// After the console's first frame, the next one is the first the operator can act on: drawn
		// when the flow first waits for an answer (the window screen, read, fingerprinted and
		// preflighted) or ends, not one per burst of events before it (each a render of the whole
		// tree, tens of ms of the window screen). A slow target is drawn at work after a moment all the same.
		let shownAnyway: NodeJS.Timeout | undefined;
		const ready = Promise.race([asked.then(() => true), flowing.then(() => true, () => true), new Promise<boolean>(resolve => {
			shownAnyway = setTimeout(() => {
				resolve(false);
			}, REDRAW_AT_THE_LATEST_MS);
		})]).finally(() => {
			clearTimeout(shownAnyway);
		});
		let mountConsole: Awaited<ReturnType<typeof loadConsole>>['mountConsole'];
		try {
			({mountConsole} = await loadConsole());
		} catch (error) {
			// No console to answer the gates: the flow ends at its next one, and the record says so.
			leave('the console could not be loaded');
			await flowing.catch(() => {});
			throw error;
		}

		clearEarlyFrame({beforeInk: true});
		// Over several databases, each is drawn as it is read, as before: the screens mounted on the way
		// (the active database changes while both are read) decide where the keys start on the window.
		const mounted = mountConsole(session, {recordPath: journal.path, onQuit: () => leave('the operator left the console'), ...(legs.length === 1 ? {holdUntil: ready} : {})});
		view = mounted;
		try {
			const outcome = await flowing;
			// The summary stays up until the operator leaves it, unless the run was stopped (quit, hang-up).
			if (!abort.signal.aborted) {
				await mounted.closed;
			}

			return result(outcome);
		} finally {
			view?.unmount();
			view = null;
			// Ink leaves the cursor at the end of the last frame.
			write('\n');
		}
	} finally {
		offFault();
		offSeal();
		for (const signal of stops) {
			process.off(signal, onInterrupt);
		}

		process.off('SIGINT', onQuitSignal);
		process.off('SIGINT', onInterrupt);
		await Promise.allSettled(opened.map(async o => o.stop()));
		journal.close();
		await Promise.allSettled(opened.map(async o => o.runLock.release()));
	}
}

type LegInput = {name: string | null; session: Session; connections: Connections; runLock: RunLockHandle; target: Target; runbook: Runbook; answers: PlainAnswers};
/** stop() closes what the database's run holds but its run lock, which is released last, after the journal is closed. */
type OpenedLeg = {name: string | null; deps: RunDeps; runLock: RunLockHandle; stop(): Promise<void>};

/**
 * What one database of a run needs: its lock watch and session monitor (PostgreSQL), its backup
 * tool, its decider, its lost-lock watch; stop() closes them, its connections, and releases its lock.
 */
async function openLeg(leg: LegInput, options: DriveOptions & {recordsDir: string}, abort: AbortController, asking: () => void): Promise<OpenedLeg> {
	const {session} = leg;
	// A lost run lock means another run could take the database: stop at the next safe point, resumable.
	const offLost = leg.runLock.onLost(loss => {
		if (session.state.outcome !== null) {
			return;
		}

		session.emit({type: 'run-lock.lost', detail: loss.detail});
		if (!abort.signal.aborted) {
			abort.abort(new Interruption('the lost run lock', `the run lock was lost (${loss.detail})`));
		}
	});

	// Only PostgreSQL can say who waits behind whom (imported only then: a SQLite run never loads pg).
	const postgres = leg.target.engine === 'postgres' ? leg.target : null;
	const sampler = postgres === null ? null : (await import('../adapters/postgres/lock-sampler.js')).createPostgresLockSampler(postgres);
	const lockWatch = sampler === null ? null : watchLocksDuringUpgrade(session, sampler);
	// The operator's cancel/terminate of a session seen in that watch; the monitor connects on the first one.
	const monitor = postgres === null ? null : (await import('../adapters/postgres/activity-monitor.js')).createPostgresActivityMonitor(postgres);
	const backendActions = monitor === null ? null : handleBackendActions(session, monitor);
	// The sampler connects again on its next sample; the monitor is only needed during the upgrade, before any restore.
	const idle = [sampler, monitor].filter(other => other !== null);
	const stop = async () => {
		offLost();
		await lockWatch?.stop();
		await backendActions?.stop();
		await monitor?.close();
		await leg.connections.close();
	};

	try {
		const deps: RunDeps = {
			session,
			connections: withRunSessions(leg.connections, {runLock: leg.runLock, idle}),
			backupTool: await createBackupTool(leg.target, journalCommands(session), leg.runbook.backup),
			runner: shellRunner,
			probes: localProbes(),
			decider: describingHolder(options.plain ? plainDecider(leg.answers) : heard(consoleDecider, asking), leg.runLock),
			clock: systemClock,
			runbook: leg.runbook,
			backupsDir: options.backupsDir,
			recordsDir: options.recordsDir,
			directories: localDirectories,
			runId: options.runId,
			appliedBy: options.appliedBy,
			// The observation period reads the watch's header figures through the same monitor.
			figures: monitor === null ? null : figureReader(monitor),
			signal: abort.signal,
		};
		return {name: leg.name, deps, runLock: leg.runLock, stop};
	} catch (error) {
		await stop();
		throw error;
	}
}

function withReason(result: RunResult, session: Session): RunResult {
	const lost = session.state.lockLost;
	return result.outcome === 'interrupted' && lost !== null ? {...result, stoppedBecause: `the run lock was lost: ${lost.detail}`} : result;
}

/** The console's decider, telling `asking` each time the flow waits for an answer. */
function heard(decider: Decider, asking: () => void): Decider {
	return {
		async confirmWindow(session) {
			asking();
			return decider.confirmWindow(session);
		},
		async proceedToUpgrade(session) {
			asking();
			return decider.proceedToUpgrade(session);
		},
		async chooseRollback(session, failed) {
			asking();
			return decider.chooseRollback(session, failed);
		},
		async dropInvalidIndexes(session, name, indexes) {
			asking();
			return decider.dropInvalidIndexes(session, name, indexes);
		},
		async observationDecision(session) {
			asking();
			return decider.observationDecision(session);
		},
	};
}

/** Nothing is written to the target before the window is confirmed, the run lock's holder included: it is described right after. */
function describingHolder(decider: Decider, runLock: RunLockHandle): Decider {
	return {
		...decider,
		async confirmWindow(session) {
			const confirmed = await decider.confirmWindow(session);
			if (confirmed) {
				await runLock.windowConfirmed();
			}

			return confirmed;
		},
	};
}

/** Writes to stdout unless the terminal is gone. */
function write(text: string) {
	if (!hungUp) {
		process.stdout.write(text);
	}
}

let hungUp = false;

/** From a hang-up on, nothing is written to the dead terminal. */
function terminalGone() {
	hungUp = true;
}

let watching = false;

/** A write that fails (the terminal or pipe is gone) means the terminal is gone, never that the run is. */
function watchOutput() {
	if (watching) {
		return;
	}

	watching = true;
	const gone = () => terminalGone();
	process.stdout.on('error', gone);
	process.stderr.on('error', gone);
	process.stdin.on('error', gone);
}

/** True once the terminal hung up: the caller should not print its report to it. */
export const terminalHungUp = () => hungUp;

/** A file of health checks alone would run the upgrade without a window's plan or a single gate. */
export function forRun<T extends {forRun?: boolean; path: string}>(runbook: T): T {
	if (runbook.forRun === false) {
		throw new CutoverError(`${runbook.path} holds health checks only (for cutover health), not a runbook: a run needs its window and its checks`, {
			hint: 'pass the runbook with --checklist (checklists/production.yaml, for example); cutover health --checklist takes this file',
		});
	}

	return runbook;
}
