import {loadChecklist} from '../checklist/index.js';
import type {RunOutcome} from '../engine/events.js';
import type {RollbackChoice} from '../engine/model.js';
import {createBackupTool} from '../adapters/open-target.js';
import {shellRunner} from '../adapters/shell-runner.js';
import type {Settings} from '../adapters/settings.js';
import {systemClock} from '../adapters/system-clock.js';
import {consoleDecider, plainDecider} from '../run/decider.js';
import {runFlow} from '../run/flow.js';
import {createSession} from '../run/session.js';
import {parseTarget} from '../target.js';
import {toolVersion} from '../package-root.js';
import {CutoverError} from '../errors/index.js';
import {guessDatabaseName, newRunIdentity, openConnections, openJournal} from './open-run.js';
import {formatPlainLine} from './plain-output.js';

export type RunOptions = {
	db: string;
	migrationsDir: string;
	checklistPath: string;
	to: string | null;
	plain: boolean;
	yes: boolean;
	confirmDb: string | null;
	overrides: Map<string, string>;
	onFailure: RollbackChoice | null;
	atEnd: RollbackChoice;
	windowStart: number | null;
	windowMinutes: number | null;
	settings: Settings;
	/** The non-interactive form of this very command, given the database name. */
	plainHint: (databaseName: string) => string;
};

export type RunResult = {outcome: RunOutcome; recordPath: string};

const interactiveTerminal = () => Boolean(process.stdin.isTTY && process.stdout.isTTY);

export async function runGuided(options: RunOptions): Promise<RunResult> {
	const target = parseTarget(options.db);
	const runbook = await loadChecklist(options.checklistPath);
	if (!options.plain && !interactiveTerminal()) {
		throw new CutoverError('the console needs a terminal, and this is not one (a pipe, CI or nohup)', {
			hint: `run the same flow without the console: ${options.plainHint(guessDatabaseName(target))} (it stops at every gate no flag opens)`,
		});
	}

	const connections = await openConnections(target, options.migrationsDir);
	const identity = newRunIdentity(options.settings, guessDatabaseName(target), systemClock.now());
	const journal = openJournal(identity, target);
	const session = createSession(journal, systemClock);
	const abort = new AbortController();
	const leave = (reason: string) => {
		if (!abort.signal.aborted && session.state.outcome === null) {
			session.emit({type: 'operator.abandoned', reason});
			abort.abort();
		}
	};

	const signals = ['SIGTERM', 'SIGHUP', ...(options.plain ? ['SIGINT'] as const : [])] as const;
	const onSignal = (signal: NodeJS.Signals) => leave(`received ${signal}; stopping at the next safe point`);
	for (const signal of signals) {
		process.on(signal, onSignal);
	}

	const flowDeps = {
		session,
		connections,
		backupTool: createBackupTool(target),
		runner: shellRunner,
		decider: options.plain
			? plainDecider({yes: options.yes, confirmDb: options.confirmDb, overrides: options.overrides, onFailure: options.onFailure, atEnd: options.atEnd})
			: consoleDecider,
		clock: systemClock,
		runbook,
		backupsDir: options.settings.backupsDir,
		runId: identity.runId,
		appliedBy: `${identity.operator.name} (${identity.operator.osUser}@${identity.host})`,
		signal: abort.signal,
	};
	const flowOptions = {
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
			previousRecord: null,
		},
		to: options.to,
		window: {startsAt: options.windowStart, expectedMinutes: options.windowMinutes},
	};

	try {
		if (options.plain) {
			const off = session.subscribe((_, entry) => process.stdout.write(`${formatPlainLine(entry)}\n`));
			try {
				return {outcome: await runFlow(flowDeps, flowOptions), recordPath: journal.path};
			} finally {
				off();
			}
		}

		// Ink draws only the final frame when CI is set; here we know there is a terminal and an operator at it.
		process.env['CI'] = '0';
		process.env['CONTINUOUS_INTEGRATION'] = '0';
		const {mountConsole} = await import('./console.js');
		const view = mountConsole(session, {recordPath: journal.path, onQuit: () => leave('the operator left the console')});
		try {
			const outcome = await runFlow(flowDeps, flowOptions);
			// The summary stays up until the operator leaves it, unless the run was stopped (quit, hang-up).
			if (!abort.signal.aborted) {
				await view.closed;
			}

			return {outcome, recordPath: journal.path};
		} finally {
			view.unmount();
			// Ink leaves the cursor at the end of the last frame.
			process.stdout.write('\n');
		}
	} finally {
		for (const signal of signals) {
			process.off(signal, onSignal);
		}

		await connections.close();
		journal.close();
	}
}
