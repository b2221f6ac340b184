import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import {rollbackOptions, upgradeGate, windowGate} from '../../source/engine/gates.js';
import {check, fold, opening, throughBackup} from '../support/run-events.js';

const baseline: RunEvent = {type: 'baseline.captured', counts: {users: 8}};
const blockingFailure: RunEvent = {type: 'check.finished', result: check({id: 'emails', verdict: 'failed', detail: '2 offending rows'})};

describe('windowGate', () => {
	const ticked: RunEvent = {type: 'operator.prep-ticked', itemId: 'notified', ticked: true};
	const table: Array<[string, RunEvent[], string, boolean, RegExp?]> = [
		['all ticked, right name', [...opening, ticked], 'demo', true],
		['right name, prep not ticked', opening, 'demo', false, /not ticked: Stakeholders notified/],
		['ticked, wrong name', [...opening, ticked], 'prod', false, /"prod" is not the database name \(demo\)/],
		['ticked, nothing typed', [...opening, ticked], '', false, /type the database name/],
		['names are exact: case matters', [...opening, ticked], 'DEMO', false],
		['before the fingerprint', opening.slice(0, 1), 'demo', false, /not been fingerprinted/],
	];
	for (const [name, events, typed, open, reason] of table) {
		it(name, () => {
			const gate = windowGate(fold(events), typed);
			assert.equal(gate.open, open);
			if (!gate.open && reason) {
				assert.match(gate.reasons.join('\n'), reason);
			}
		});
	}
});

describe('upgradeGate', () => {
	const table: Array<[string, RunEvent[], boolean, RegExp?]> = [
		['verified backup, checks passed, baseline taken', [...throughBackup, {type: 'check.finished', result: check({id: 'ok'})}, baseline], true],
		['no backup at all', [...opening, {type: 'operator.prep-ticked', itemId: 'notified', ticked: true}, {type: 'operator.window-confirmed', typedName: 'demo'}, baseline], false, /there is no backup/],
		['backup failed verification', [...throughBackup.slice(0, -1), {type: 'verify.finished', verification: {ok: false, items: []}, durationMs: 1}, baseline], false, /failed verification/],
		['backup not yet verified', [...throughBackup.slice(0, -1), baseline], false, /not been verified/],
		['blocking check failed, no override', [...throughBackup, blockingFailure, baseline], false, /blocking check emails failed/],
		['blocking check failed, overridden with a reason', [...throughBackup, blockingFailure, baseline, {type: 'operator.override', checkId: 'emails', reason: 'known duplicates, fixed by 0003'}], true],
		['non-blocking check failed', [...throughBackup, {type: 'check.finished', result: check({id: 'dups', blocking: false, verdict: 'failed'})}, baseline], true],
		['blocking check could not run', [...throughBackup, {type: 'check.finished', result: check({id: 'x', verdict: 'error', detail: 'no such table'})}, baseline], false, /could not run/],
		['pre-validation unfinished', throughBackup, false, /not finished/],
		['blocking check not applicable (its table does not exist yet)', [...throughBackup, {type: 'check.finished', result: check({id: 'admins', verdict: 'not-applicable', detail: 'table users does not exist yet'})}, baseline], true],
	];
	for (const [name, events, open, reason] of table) {
		it(name, () => {
			const gate = upgradeGate(fold(events));
			assert.equal(gate.open, open, gate.open ? 'open' : gate.reasons.join('; '));
			if (!gate.open && reason) {
				assert.match(gate.reasons.join('\n'), reason);
			}
		});
	}

	it('an applied migration changed on disk blocks the upgrade', () => {
		const drifted = structuredClone(throughBackup);
		const plan = drifted[2];
		assert.ok(plan?.type === 'migrations.planned');
		plan.applied[0]!.drift = 'changed';
		const gate = upgradeGate(fold([...drifted, baseline]));
		assert.equal(gate.open, false);
		assert.match(gate.open ? '' : gate.reasons.join(), /0001_init was changed on disk/);
	});
});

describe('rollbackOptions', () => {
	const upgradeOf = (second: 'finished' | 'failed'): RunEvent[] => [
		...throughBackup,
		baseline,
		{type: 'upgrade.started', names: ['0002_a', '0003_b']},
		{type: 'migration.started', name: '0002_a', direction: 'up'},
		{type: 'migration.finished', name: '0002_a', direction: 'up', durationMs: 1},
		{type: 'migration.started', name: '0003_b', direction: 'up'},
		second === 'finished'
			? {type: 'migration.finished', name: '0003_b', direction: 'up', durationMs: 1}
			: {type: 'migration.failed', name: '0003_b', direction: 'up', error: 'boom', statement: null, durationMs: 1},
	];

	it('an irreversible migration applied makes downgrade unavailable and names it', () => {
		const [downgrade, restore, keep] = rollbackOptions(fold(upgradeOf('finished')));
		assert.equal(downgrade?.available, false);
		assert.match(downgrade?.cost ?? '', /0003_b/);
		assert.equal(restore?.available, true);
		assert.match(restore?.cost ?? '', /written since the backup/);
		assert.equal(keep?.available, true);
	});

	it('after a failed reversible migration, downgrade undoes the ones that applied', () => {
		const [downgrade, , keep] = rollbackOptions(fold(upgradeOf('failed')));
		assert.equal(downgrade?.available, true);
		assert.match(downgrade?.action ?? '', /0002_a.*back to 0001_init/);
		assert.match(keep?.cost ?? '', /between versions/);
	});

	it('when the first migration fails, keep says the database stays where it was', () => {
		const events: RunEvent[] = [...throughBackup, baseline, {type: 'upgrade.started', names: ['0002_a', '0003_b']}, {type: 'migration.started', name: '0002_a', direction: 'up'}, {type: 'migration.failed', name: '0002_a', direction: 'up', error: 'lock timeout', statement: null, durationMs: 1}];
		const [downgrade, , keep] = rollbackOptions(fold(events));
		assert.equal(downgrade?.available, false);
		assert.match(keep?.cost ?? '', /nothing of this run is applied: the database stays at 0001_init/);
	});

	it('without a verified backup, restore is unavailable', () => {
		const events = [...throughBackup.slice(0, -1), {type: 'verify.finished', verification: {ok: false, items: []}, durationMs: 1} satisfies RunEvent];
		const restore = rollbackOptions(fold(events)).find(o => o.choice === 'restore');
		assert.equal(restore?.available, false);
	});
});
