import type {Entry, RunEvent, StepId} from './events.js';
import {folderNote} from './folder-note.js';
import {isSatisfied} from './judge.js';
import type {MigrationInfo} from './model.js';
import {copyState, initialState, type MigrationRow, type RunState, type StatementRun, type StepStatus} from './state.js';

const TAIL_LINES = 5;

/**
 * The whole run as a fold over its journal: `entries.reduce(reduce, initialState())`.
 * Pure and total: an event that does not fit the state is kept as an error, never thrown,
 * so that a damaged record still replays as far as it goes.
 */
export function reduce(state: RunState, entry: Entry): RunState {
	const applied = apply(state, entry.event, entry.at, entry.seq);
	// apply gives back `state` itself or an object it has just built from it (every case copies
	// `state`), so only the former is copied to move the clock: one copy of the state an event, not
	// two, which was most of what replaying a long record cost.
	const next = applied === state ? copyState(state) : applied;
	next.now = entry.at;
	next.lastSeq = entry.seq;
	return entry.event.type.startsWith('operator.')
		? {...next, decisions: [...next.decisions, {seq: entry.seq, at: entry.at, summary: describeDecision(entry.event)}]}
		: next;
}

/** The state after `event`, the line at `seq`, at time `at`: `state` itself when it changes nothing, else a new object. */
function apply(state: RunState, event: RunEvent, at: number, seq: number): RunState {
	switch (event.type) {
		case 'run.started': {
			return enter({
				...state,
				runId: event.runId,
				toolVersion: event.toolVersion,
				operator: event.operator,
				host: event.host,
				target: event.target,
				checklist: event.checklist,
				migrationsDir: event.migrationsDir,
				mode: event.mode,
				to: event.to,
				previousRecord: event.previousRecord,
				startedAt: at,
				...(event.databases === undefined ? {} : {databases: event.databases.map(leg => ({...leg, state: initialState()}))}),
			}, 'window', at);
		}

		case 'target.fingerprinted': {
			return {...state, fingerprint: event.fingerprint};
		}

		case 'migrations.planned': {
			return {
				...state,
				plan: {applied: event.applied, pending: event.pending, ...folderNote(event), ...(event.adoption === undefined ? {} : {adoption: event.adoption})},
				versionBefore: state.versionBefore ?? event.applied.at(-1)?.name ?? null,
				migrations: event.pending.map(m => withPlan(pendingRow(m.name, m.reversible, 'up'), m)),
			};
		}

		case 'window.planned': {
			return {
				...state,
				window: {startsAt: event.startsAt, expectedMinutes: event.expectedMinutes, prep: event.prep, ticked: [], hooks: event.hooks, confirmedName: null, checks: event.checks ?? null},
			};
		}

		case 'operator.prep-ticked': {
			if (!state.window) {
				return state;
			}

			const ticked = state.window.ticked.filter(id => id !== event.itemId);
			return {...state, window: {...state.window, ticked: event.ticked ? [...ticked, event.itemId] : ticked}};
		}

		case 'operator.window-confirmed': {
			const withName = state.window ? {...state, window: {...state.window, confirmedName: event.typedName}} : state;
			return finish(withName, 'window', 'passed', at);
		}

		case 'command.started': {
			return {...state, commands: [...state.commands, {id: event.id, purpose: event.purpose, command: event.command, tail: [], lines: 0, exitCode: null, durationMs: null}]};
		}

		case 'command.output': {
			return withField(state, 'commands', state.commands.map(c => c.id === event.id ? {...c, tail: [...c.tail, event.line].slice(-TAIL_LINES), lines: c.lines + 1} : c));
		}

		case 'command.finished': {
			return {...state, commands: state.commands.map(c => c.id === event.id ? {...c, exitCode: event.exitCode, durationMs: event.durationMs} : c)};
		}

		case 'backup.started': {
			return enter({...state, backup: {path: event.path, method: event.method, startedAt: at, progress: null, artifact: null, error: null, durationMs: null}}, 'backup', at);
		}

		case 'backup.progress': {
			return state.backup ? withField(state, 'backup', {...state.backup, progress: event.progress}) : state;
		}

		case 'backup.finished': {
			const backup = state.backup ? {...state.backup, artifact: event.artifact, durationMs: event.durationMs, progress: state.backup.progress ?? {bytes: event.artifact.bytes}} : null;
			return enter(finish({...state, backup}, 'backup', 'passed', at), 'verify', at);
		}

		case 'backup.failed': {
			const backup = state.backup ? {...state.backup, error: event.error} : null;
			return finish({...state, backup}, 'backup', 'failed', at);
		}

		case 'verify.finished': {
			const verified = finish({...state, verification: event.verification}, 'verify', event.verification.ok ? 'passed' : 'failed', at);
			return event.verification.ok ? enter(verified, 'pre', at) : verified;
		}

		case 'check.finished': {
			const phase: StepId = event.result.phase;
			const checks = [...state.checks.filter(c => !(c.id === event.result.id && c.phase === event.result.phase)), event.result];
			const done = state.runningCheck?.id === event.result.id && state.runningCheck.phase === event.result.phase;
			return enter({...state, checks, runningCheck: done ? null : state.runningCheck}, phase, at);
		}

		case 'baseline.captured': {
			return {...state, baseline: event.counts};
		}

		case 'snapshot.taken': {
			return {...state, snapshots: {...state.snapshots, [event.phase]: event.snapshot}};
		}

		case 'operator.override': {
			return {...state, overrides: [...state.overrides.filter(o => o.checkId !== event.checkId), {checkId: event.checkId, reason: event.reason, at}]};
		}

		case 'operator.proceed': {
			// Warnings do not fail the step; a blocking failure does, even when overridden, so the summary keeps it visible.
			const failing = state.checks.some(c => c.phase === 'pre' && c.blocking && !isSatisfied(c.verdict));
			return finish(state, 'pre', failing ? 'failed' : 'passed', at);
		}

		case 'upgrade.started': {
			const known = new Map(state.migrations.map(m => [m.name, m]));
			const migrations = event.names.map(name => known.get(name) ?? withPlan(pendingRow(name, false, 'up'), state.plan?.pending.find(m => m.name === name)));
			return enter({...state, migrations}, 'upgrade', at);
		}

		case 'migration.started': {
			// A resumed migration outside a transaction keeps its finished statements: they committed.
			return upsertMigration(state, event.name, event.direction, row => ({
				...row, status: 'running', attempt: row.attempt + 1, retry: null, startedAt: at, error: null, statement: null,
				...(row.noTransaction ? {noTransaction: {...row.noTransaction, running: null, tookEffect: null}} : {}),
			}));
		}

		case 'migration.finished': {
			return upsertMigration(state, event.name, event.direction, row => ({...row, status: 'done', retry: null, durationMs: event.durationMs}));
		}

		case 'migration.retrying': {
			return upsertMigration(state, event.name, 'up', row => ({
				...row, retry: {attempt: event.attempt, maxAttempts: event.maxAttempts, waitMs: event.waitMs, error: event.error},
			}));
		}

		case 'watch.sampled': {
			return withField(state, 'lockSample', {...event.sample, at});
		}

		case 'operator.backend-action': {
			const by = state.resumes.at(-1)?.operator ?? state.operator;
			const action = {seq: seq, at, action: event.action, pid: event.pid, query: event.query, user: event.user, by, result: null};
			return {...state, backendActions: [...state.backendActions, action]};
		}

		case 'backend-action.finished': {
			// The answer belongs to the latest unanswered request for the same pid and action; one without a request changes nothing.
			const index = state.backendActions.findLastIndex(a => a.pid === event.pid && a.action === event.action && a.result === null);
			return index === -1 ? state : {
				...state,
				backendActions: state.backendActions.map((a, i) => i === index ? {...a, result: {ok: event.ok, detail: event.detail, at}} : a),
			};
		}

		case 'run.interrupted': {
			return {...state, interrupted: {signal: event.signal, step: event.step, detail: event.detail, at}};
		}

		case 'run.resumed': {
			// A trace the stop cut short measures nothing any more: the resume traces again or goes without.
			const lockImpact = state.lockImpact?.status === 'measuring' ? null : state.lockImpact;
			return {...state, interrupted: null, runningCheck: null, lockImpact, resumes: [...state.resumes, {at, operator: event.operator, host: event.host, reconciliation: event.reconciliation}]};
		}

		case 'migration.failed': {
			const failed = upsertMigration(state, event.name, event.direction, row => ({
				...row, status: 'failed', durationMs: event.durationMs, error: event.error, statement: event.statement,
				...(event.tookEffect === undefined ? {} : {noTransaction: {...statementRun(row, event.tookEffect.total), running: null, finished: event.tookEffect.statements, tookEffect: event.tookEffect.statements}}),
			}));
			return {...failed, errors: [...failed.errors, {step: failed.step, message: `${event.name}: ${event.error}`, at}]};
		}

		case 'upgrade.finished': {
			const done = finish(state, 'upgrade', event.ok ? 'passed' : 'failed', at);
			return event.ok ? enter(done, 'post', at) : done;
		}

		case 'post.compared': {
			const compared = {...state, post: {after: event.after, diff: event.diff}};
			const failing = state.checks.some(c => c.phase === 'post' && c.blocking && !isSatisfied(c.verdict));
			return finish(compared, 'post', failing ? 'failed' : 'passed', at);
		}

		case 'rollback.offered': {
			return enter({...state, rollback: {reason: event.reason, options: event.options, choice: null, result: null}}, 'rollback', at);
		}

		case 'operator.rollback-chosen': {
			return state.rollback ? {...state, rollback: {...state.rollback, choice: event.choice}} : state;
		}

		case 'rollback.finished': {
			const rollback = state.rollback
				? {...state.rollback, choice: event.choice, result: {ok: event.ok, detail: event.detail, durationMs: event.durationMs}}
				: null;
			const status: StepStatus = event.choice === 'keep' ? 'skipped' : (event.ok ? 'passed' : 'failed');
			return finish({...state, rollback}, 'rollback', status, at);
		}

		case 'error': {
			return finish({...state, errors: [...state.errors, {step: event.step, message: event.message, at}]}, event.step, 'failed', at);
		}

		case 'operator.abandoned': {
			return finish(state, state.step, 'failed', at);
		}

		case 'adoption.planned': {
			return {...state, adoption: {action: event.action, tool: event.tool, to: event.to, rows: event.rows, problems: event.problems, notes: event.notes, confirmedName: null, written: null}};
		}

		case 'operator.adoption-confirmed': {
			return state.adoption === null ? state : {...state, adoption: {...state.adoption, confirmedName: event.typedName}};
		}

		case 'adoption.written': {
			return state.adoption === null ? state : {...state, adoption: {...state.adoption, written: event.names}};
		}

		case 'run.finished': {
			const closed = enter({
				...state,
				outcome: event.outcome,
				versionBefore: event.versionBefore,
				versionAfter: event.versionAfter,
				versionAfterUnknown: event.versionAfterUnknown ?? null,
				finishedAt: at,
			}, 'summary', at);
			return finish(closed, 'summary', 'passed', at);
		}

		// The target is another database from here on: what a later resume must find.
		case 'database.replaced': {
			return {...state, replacedDatabase: {database: event.database, keptAs: event.keptAs, previousOid: event.previousOid, oid: event.oid, at}};
		}

		// The checks before the window; the window gate reads them.
		case 'preflight.finished': {
			return {...state, preflight: event.items};
		}

		// Maintenance mode kept on at the end of a run that left the schema mid-change.
		case 'maintenance.left-on': {
			return {...state, maintenanceLeftOn: event.reason};
		}

		// A check's statement is running: the checks screen shows it, with Esc to stop it.
		case 'check.started': {
			return enter({...state, runningCheck: {id: event.id, phase: event.phase, title: event.title, sql: event.sql, startedAt: at, timeoutMs: event.timeoutMs, cancelRequested: false}}, event.phase, at);
		}

		// The operator asked to stop the running check; its check.finished says how it ended.
		case 'operator.check-cancelled': {
			const running = state.runningCheck;
			return running?.id === event.id && running.phase === event.phase ? {...state, runningCheck: {...running, cancelRequested: true}} : state;
		}

		// The lock is lost: the screens say so until a resume retakes it.
		case 'run-lock.lost': {
			return {...state, lockLost: {detail: event.detail, at}};
		}

		// A resume holds the lock again.
		case 'run-lock.retaken': {
			return {...state, lockLost: null};
		}

		// What earlier runs took for the same migrations: only for estimates, never for a gate.
		case 'migrations.history': {
			return {...state, history: event.expected};
		}

		// A statement of a migration outside a transaction is running: the upgrade screen shows "statement k of n".
		case 'migration.statement-started': {
			return upsertMigration(state, event.name, event.direction, row => ({
				...row, statement: event.statement, noTransaction: {...statementRun(row, event.total), running: event.index},
			}));
		}

		// It committed: the journal is what a resume reads to go on after it.
		case 'migration.statement-finished': {
			return upsertMigration(state, event.name, event.direction, row => {
				const run = statementRun(row, event.total);
				return {...row, noTransaction: {...run, running: null, finished: Math.max(run.finished, event.index)}};
			});
		}

		case 'invalid-index.found': {
			return {...state, invalidIndexes: {name: event.name, indexes: event.indexes, drop: null, dropped: []}};
		}

		case 'operator.invalid-index-drop': {
			const found = state.invalidIndexes;
			return found?.name === event.name ? {...state, invalidIndexes: {...found, drop: event.drop}} : state;
		}

		case 'invalid-index.dropped': {
			const found = state.invalidIndexes;
			return found?.name === event.name
				? {...state, invalidIndexes: {...found, dropped: [...found.dropped, {index: event.index, ok: event.ok, detail: event.detail}]}}
				: state;
		}

		// The observation period: the post screen shows its time, its figures and every breach.
		case 'observation.started': {
			const prior = state.observation;
			return {
				...state,
				observation: {
					durationMs: event.durationMs,
					everyMs: event.everyMs,
					startedAt: at,
					endsAt: event.endsAt,
					thresholds: event.thresholds,
					thresholdsFrom: event.thresholdsFrom,
					figures: prior?.figures ?? [],
					error: prior?.error ?? null,
					sampledAt: prior?.sampledAt ?? null,
					breaches: prior?.breaches ?? [],
					requested: null,
					observedMs: prior?.observedMs ?? 0,
					finished: null,
				},
			};
		}

		case 'observation.sample': {
			const observation = state.observation;
			return observation === null ? state : withField(state, 'observation', {...observation, figures: event.figures, error: event.error ?? null, sampledAt: at});
		}

		case 'observation.breach': {
			const observation = state.observation;
			if (observation === null) {
				return state;
			}

			const figures = [...observation.figures.filter(f => f.name !== event.figure.name), event.figure];
			return {...state, observation: {...observation, figures, breaches: [...observation.breaches, {...event.figure, at, previous: event.previous}]}};
		}

		case 'operator.observation-ended':
		case 'operator.observation-rollback': {
			const observation = state.observation;
			return observation === null || observation.finished !== null
				? state
				: {...state, observation: {...observation, requested: event.type === 'operator.observation-ended' ? 'ended-early' : 'rollback'}};
		}

		case 'observation.finished': {
			const observation = state.observation;
			return observation === null ? state : {
				...state,
				observation: {...observation, requested: null, observedMs: observation.observedMs + event.observedMs, finished: {reason: event.reason, at}},
			};
		}

		case 'database.event': {
			// One database's own fold; a name the run did not announce gets its state too, so a damaged record still replays.
			const databases = state.databases ?? [];
			const known = databases.find(d => d.name === event.database);
			const leg = known ?? {name: event.database, target: '', migrationsDir: '', state: initialState()};
			const inner = reduce(leg.state, {seq: seq, at, event: event.event});
			const updated = {...leg, state: inner};
			return {
				...state,
				databases: known === undefined ? [...databases, updated] : databases.map(d => d === known ? updated : d),
				// A lock trace runs beside the flow: its result does not take the screen from the database being worked on.
				activeDatabase: event.event.type.startsWith('lock-impact.') && state.activeDatabase !== null ? state.activeDatabase : event.database,
			};
		}

		case 'databases.versions': {
			return {...state, versions: {versions: event.versions, consistent: event.consistent, problems: event.problems, at}};
		}

		case 'lint.findings': {
			return {...state, lint: {findings: event.findings, failure: event.failure, acknowledged: state.lint?.acknowledged ?? []}};
		}

		case 'operator.lint-acknowledged': {
			const lint = state.lint;
			return lint === null ? state : {...state, lint: {...lint, acknowledged: [...lint.acknowledged, {rule: event.rule, file: event.file, line: event.line}]}};
		}

		// The upgrade screen shows the backfill's latest report under its migration's row.
		case 'migration.backfill-progress': {
			const {type: _type, name, direction, ...progress} = event;
			return upsertMigration(state, name, direction, row => ({...row, backfill: {...progress, at}}));
		}

		case 'lock-impact.started': {
			return {...state, lockImpact: {status: 'measuring'}};
		}

		case 'lock-impact.traced': {
			return {...state, lockImpact: {status: 'traced', report: event.report, left: event.left}};
		}

		case 'lock-impact.failed': {
			return {...state, lockImpact: {status: 'failed', reason: event.reason}};
		}

		// A kind this cutover does not know: kept, so readers report it, and otherwise left alone.
		default: {
			const unknown: never = event;
			const kind = String((unknown as {type?: unknown}).type);
			return {...state, unknownEvents: [...state.unknownEvents, {seq: seq, kind}]};
		}
	}
}

function enter(state: RunState, step: StepId, at: number): RunState {
	const current = state.steps[step];
	const steps = current.status === 'waiting'
		? {...state.steps, [step]: {status: 'running', startedAt: at, finishedAt: null}}
		: state.steps;
	return {...state, step, steps};
}

function finish(state: RunState, step: StepId, status: StepStatus, at: number): RunState {
	const current = state.steps[step];
	return {...state, steps: {...state.steps, [step]: {status, startedAt: current.startedAt ?? at, finishedAt: at}}};
}

function pendingRow(name: string, reversible: boolean, direction: 'up' | 'down'): MigrationRow {
	return {name, direction, reversible, status: 'pending', attempt: 0, retry: null, startedAt: null, durationMs: null, error: null, statement: null};
}

/** A row's statement progress, begun from what the plan said when the events bring the first news of it. */
function statementRun(row: MigrationRow, total: number | null): StatementRun {
	return row.noTransaction ?? {total, finished: 0, running: null, notRetrySafe: [], tookEffect: null};
}

function withPlan(row: MigrationRow, info: MigrationInfo | undefined): MigrationRow {
	const plan = info?.noTransaction;
	return plan === undefined || row.direction !== 'up'
		? row
		: {...row, noTransaction: {total: plan.statements, finished: 0, running: null, notRetrySafe: plan.notRetrySafe, tookEffect: null}};
}

function upsertMigration(state: RunState, name: string, direction: 'up' | 'down', change: (row: MigrationRow) => MigrationRow): RunState {
	// A row per name and direction, so either end finds it: downs are appended after the plan's ups and are
	// looked up from the end. Per event this is the cost of a long run (700 migrations, 1,400 rows, 4 events each).
	const rows = state.migrations;
	const matches = (m: MigrationRow) => m.name === name && m.direction === direction;
	const index = direction === 'down' ? rows.findLastIndex(matches) : rows.findIndex(matches);
	if (index === -1) {
		const reversible = state.plan?.pending.find(m => m.name === name)?.reversible ?? true;
		return {...state, migrations: [...rows, change(pendingRow(name, reversible, direction))]};
	}

	const next = rows.slice();
	next[index] = change(rows[index]!);
	return withField(state, 'migrations', next);
}

/** `{...state, [key]: value}` through copyState, for the events a long record repeats (progress, output, samples). */
function withField<K extends keyof RunState>(state: RunState, key: K, value: RunState[K]): RunState {
	const next = copyState(state);
	next[key] = value;
	return next;
}

export function describeDecision(event: RunEvent): string {
	switch (event.type) {
		case 'operator.prep-ticked': {
			return `${event.ticked ? 'ticked' : 'unticked'} ${event.itemId}`;
		}

		case 'operator.window-confirmed': {
			return `confirmed the window by typing ${event.typedName}`;
		}

		case 'operator.adoption-confirmed': {
			return `confirmed writing the adoption by typing ${event.typedName}`;
		}

		case 'operator.override': {
			return `overrode ${event.checkId}: ${event.reason}`;
		}

		case 'operator.proceed': {
			return 'proceeded to the upgrade';
		}

		case 'operator.rollback-chosen': {
			return `chose ${event.choice}`;
		}

		case 'operator.abandoned': {
			return `stopped the run: ${event.reason}`;
		}

		case 'operator.check-cancelled': {
			return `cancelled the running check ${event.phase}.${event.id}`;
		}

		case 'operator.invalid-index-drop': {
			return event.drop
				? `confirmed dropping the INVALID index${event.indexes.length === 1 ? '' : 'es'} ${event.indexes.join(', ')} before ${event.name} runs again`
				: `refused to drop the INVALID index${event.indexes.length === 1 ? '' : 'es'} ${event.indexes.join(', ')}: ${event.name} does not run`;
		}

		case 'operator.observation-ended': {
			return event.flag === undefined ? 'ended the observation period early' : `skipped the observation period (${event.flag})`;
		}

		case 'operator.observation-rollback': {
			return 'went from the observation period to the rollback prompt';
		}

		case 'operator.lint-acknowledged': {
			return `acknowledged ${event.rule} at ${event.file}:${event.line} (${event.statement})`;
		}

		case 'operator.backend-action': {
			const verb = event.action === 'cancel' ? 'cancel the query of' : 'terminate';
			return `asked to ${verb} backend ${event.pid}${event.user === null ? '' : ` (${event.user})`}: ${event.query ?? 'query not known'}`;
		}

		default: {
			return event.type;
		}
	}
}
