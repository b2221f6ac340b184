import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import {partlyApplied, rollbackOptions} from '../../source/engine/gates.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import {reconcile} from '../../source/run/reconcile.js';
import {failStoppedStatements} from '../../source/run/stopped-statements.js';
import {fold, opening, throughBackup} from '../support/run-events.js';

const planned: RunEvent = {
	type: 'migrations.planned',
	applied: [{name: '0001_init', checksum: 'e'.repeat(64), reversible: true, appliedAt: '2026-01-01T00:00:00Z', appliedBy: 'ops', runId: 'r0', drift: 'none'}],
	pending: [
		{name: '0002_a', checksum: 'f'.repeat(64), reversible: true},
		{name: '0003_idx', checksum: '1'.repeat(64), reversible: true, noTransaction: {statements: 3, notRetrySafe: [{index: 2, why: 'CREATE INDEX CONCURRENTLY without IF NOT EXISTS'}]}},
	],
};
// The run as far as the upgrade, with the plan above in place of the opening's.
const toUpgrade: RunEvent[] = [
	...throughBackup.map(e => e.type === 'migrations.planned' ? planned : e),
	{type: 'baseline.captured', counts: {users: 8}},
	{type: 'operator.proceed', step: 'pre'},
	{type: 'upgrade.started', names: ['0002_a', '0003_idx']},
	{type: 'migration.started', name: '0002_a', direction: 'up'},
	{type: 'migration.finished', name: '0002_a', direction: 'up', durationMs: 10},
	{type: 'migration.started', name: '0003_idx', direction: 'up'},
];
const row = (events: RunEvent[]) => fold(events).migrations.find(m => m.name === '0003_idx');
const started = (index: number): Extract<RunEvent, {type: 'migration.statement-started'}> => ({type: 'migration.statement-started', name: '0003_idx', direction: 'up', index, total: 3, statement: `S${index}`});
const finished = (index: number): RunEvent => ({type: 'migration.statement-finished', name: '0003_idx', direction: 'up', index, total: 3, durationMs: 5});

describe('no-transaction migrations in the reducer', () => {
	it('the plan marks the migration, with its statements and what is not safe to retry; the others stay unmarked', () => {
		const state = fold(toUpgrade.slice(0, -1));
		assert.equal(state.migrations.find(m => m.name === '0002_a')?.noTransaction, undefined);
		assert.deepEqual(state.migrations.find(m => m.name === '0003_idx')?.noTransaction, {total: 3, finished: 0, running: null, notRetrySafe: [{index: 2, why: 'CREATE INDEX CONCURRENTLY without IF NOT EXISTS'}], tookEffect: null});
	});

	it('statement events move "statement k of n": running while it runs, finished once it commits', () => {
		assert.deepEqual(row([...toUpgrade, started(1)])?.noTransaction?.running, 1);
		assert.equal(row([...toUpgrade, started(1)])?.statement, 'S1');
		const after = row([...toUpgrade, started(1), finished(1), started(2)]);
		assert.equal(after?.noTransaction?.finished, 1);
		assert.equal(after?.noTransaction?.running, 2);
		assert.equal(after?.status, 'running');
	});

	it('a failure records which statements took effect', () => {
		const failed = row([...toUpgrade, started(1), finished(1), started(2), {type: 'migration.failed', name: '0003_idx', direction: 'up', error: 'boom', statement: 'S2', durationMs: 9, tookEffect: {statements: 1, total: 3}}]);
		assert.equal(failed?.status, 'failed');
		assert.deepEqual([failed?.noTransaction?.tookEffect, failed?.noTransaction?.finished, failed?.noTransaction?.running], [1, 1, null]);
	});

	it('a resumed migration keeps its finished statements across migration.started', () => {
		const resumed = row([
			...toUpgrade, started(1), finished(1), started(2), finished(2),
			{type: 'run.interrupted', signal: 'SIGHUP', step: 'upgrade', detail: 'x'},
			{type: 'run.resumed', operator: {osUser: 'ops', name: 'Ops'}, host: 'h', reconciliation: []},
			{type: 'migration.started', name: '0003_idx', direction: 'up'},
		]);
		assert.equal(resumed?.noTransaction?.finished, 2);
		assert.equal(resumed?.attempt, 2);
	});

	it('statement events for a migration the plan did not mark (a module, an older plan) begin its progress', () => {
		const module = fold([...opening, {type: 'migration.statement-started', name: '0002_a', direction: 'up', index: 1, total: null, statement: 'q'}]);
		assert.deepEqual(module.migrations.find(m => m.name === '0002_a')?.noTransaction, {total: null, finished: 0, running: 1, notRetrySafe: [], tookEffect: null});
	});

	it('INVALID indexes: found, the operator\'s answer (a decision), each drop', () => {
		const found: RunEvent = {type: 'invalid-index.found', name: '0003_idx', indexes: [{index: 'i', qualified: 'public.i', table: 't'}]};
		const asked = fold([...toUpgrade, found]);
		assert.equal(asked.invalidIndexes?.drop, null);
		const dropped = fold([...toUpgrade, found, {type: 'operator.invalid-index-drop', name: '0003_idx', indexes: ['public.i'], drop: true}, {type: 'invalid-index.dropped', name: '0003_idx', index: 'public.i', ok: true, detail: 'done'}]);
		assert.equal(dropped.invalidIndexes?.drop, true);
		assert.deepEqual(dropped.invalidIndexes?.dropped, [{index: 'public.i', ok: true, detail: 'done'}]);
		assert.match(dropped.decisions.at(-1)?.summary ?? '', /confirmed dropping the INVALID index public\.i before 0003_idx/);
		// An answer or a drop for another migration changes nothing.
		const other = fold([...toUpgrade, found, {type: 'operator.invalid-index-drop', name: '0009_x', indexes: ['public.i'], drop: true}]);
		assert.equal(other.invalidIndexes?.drop, null);
	});

	it('the rollback options say which statements took effect: downgrade runs its down first, keep leaves them', () => {
		const state = fold([...toUpgrade, started(1), finished(1), started(2), {type: 'migration.failed', name: '0003_idx', direction: 'up', error: 'boom', statement: 'S2', durationMs: 9, tookEffect: {statements: 1, total: 3}}, {type: 'upgrade.finished', ok: false}]);
		const options = rollbackOptions(state);
		const downgrade = options.find(o => o.choice === 'downgrade');
		assert.equal(downgrade?.available, true);
		assert.match(downgrade?.action ?? '', /run 2 down migrations \(0003_idx, 0002_a\)/);
		assert.match(downgrade?.cost ?? '', /statement 1 of 3 of 0003_idx took effect outside a transaction: its down runs first/);
		assert.match(options.find(o => o.choice === 'keep')?.cost ?? '', /statement 1 of 3 of 0003_idx took effect outside a transaction and stay/);
		assert.match(options.find(o => o.choice === 'restore')?.action ?? '', /undo everything, statement 1 of 3 of 0003_idx took effect/);
	});

	it('a resume reads the journal: statements 1..k committed, it goes on at k+1; the one in flight may have taken effect', () => {
		const state = fold([...toUpgrade, started(1), finished(1), started(2), finished(2), started(3)]);
		const fingerprint = state.fingerprint!;
		const result = reconcile(state, {fingerprint, plan: {applied: [...planned.type === 'migrations.planned' ? planned.applied : [], {name: '0002_a', checksum: 'f'.repeat(64), reversible: true, appliedAt: 'x', appliedBy: 'ops', runId: 'r1', drift: 'none'}], pending: planned.type === 'migrations.planned' ? planned.pending.slice(1) : []}, backupSha256: state.backup?.artifact?.sha256 ?? null, cut: null});
		const line = result.lines.find(l => l.startsWith('0003_idx'));
		assert.match(line ?? '', /statements 1\.\.2 of 3 committed \(recorded\)/);
		assert.match(line ?? '', /statement 3 was started and not recorded as finished: it may or may not have taken effect/);
		assert.match(line ?? '', /goes on at statement 3 of 3/);
		assert.equal(result.upgradeOpen, true);
		assert.deepEqual(result.problems, []);
	});

	it('each new event has its own line in the record\'s plain form', () => {
		assert.equal(describeEvent(started(2)), 'up 0003_idx statement 2 of 3: S2');
		assert.equal(describeEvent({...started(1), statement: '-- cutover: no-transaction\n/* why */\nCREATE TABLE t (a int)'}), 'up 0003_idx statement 1 of 3: CREATE TABLE t (a int)');
		assert.equal(describeEvent(finished(2)), 'up 0003_idx statement 2 of 3 committed in 5 ms');
		assert.match(describeEvent({type: 'invalid-index.found', name: '0003_idx', indexes: [{index: 'i', qualified: 'public.i', table: 't'}]}), /INVALID index left by an earlier CREATE INDEX CONCURRENTLY: public\.i on t/);
		assert.match(describeEvent({type: 'invalid-index.dropped', name: '0003_idx', index: 'public.i', ok: false, detail: 'no'}), /drop of INVALID index public\.i FAILED: no/);
		assert.match(describeEvent({type: 'migration.failed', name: '0003_idx', direction: 'up', error: 'boom', statement: null, durationMs: 1, tookEffect: {statements: 2, total: 3}}), /\[outside a transaction: statements 1\.\.2 of 3 took effect\]/);
		assert.match(describeEvent(planned), /0003_idx \(no transaction, 3 statements; not safe to retry: statement 2: CREATE INDEX CONCURRENTLY without IF NOT EXISTS\)/);
	});

	it('a resume to the rollback prompt after a stop at statement 2 records statements 1..2 in effect: the prompt and a downgrade know', () => {
		const stop: RunEvent[] = [
			...toUpgrade, started(1), finished(1), started(2), finished(2),
			{type: 'run.interrupted', signal: 'SIGHUP', step: 'upgrade', detail: 'x'},
			{type: 'run.resumed', operator: {osUser: 'ops', name: 'Ops'}, host: 'h', reconciliation: []},
		];
		const events = failStoppedStatements(fold(stop));
		assert.deepEqual(events.map(e => e.type === 'migration.failed' ? [e.name, e.tookEffect] : e.type), [['0003_idx', {statements: 2, total: 3}]]);
		const state = fold([...stop, ...events, {type: 'upgrade.finished', ok: false}]);
		assert.equal(partlyApplied(state)?.name, '0003_idx');
		const [downgrade, restore, keep] = rollbackOptions(state);
		assert.match(downgrade?.action ?? '', /run 2 down migrations \(0003_idx, 0002_a\) back to 0001_init/);
		assert.match(downgrade?.cost ?? '', /statements 1\.\.2 of 3 of 0003_idx took effect outside a transaction: its down runs first/);
		assert.match(restore?.action ?? '', /undo everything, statements 1\.\.2 of 3 of 0003_idx took effect outside a transaction included/);
		assert.match(keep?.cost ?? '', /statements 1\.\.2 of 3 of 0003_idx took effect outside a transaction and stay/);
		assert.doesNotMatch(keep?.cost ?? '', /nothing is undone/);

		// A statement started and not recorded as finished may have taken effect: it counts, so a downgrade undoes it too.
		const killed = failStoppedStatements(fold([...toUpgrade, started(1), finished(1), started(2)]));
		assert.deepEqual(killed.map(e => e.type === 'migration.failed' ? e.tookEffect : null), [{statements: 2, total: 3}]);
		assert.match(killed.map(e => e.type === 'migration.failed' ? e.error : '').join(''), /statement 1 of 3 committed and stays; statement 2 was started and not recorded as finished: it may or may not have taken effect/);
		// Nothing open outside a transaction: nothing to record.
		assert.deepEqual(failStoppedStatements(fold(toUpgrade.slice(0, -1))), []);
	});
});
