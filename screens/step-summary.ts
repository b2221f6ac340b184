import type {StepId} from '../source/engine/events.js';
import {STEP_ORDER, STEP_TITLES} from '../source/engine/events.js';
import {isSatisfied} from '../source/engine/judge.js';
import type {RunState, StepStatus} from '../source/engine/state.js';
import {fit, formatBytes, formatDuration, plural, shortHash, truncate} from './format.js';

export const STATUS_SYMBOL: Record<StepStatus, string> = {
	waiting: '·',
	running: '⟳',
	passed: '✓',
	failed: '✗',
	skipped: '–',
};

/** The seven screens an operator walks through; backup and its verification share one. */
export const SCREEN_NUMBER: Record<StepId, number> = {
	window: 1,
	backup: 2,
	verify: 2,
	pre: 3,
	upgrade: 4,
	post: 5,
	rollback: 6,
	summary: 7,
};

export const SCREEN_COUNT = 7;

/** `id`: the step, or in a run over several databases `database:step`. */
export type FinishedStep = {id: string; line: string};

/**
 * Steps that are over and no longer on screen, in the order they finished: what goes into
 * Ink's <Static>, which only ever appends, so the order must not change as the run goes on.
 */
export function finishedSteps(state: RunState, width: number): FinishedStep[] {
	const done = STEP_ORDER
		.filter(id => id !== state.step && id !== 'summary')
		.filter(id => {
			const {status} = state.steps[id];
			return status === 'passed' || status === 'failed' || status === 'skipped';
		});
	const finishedAt = (id: StepId) => state.steps[id].finishedAt ?? 0;
	const ordered = done.sort((a, b) => finishedAt(a) - finishedAt(b) || STEP_ORDER.indexOf(a) - STEP_ORDER.indexOf(b));
	return ordered.map(id => ({id, line: stepLine(state, id, width)}));
}

export function stepLine(state: RunState, id: StepId, width: number): string {
	const step = state.steps[id];
	const took = step.startedAt !== null && step.finishedAt !== null ? formatDuration(step.finishedAt - step.startedAt) : '';
	return truncate(`${STATUS_SYMBOL[step.status]} ${fit(STEP_TITLES[id], 20)} ${fit(took, 9)} ${keyFact(state, id)}`.trimEnd(), width);
}

/** The one fact worth keeping about a finished step. */
export function keyFact(state: RunState, id: StepId): string {
	switch (id) {
		case 'window': {
			const name = state.window?.confirmedName;
			return name ? `confirmed by typing ${name}` : 'not confirmed';
		}

		case 'backup': {
			const artifact = state.backup?.artifact;
			if (artifact) {
				return `backup ${formatBytes(artifact.bytes)} sha256 ${shortHash(artifact.sha256)}…`;
			}

			return state.backup?.error ? `failed: ${state.backup.error}` : 'no backup';
		}

		case 'verify': {
			const items = state.verification?.items ?? [];
			const ok = items.filter(i => i.ok).length;
			return state.verification ? `${ok}/${items.length} verification items ok` : 'not verified';
		}

		case 'pre':
		case 'post': {
			const checks = state.checks.filter(c => c.phase === id);
			const passed = checks.filter(c => c.verdict === 'passed').length;
			const notApplicable = checks.filter(c => c.verdict === 'not-applicable').length;
			const overridden = checks.filter(c => !isSatisfied(c.verdict) && state.overrides.some(o => o.checkId === c.id)).length;
			const failed = checks.length - passed - notApplicable - overridden;
			const parts = [`${passed}/${checks.length} checks passed`];
			if (notApplicable > 0) {
				parts.push(`${notApplicable} not applicable`);
			}

			if (failed > 0) {
				parts.push(`${failed} failed`);
			}

			if (overridden > 0) {
				parts.push(`${overridden} overridden`);
			}

			if (id === 'post' && state.post) {
				parts.push(`${plural(state.post.diff.filter(d => d.delta !== 0 || d.before === null || d.after === null).length, 'table')} changed`);
			}

			return parts.join(', ');
		}

		case 'upgrade': {
			const ups = state.migrations.filter(m => m.direction === 'up');
			const done = ups.filter(m => m.status === 'done').length;
			const failed = ups.find(m => m.status === 'failed');
			return failed ? `${done}/${ups.length} applied, ${failed.name} failed` : `${done}/${ups.length} migrations applied`;
		}

		case 'rollback': {
			const rollback = state.rollback;
			if (!rollback?.choice) {
				return 'no choice made';
			}

			if (!rollback.result) {
				return rollback.choice;
			}

			return rollback.choice === 'keep' ? `kept: ${rollback.result.detail}` : `${rollback.choice}: ${rollback.result.ok ? 'done' : 'FAILED'}, ${rollback.result.detail}`;
		}

		case 'summary': {
			return state.outcome ?? '';
		}
	}
}
