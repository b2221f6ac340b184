import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import {fold, opening, throughBackup, check, artifact} from '../support/run-events.js';

describe('reduce', () => {
	const cases: Array<{name: string; events: RunEvent[]; expect: (s: ReturnType<typeof fold>) => void}> = [
		{
			name: 'run.started opens the window step',
			events: opening.slice(0, 1),
			expect(s) {
				assert.equal(s.step, 'window');
				assert.equal(s.steps.window.status, 'running');
				assert.equal(s.runId, 'r1');
			},
		},
		{
			name: 'the plan sets the version before and pending rows with reversibility',
			events: opening,
			expect(s) {
				assert.equal(s.versionBefore, '0001_init');
				assert.deepEqual(s.migrations.map(m => [m.name, m.status, m.reversible]), [['0002_a', 'pending', true], ['0003_b', 'pending', false]]);
			},
		},
		{
			name: 'ticking twice keeps one tick; unticking removes it',
			events: [...opening, {type: 'operator.prep-ticked', itemId: 'notified', ticked: true}, {type: 'operator.prep-ticked', itemId: 'notified', ticked: true}, {type: 'operator.prep-ticked', itemId: 'notified', ticked: false}],
			expect(s) {
				assert.deepEqual(s.window?.ticked, []);
				assert.equal(s.decisions.length, 3);
			},
		},
		{
			name: 'a verified backup moves on to pre-validation with timings',
			events: throughBackup,
			expect(s) {
				assert.equal(s.step, 'pre');
				assert.equal(s.steps.backup.status, 'passed');
				assert.equal(s.steps.verify.status, 'passed');
				assert.equal(s.backup?.artifact?.sha256, artifact.sha256);
				assert.equal(s.steps.window.finishedAt! - s.steps.window.startedAt!, 5000);
			},
		},
		{
			name: 'a failed verification stays on verify',
			events: [...throughBackup.slice(0, -1), {type: 'verify.finished', verification: {ok: false, items: [{name: 'sha256', ok: false, detail: 'differs'}]}, durationMs: 1}],
			expect(s) {
				assert.equal(s.step, 'verify');
				assert.equal(s.steps.verify.status, 'failed');
			},
		},
		{
			name: 'a check result replaces an earlier one with the same id and phase',
			events: [...throughBackup, {type: 'check.finished', result: check({id: 'dups', verdict: 'failed'})}, {type: 'check.finished', result: check({id: 'dups'})}],
			expect(s) {
				assert.deepEqual(s.checks.map(c => [c.id, c.verdict]), [['dups', 'passed']]);
			},
		},
		{
			name: 'a failing warning does not fail pre-validation; a failing blocking check does, even overridden',
			events: [...throughBackup, {type: 'check.finished', result: check({id: 'dups', blocking: false, verdict: 'failed'})}, {type: 'baseline.captured', counts: {}}, {type: 'operator.proceed', step: 'pre'}],
			expect(s) {
				assert.equal(s.steps.pre.status, 'passed');
				const overridden = fold([...throughBackup, {type: 'check.finished', result: check({id: 'emails', verdict: 'failed'})}, {type: 'operator.override', checkId: 'emails', reason: 'known and accepted'}, {type: 'operator.proceed', step: 'pre'}]);
				assert.equal(overridden.steps.pre.status, 'failed');
				assert.equal(overridden.overrides[0]?.reason, 'known and accepted');
			},
		},
		{
			name: 'migrations go pending → running → done, and a failure is kept with its statement',
			events: [
				...throughBackup,
				{type: 'upgrade.started', names: ['0002_a', '0003_b']},
				{type: 'migration.started', name: '0002_a', direction: 'up'},
				{type: 'migration.finished', name: '0002_a', direction: 'up', durationMs: 40},
				{type: 'migration.started', name: '0003_b', direction: 'up'},
				{type: 'migration.failed', name: '0003_b', direction: 'up', error: 'no such table', statement: 'DROP TABLE x', durationMs: 5},
				{type: 'upgrade.finished', ok: false},
			],
			expect(s) {
				assert.deepEqual(s.migrations.map(m => [m.name, m.status]), [['0002_a', 'done'], ['0003_b', 'failed']]);
				assert.equal(s.migrations[1]?.statement, 'DROP TABLE x');
				assert.equal(s.steps.upgrade.status, 'failed');
				assert.equal(s.errors.length, 1);
			},
		},
		{
			name: 'run.finished lands on the summary with the outcome',
			events: [...opening, {type: 'run.finished', outcome: 'abandoned', versionBefore: '0001_init', versionAfter: '0001_init'}],
			expect(s) {
				assert.equal(s.step, 'summary');
				assert.equal(s.outcome, 'abandoned');
				assert.notEqual(s.finishedAt, null);
			},
		},
		{
			name: 'an event that does not fit (progress before any backup) is ignored, not thrown',
			events: [...opening, {type: 'backup.progress', progress: {bytes: 1}}],
			expect(s) {
				assert.equal(s.backup, null);
			},
		},
	];

	for (const c of cases) {
		it(c.name, () => {
			c.expect(fold(c.events));
		});
	}

	it('is total: an event of a kind it does not know is kept as such, and the rest of the state is untouched', () => {
		const foreign = {type: 'backup.teleported', where: 'mars'} as unknown as RunEvent;
		const operatorForeign = {type: 'operator.waved'} as unknown as RunEvent;
		const known = fold(throughBackup);
		const withForeign = fold([...throughBackup, foreign, operatorForeign]);
		assert.deepEqual(withForeign.unknownEvents, [{seq: throughBackup.length, kind: 'backup.teleported'}, {seq: throughBackup.length + 1, kind: 'operator.waved'}]);
		const {unknownEvents: _a, now: _b, lastSeq: _c, decisions: _d, ...rest} = withForeign;
		const {unknownEvents: _e, now: _f, lastSeq: _g, decisions: _h, ...restKnown} = known;
		assert.deepEqual(rest, restKnown);
		assert.deepEqual(known.unknownEvents, []);
	});

	it('is pure: folding the same events twice gives equal states and leaves the input alone', () => {
		const events = structuredClone(throughBackup);
		assert.deepEqual(fold(events), fold(events));
		assert.deepEqual(events, throughBackup);
	});
});

describe('reduce: the run lock', () => {
	it('run-lock.lost is kept until a resume retakes the lock', () => {
		const lost = fold([...throughBackup, {type: 'run-lock.lost', detail: 'the database session holding the run lock ended: terminating connection due to administrator command'}]);
		assert.match(lost.lockLost?.detail ?? '', /administrator command/);
		assert.equal(lost.step, 'pre', 'a loss moves no step: the flow stops at its next safe point');
		const retaken = fold([{type: 'run-lock.retaken', detail: 'held again'}], lost);
		assert.equal(retaken.lockLost, null);
	});
});
