// The observation period after post-verification: plain data and the pure rules of what is recorded.

/** How a figure stands against its threshold; not-applicable where the engine has no such figure (SQLite). */
export type ObservedLevel = 'ok' | 'warn' | 'alert' | 'not-applicable';

/** One threshold judged at one read of the watch's header figures (as `cutover health` judges it). */
export type ObservedFigure = {
	/** connections, cache-hit, lock-wait, replication-lag. */
	name: string;
	level: ObservedLevel;
	/** A share (0–1) for connections and cache-hit, milliseconds for the others; null when none was measured. */
	value: number | null;
	unit: 'ratio' | 'ms';
	warn: number | null;
	alert: number | null;
	/** The figure in words, or why it does not apply. */
	detail: string;
};

/**
 * Why an observation period ended: its time ran out, the operator ended it early or went to the
 * rollback prompt, the run was stopped (a resume observes for the time left), or the operator's
 * flag skipped it (`--observe skip`).
 */
export type ObservationEnd = 'elapsed' | 'ended-early' | 'rollback' | 'interrupted' | 'skipped';

/** What the operator asked while observing: end it, or go to the rollback prompt. */
export type ObservationRequest = 'ended-early' | 'rollback';

const rank: Record<ObservedLevel, number> = {'not-applicable': 0, ok: 0, warn: 1, alert: 2};

/**
 * The figures that crossed into a worse level since the last recorded read: ok → warn, ok → alert,
 * warn → alert. A figure that stays in alert is not a new breach; one that recovers and crosses
 * again is. `previous` is empty before the first read, when every warn or alert is a crossing.
 */
export function crossings(previous: readonly ObservedFigure[], now: readonly ObservedFigure[]): Array<{figure: ObservedFigure; previous: ObservedLevel}> {
	return now.flatMap(figure => {
		const before = previous.find(p => p.name === figure.name)?.level ?? 'ok';
		return rank[figure.level] > rank[before] ? [{figure, previous: before}] : [];
	});
}

/** Whether two reads differ in what matters for the record: any level, or whether the figures could be read at all. */
export function levelsChanged(previous: {figures: readonly ObservedFigure[]; error: string | null}, now: {figures: readonly ObservedFigure[]; error: string | null}): boolean {
	const key = (read: {figures: readonly ObservedFigure[]; error: string | null}) => JSON.stringify([read.error, read.figures.map(f => [f.name, f.level])]);
	return key(previous) !== key(now);
}

/** A figure's value or level in its unit: 93.2% for a share, 4.0 s for a wait. */
export function formatFigure(unit: ObservedFigure['unit'], value: number | null): string {
	if (value === null) {
		return '—';
	}

	return unit === 'ratio' ? `${(value * 100).toFixed(1)}%` : (value < 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value / 1000)} s`);
}

/** "warn 80%, alert 90%", the levels a figure is judged by. */
export function describeLevels(figure: Pick<ObservedFigure, 'unit' | 'warn' | 'alert'>): string {
	return [figure.warn === null ? null : `warn ${formatFigure(figure.unit, figure.warn)}`, figure.alert === null ? null : `alert ${formatFigure(figure.unit, figure.alert)}`].filter(Boolean).join(', ');
}

/** How long, in words a screen or a line can hold: 14 min 30 s, 45 s. */
export function describeSpan(ms: number): string {
	const seconds = Math.max(0, Math.round(ms / 1000));
	const minutes = Math.floor(seconds / 60);
	return minutes === 0 ? `${seconds} s` : `${minutes} min${seconds % 60 === 0 ? '' : ` ${seconds % 60} s`}`;
}
