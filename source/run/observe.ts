import {setTimeout as delay} from 'node:timers/promises';
import {HANDBOOK_THRESHOLDS} from '../checklist/thresholds.js';
import type {Thresholds} from '../checklist/types.js';
import {crossings, levelsChanged, type ObservationEnd, type ObservedFigure} from '../engine/observation.js';
import {judgeThresholds} from '../health/judge-thresholds.js';
import type {ObservationDecision} from './decider.js';
import type {RunDeps} from './run-deps.js';

/** A quiet period is still on the record once a minute, so a reader sees it was watched. */
const QUIET_SAMPLE_MS = 60_000;

/**
 * The observation period after post-verification passed: reads the watch's header figures every
 * `every:`, records each breach once per crossing and a sample when a level changes (or once a
 * minute), until the time is up or the operator ends it. Returns 'stopped' when the run's signal
 * fired (a hang-up, a quit): the period is closed as interrupted and a resume observes for the
 * time left. Nothing to observe (no `observe:` section, or a period already over) returns at once.
 */
export async function observe(deps: RunDeps): Promise<'stopped' | null> {
	const {session, clock} = deps;
	const plan = deps.runbook.observe;
	if (plan === undefined) {
		return null;
	}

	closeUnfinished(deps);
	const prior = session.state.observation;
	if (prior?.finished != null && prior.finished.reason !== 'interrupted') {
		return null;
	}

	const left = plan.durationMs - (prior?.observedMs ?? 0);
	if (left <= 0) {
		return null;
	}

	const named = Object.keys(deps.runbook.thresholds).length > 0;
	const thresholds: Thresholds = named ? deps.runbook.thresholds : HANDBOOK_THRESHOLDS;
	const startedAt = clock.now();
	const endsAt = startedAt + left;
	const started = session.emit({
		type: 'observation.started',
		minutes: plan.durationMs / 60_000,
		durationMs: plan.durationMs,
		endsAt,
		everyMs: plan.everyMs,
		thresholds: thresholds as Record<string, {warn: number | null; alert: number | null}>,
		thresholdsFrom: named ? 'runbook' : 'handbook',
		...(prior === null ? {} : {resumed: true}),
	});
	if (started === null) {
		return 'stopped';
	}

	const decision = deps.decider.observationDecision(session);
	// A flag's decision (--observe skip) is made at once: seen before the first read, it reads nothing.
	let decided: ObservationDecision | null = await Promise.race([decision, Promise.resolve(null)]);
	void decision.then(value => {
		decided = value;
	});

	const finish = (reason: ObservationEnd) => {
		session.emit({type: 'observation.finished', reason, observedMs: Math.max(0, clock.now() - startedAt), breaches: session.state.observation?.breaches.length ?? 0});
	};

	for (;;) {
		if (decided !== null) {
			finish(decided);
			return null;
		}

		if (deps.signal.aborted || session.fault !== null) {
			finish('interrupted');
			return 'stopped';
		}

		// eslint-disable-next-line no-await-in-loop -- one after the other
		await readAndRecord(deps, thresholds);
		const now = clock.now();
		if (decided === null && !deps.signal.aborted && now >= endsAt) {
			finish('elapsed');
			return null;
		}

		if (decided === null && !deps.signal.aborted) {
			// eslint-disable-next-line no-await-in-loop -- polling
			await pause(Math.min(plan.everyMs, endsAt - now), deps.signal, decision);
		}
	}
}

/** A period the process did not live to close (killed outright) is closed as interrupted, as far as its last record went. */
function closeUnfinished(deps: RunDeps): void {
	const observation = deps.session.state.observation;
	if (observation === null || observation.finished !== null) {
		return;
	}

	const lastSeen = Math.max(observation.startedAt, observation.sampledAt ?? 0, ...observation.breaches.map(b => b.at));
	deps.session.emit({type: 'observation.finished', reason: 'interrupted', observedMs: lastSeen - observation.startedAt, breaches: observation.breaches.length});
}

/** One read of the figures, judged; on the record only when something changed, or once a minute. */
async function readAndRecord(deps: RunDeps, thresholds: Thresholds): Promise<void> {
	const {session} = deps;
	const engine = deps.connections.database.engine;
	const before = session.state.observation;
	if (before === null) {
		return;
	}

	let figures: ObservedFigure[];
	let error: string | null = null;
	try {
		// SQLite has no such figures: every threshold is judged not applicable, which is no breach.
		const read = engine === 'postgres' && deps.figures != null ? await deps.figures.read() : null;
		figures = judgeThresholds(thresholds, read, engine === 'sqlite' ? 'SQLite' : 'PostgreSQL');
	} catch (caught) {
		// The figures as last seen stay; a breach is only one once they are read again.
		figures = before.figures;
		error = caught instanceof Error ? caught.message : String(caught);
	}

	if (before.sampledAt === null || levelsChanged(before, {figures, error})) {
		for (const crossing of error === null ? crossings(before.figures, figures) : []) {
			session.emit({type: 'observation.breach', figure: crossing.figure, previous: crossing.previous});
		}

		session.emit({type: 'observation.sample', figures, ...(error === null ? {} : {error})});
	} else if (deps.clock.now() - before.sampledAt >= QUIET_SAMPLE_MS) {
		session.emit({type: 'observation.sample', figures});
	}
}

/** Waits `ms`, or less when the operator decides or the run is stopped. */
async function pause(ms: number, signal: AbortSignal, decision: Promise<unknown>): Promise<void> {
	const timer = new AbortController();
	const stop = () => timer.abort();
	signal.addEventListener('abort', stop, {once: true});
	try {
		await Promise.race([delay(Math.max(0, ms), undefined, {signal: timer.signal}).catch(() => {}), decision]);
	} finally {
		timer.abort();
		signal.removeEventListener('abort', stop);
	}
}
