import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import {rollbackOptions} from '../../source/engine/gates.js';
import type {RollbackOption} from '../../source/engine/model.js';
import type {RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {nextAvailable} from '../../screens/rollback-screen.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, fold, orphanReadings, upgradeEvents} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

function show(state: RunState, decisions: RunEvent[] = [], options: {interactive?: boolean; recordPath?: string} = {}) {
	const props = options.recordPath === undefined ? {} : {recordPath: options.recordPath};
	current = render(<App state={state} now={state.now} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive={options.interactive ?? true} {...props}/>);
	return current;
}

const more = (events: RunEvent[], start: RunState) => fold(events, {start, at: i => start.now + ((i + 1) * 1000)});

const failedUpgrade = more([
	...upgradeEvents,
	{type: 'migration.failed', name: '0004-drop-legacy-tariffs', direction: 'up', error: 'relation "tariffs" does not exist', statement: 'drop table tariffs;', durationMs: 20},
	{type: 'upgrade.finished', ok: false},
], atProceed([orphanReadings]));

/** The run offers the ways back the engine computes; `change` lets a test make one unavailable. */
function offered(change: (options: RollbackOption[]) => RollbackOption[] = o => o): RunState {
	return more([{type: 'rollback.offered', reason: 'The upgrade failed: 0004-drop-legacy-tariffs did not apply', options: change(rollbackOptions(failedUpgrade))}], failedUpgrade);
}

describe('rollback screen', () => {
	it('says why a way back is offered and what each option does and costs, in 80 columns', async () => {
		const frame = await show(offered()).waitForFrame('Enter to choose');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /step 6 of 7 · Rollback/);
		assert.match(frame, /! The upgrade failed: 0004-drop-legacy-tariffs did not apply/);
		assert.match(frame, / {2}1\. Downgrade\n\s+run 1 down migration \(0003-unique-meter-serial\)/);
		assert.match(frame, /2\. Restore the backup\n\s+replace the database with the verified backup/);
		// The pointer starts on the choice that changes nothing.
		assert.match(frame, /› 3\. Keep as it is\n\s+leave the database as it is now/);
		// Only the option under the pointer is told in full, so the prompt fits 24 rows.
		assert.match(frame, /cost: 0003-unique-meter-serial stays applied and 0004-drop-legacy-tariffs\n\s+did not apply/);
		assert.doesNotMatch(frame, /cost: every row written since the backup/);
		assert.ok(frame.split('\n').length <= 24, `${frame.split('\n').length} lines`);
	});

	it('skips unavailable options and asks for y before a restore', async () => {
		const decisions: RunEvent[] = [];
		const state = offered(options => options.map(o => o.choice === 'downgrade' ? {...o, available: false, cost: 'irreversible (no down): 0003-unique-meter-serial'} : o));
		const screen = show(state, decisions);
		const first = await screen.waitForFrame('› 3. Keep');
		assert.match(first, /1\. Downgrade \(unavailable\)\n\s+why not: irreversible \(no down\): 0003-unique-meter-serial/);
		screen.stdin.write(keys.up);
		const restore = await screen.waitForFrame('› 2. Restore the backup');
		assert.match(restore, /cost: every row written since the backup/);
		screen.stdin.write(keys.up);
		await new Promise(resolve => setImmediate(resolve));
		assert.match(screen.lastFrame(), /› 2\. Restore the backup/);
		screen.stdin.write(keys.enter);
		await screen.waitForFrame('Restore the backup: y to confirm');
		assert.deepEqual(decisions, []);
		screen.stdin.write('y');
		assert.deepEqual(decisions, [{type: 'operator.rollback-chosen', choice: 'restore'}]);
	});

	it('cancels a downgrade on any key but y', async () => {
		const decisions: RunEvent[] = [];
		const screen = show(offered(), decisions);
		await screen.waitForFrame('› 3. Keep');
		screen.stdin.write(keys.up);
		await screen.waitForFrame('› 2. Restore');
		screen.stdin.write(keys.up);
		await screen.waitForFrame('› 1. Downgrade');
		screen.stdin.write(keys.enter);
		await screen.waitForFrame('Downgrade: y to confirm');
		screen.stdin.write('n');
		await screen.waitForFrame(frame => !frame.includes('y to confirm'));
		assert.deepEqual(decisions, []);
		screen.stdin.write(keys.enter);
		await screen.waitForFrame('Downgrade: y to confirm');
		screen.stdin.write('y');
		assert.deepEqual(decisions, [{type: 'operator.rollback-chosen', choice: 'downgrade'}]);
	});

	it('chooses keep without a confirmation', async () => {
		const decisions: RunEvent[] = [];
		const screen = show(offered(), decisions);
		await screen.waitForFrame('› 3. Keep');
		screen.stdin.write(keys.up);
		await screen.waitForFrame('› 2. Restore');
		screen.stdin.write(keys.down);
		await screen.waitForFrame('› 3. Keep');
		screen.stdin.write(keys.down);
		await new Promise(resolve => setImmediate(resolve));
		assert.match(screen.lastFrame(), /› 3\. Keep/);
		screen.stdin.write(keys.enter);
		assert.deepEqual(decisions, [{type: 'operator.rollback-chosen', choice: 'keep'}]);
	});

	it('shows the downgrade in progress and then its result', async () => {
		const chosen = more([
			{type: 'operator.rollback-chosen', choice: 'downgrade'},
			{type: 'migration.started', name: '0003-unique-meter-serial', direction: 'down'},
		], offered());
		const screen = show(chosen);
		const running = await screen.waitForFrame('Downgrade in progress');
		assert.match(running, /1\. Downgrade ← chosen/);
		assert.match(running, /⟳ ↓ 0003-unique-meter-serial {2}running/);
		assert.doesNotMatch(running, /Enter to choose/);

		const done = more([
			{type: 'migration.finished', name: '0003-unique-meter-serial', direction: 'down', durationMs: 120},
			{type: 'rollback.finished', choice: 'downgrade', ok: true, detail: 'back at 0002-add-readings', durationMs: 300},
		], chosen);
		screen.rerender(<App state={done} now={done.now} onDecision={() => {}} onQuit={() => {}} interactive/>);
		const frame = await screen.waitForFrame('Downgrade done');
		assert.match(frame, /✓ Downgrade done in 300 ms: back at 0002-add-readings/);
		assert.match(frame, /✓ ↓ 0003-unique-meter-serial {2}done 120 ms/);
	});

	it('moves only between available options', () => {
		const option = (choice: RollbackOption['choice'], available: boolean): RollbackOption => ({choice, available, action: '', cost: ''});
		const options = [option('downgrade', true), option('restore', false), option('keep', true)];
		assert.equal(nextAvailable(options, 0, 1), 2);
		assert.equal(nextAvailable(options, 2, -1), 0);
		assert.equal(nextAvailable(options, 2, 1), 2);
	});
});

describe('summary screen', () => {
	const rolledBack = more([
		{type: 'rollback.offered', reason: 'The upgrade failed', options: rollbackOptions(failedUpgrade)},
		{type: 'operator.rollback-chosen', choice: 'restore'},
		{type: 'rollback.finished', choice: 'restore', ok: true, detail: 'restored from the backup', durationMs: 2100},
		{type: 'run.finished', outcome: 'rolled-back', versionBefore: '0002-add-readings', versionAfter: '0002-add-readings'},
	], failedUpgrade);

	it('shows the outcome, versions, time per step, backup, decisions, errors and the record', async () => {
		const frame = await show(rolledBack, [], {recordPath: '/var/lib/cutover/runs/r-7f3a9c21.jsonl'}).waitForFrame('ROLLED BACK');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /step 7 of 7 · Summary/);
		assert.match(frame, /║ {2}↺ ROLLED BACK in \d+ s {2}║/);
		assert.match(frame, /Schema {3}0002-add-readings → 0002-add-readings/);
		const steps = frame.replaceAll('\u00A0', ' ');
		assert.match(steps, /✓ window \d+ s {2}✓ backup 2 s/);
		assert.match(steps, /· post/);
		assert.match(steps, /✓ rollback 2 s/);
		assert.match(frame, /Backup {3}1\.2 MB · \/var\/backups\/cutover\/shop-r-7f3a9c21\.dump\n {9}sha256 (ab12){16}\n/);
		assert.match(frame, /· proceeded to the upgrade\n\s+· chose restore/);
		assert.match(frame, /✗ upgrade: 0004-drop-legacy-tariffs: relation "tariffs" does not exist/);
		assert.match(frame, /Record {3}\/var\/lib\/cutover\/runs\/r-7f3a9c21\.jsonl/);
		assert.match(frame, /✓ Rollback\s+2 s\s+restore: done, restored from the backup/);
	});

	it('shows what a checked downgrade left behind, and the backup to restore, in 80 columns', async () => {
		const detail = 'every down ran, but the schema is not the one before the upgrade: the downs left behind: table bench_x, index i_users_email_bench; restore from the verified backup /var/backups/cutover/shop-r-7f3a9c21.dump';
		const leftBehind = more([
			{type: 'rollback.offered', reason: 'The upgrade failed', options: rollbackOptions(failedUpgrade)},
			{type: 'operator.rollback-chosen', choice: 'downgrade'},
			{type: 'rollback.finished', choice: 'downgrade', ok: false, detail, durationMs: 400},
			{type: 'run.finished', outcome: 'failed', versionBefore: '0002-add-readings', versionAfter: '0002-add-readings'},
		], failedUpgrade);
		const frame = await show(leftBehind).waitForFrame('FAILED');
		assert.deepEqual(overflowing(frame), []);
		const flat = frame.replaceAll(/\s+/g, ' ');
		assert.match(flat, /✗ Rollback .*downgrade: .*the downs left behind: table bench_x, index i_users_email_bench/);
		assert.match(flat, /restore from the verified backup \/var\/backups\/cutover\/shop-r-7f3a9c21\.dump/);
	});

	it('says when no record was written', async () => {
		const frame = await show(rolledBack).waitForFrame('Record');
		assert.match(frame, /Record {3}not written/);
	});

	it('says when the version at the end is unknown and maintenance mode was left on, never an empty schema', async () => {
		const kept = more([
			{type: 'rollback.offered', reason: 'The upgrade failed', options: rollbackOptions(failedUpgrade)},
			{type: 'operator.rollback-chosen', choice: 'restore'},
			{type: 'rollback.finished', choice: 'restore', ok: false, detail: 'restore is not available: no verified backup to restore', durationMs: 0},
			{type: 'maintenance.left-on', reason: 'the restore did not bring the database back'},
			{type: 'run.finished', outcome: 'failed', versionBefore: '0002-add-readings', versionAfter: null, versionAfterUnknown: 'the connection was lost'},
		], failedUpgrade);
		const frame = await show(kept).waitForFrame('FAILED');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /Schema {3}0002-add-readings → \(unknown: could not be read\)/);
		assert.doesNotMatch(frame, /→ \(empty\)/);
		assert.match(frame, /Maint\. {3}left on: the restore did not bring the database back/);
		// The live screen (the finished steps above it are scrollback) still fits 24 rows.
		const live = frame.slice(frame.indexOf('cutover · step')).trimEnd().split('\n');
		assert.ok(live.length <= 24, `${live.length} lines:\n${frame}`);
	});
});
