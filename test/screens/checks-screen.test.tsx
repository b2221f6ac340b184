import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import {reduce} from '../../source/engine/reduce.js';
import type {RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, check, duplicateMeters, orphanReadings, staleTariffs} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

function show(state: RunState, decisions: RunEvent[] = [], interactive = true) {
	current = render(<App state={state} now={state.now} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive={interactive}/>);
	return current;
}

/** What the run does with a decision: journal it and fold it in. */
const apply = (state: RunState, event: RunEvent): RunState => reduce(state, {seq: state.lastSeq + 1, at: state.now + 1000, event});

describe('checks screen', () => {
	it('lists each check with verdict, blocking or warn, and detail, and the selected evidence, in 80 columns', async () => {
		const screen = show(atProceed([duplicateMeters, orphanReadings, staleTariffs]));
		const frame = await screen.waitForFrame('Upgrade blocked by');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /step 3 of 7 · Pre-validation/);
		assert.match(frame, /› ✗ FAILED {2}block {2}No duplicate meter serials\s+3 offending rows/);
		assert.match(frame, / {2}✓ passed {2}block {2}No orphan readings\s+no offending rows/);
		assert.match(frame, / {2}✗ FAILED {2}warn {3}No stale tariffs\s+1 offending row/);
		assert.match(frame, /serial {2}count\n─+ {2}─+\nSN-1 {4}2/);
	});

	it('a check whose table does not exist yet is not applicable, in its own words, and does not block', async () => {
		const noUsers = check('pre.admin-exists', 'not-applicable', {title: 'At least one admin account', detail: 'table users does not exist yet', evidence: {columns: [], rows: [], total: 0, truncated: false}});
		const screen = show(atProceed([noUsers, orphanReadings]));
		const frame = await screen.waitForFrame('Baseline taken');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /› – n\/a {5}block {2}At least one admin account\s+table users does not exist yet/);
		assert.match(frame, /2 checks finished: 1 passed, 1 not applicable \(no table yet\), 0 not passed/);
		assert.match(frame, /Press Enter to proceed to the upgrade/);
	});

	it('shows the SQL of the selected check on s, and the evidence again on a second s', async () => {
		const screen = show(atProceed([duplicateMeters, orphanReadings]));
		await screen.waitForFrame('SN-1');
		screen.stdin.write('s');
		const sql = await screen.waitForFrame('having count(*) > 1');
		assert.match(sql, /select serial, count\(\*\)\nfrom meters/);
		assert.doesNotMatch(sql, /SN-1/);
		screen.stdin.write('s');
		await screen.waitForFrame(frame => frame.includes('SN-1') && !frame.includes('having'));
	});

	it('moves the selection with the arrows and shows that check\'s evidence', async () => {
		const screen = show(atProceed([duplicateMeters, staleTariffs]));
		await screen.waitForFrame('› ✗ FAILED  block');
		screen.stdin.write(keys.down);
		const frame = await screen.waitForFrame('› ✗ FAILED  warn');
		assert.match(frame, /── pre\.stale-tariffs/);
		assert.match(frame, /id\n─+\n9/);
	});

	it('blocks proceeding while a blocking check fails, and allows it after an override with a reason', async () => {
		const decisions: RunEvent[] = [];
		const record = (event: RunEvent) => {
			decisions.push(event);
		};

		let state = atProceed([duplicateMeters, orphanReadings, staleTariffs]);
		const screen = show(state, decisions);
		await screen.waitForFrame('Upgrade blocked by 1 failing blocking check');
		screen.stdin.write(keys.enter);
		const blocked = await screen.waitForFrame('! blocking check pre.duplicate-meters failed: 3 offending rows');
		assert.deepEqual(overflowing(blocked), []);
		assert.deepEqual(decisions, []);

		screen.stdin.write('o');
		await screen.waitForFrame('Override pre.duplicate-meters');
		screen.stdin.write('too short');
		await screen.waitForFrame('Reason: too short▌');
		screen.stdin.write(keys.enter);
		await screen.waitForFrame('at least 10 characters');
		assert.deepEqual(decisions, []);

		for (const _ of 'too short') {
			screen.stdin.write(keys.backspace);
		}

		await screen.waitForFrame('Reason: ▌');
		screen.stdin.write('duplicates are archived by 0003');
		await screen.waitForFrame('Reason: duplicates are archived by 0003▌');
		screen.stdin.write(keys.enter);
		assert.deepEqual(decisions, [{type: 'operator.override', checkId: 'pre.duplicate-meters', reason: 'duplicates are archived by 0003'}]);

		const [override] = decisions;
		assert.ok(override);
		state = apply(state, override);
		screen.rerender(<App state={state} now={state.now} onDecision={record} onQuit={() => {}} interactive/>);
		const overridden = await screen.waitForFrame('↳ overridden: duplicates are archived by 0003');
		assert.match(overridden, /Press Enter to proceed to the upgrade/);
		screen.stdin.write(keys.enter);
		assert.deepEqual(decisions.at(-1), {type: 'operator.proceed', step: 'pre'});
		assert.equal(decisions.length, 2);
	});

	it('cancels an override with Esc and records nothing', async () => {
		const decisions: RunEvent[] = [];
		const screen = show(atProceed([duplicateMeters]), decisions);
		await screen.waitForFrame('Upgrade blocked');
		screen.stdin.write('o');
		await screen.waitForFrame('Reason: ▌');
		screen.stdin.write('never mind this');
		await screen.waitForFrame('never mind this▌');
		screen.stdin.write(keys.escape);
		const frame = await screen.waitForFrame(f => !f.includes('Reason:'));
		assert.match(frame, /Upgrade blocked/);
		assert.deepEqual(decisions, []);
	});

	it('does not open an override on a passed or warning check', async () => {
		const decisions: RunEvent[] = [];
		const screen = show(atProceed([orphanReadings, staleTariffs, duplicateMeters]), decisions);
		await screen.waitForFrame('› ✓ passed');
		screen.stdin.write('o');
		await screen.waitForFrame('! o overrides a blocking check that failed');
		screen.stdin.write(keys.down);
		await screen.waitForFrame('› ✗ FAILED  warn');
		screen.stdin.write('o');
		const frame = await screen.waitForFrame('! o overrides a blocking check that failed');
		assert.doesNotMatch(frame, /Reason:/);
		assert.deepEqual(decisions, []);
	});

	it('proceeds at once when every blocking check passed', async () => {
		const decisions: RunEvent[] = [];
		const screen = show(atProceed([orphanReadings, staleTariffs]), decisions);
		await screen.waitForFrame('Press Enter to proceed');
		screen.stdin.write(keys.enter);
		assert.deepEqual(decisions, [{type: 'operator.proceed', step: 'pre'}]);
	});

	it('treats a check that could not run as blocking, shown as an error', async () => {
		const broken = check('pre.broken', 'error', {title: 'Query that breaks', detail: 'relation "meterz" does not exist'});
		const decisions: RunEvent[] = [];
		const screen = show(atProceed([broken]), decisions);
		await screen.waitForFrame('! error');
		screen.stdin.write(keys.enter);
		await screen.waitForFrame('! blocking check pre.broken could not run');
		assert.deepEqual(decisions, []);
	});

	it('fits wide evidence into 80 columns and counts the rows left out', async () => {
		const wide = check('pre.wide', 'failed', {
			title: 'A check with a very long title that cannot possibly fit next to its detail',
			detail: 'a detail that is also long enough to run past the edge of the terminal by itself',
			evidence: {
				columns: ['id', 'serial', 'a_very_long_column_name_for_notes', 'created_at', ...Array.from({length: 12}, (_, i) => `extra_${i}`)],
				rows: Array.from({length: 50}, (_, i) => [i, `SN-${i}`, 'a note long enough to be cut down before it reaches the edge', '2026-01-01T00:00:00Z', ...Array.from({length: 12}, () => 'wide value')]),
				total: 1234,
				truncated: true,
			},
		});
		const screen = show(atProceed([wide]));
		const frame = await screen.waitForFrame('…and 1229 more rows');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /\+\d+ cols?/);
	});

	it('keeps the upgrade blocked by drift and says why on Enter', async () => {
		const decisions: RunEvent[] = [];
		const screen = show(atProceed([orphanReadings], {drift: true}), decisions);
		await screen.waitForFrame('✗ Upgrade blocked: press Enter to see why');
		screen.stdin.write(keys.enter);
		await screen.waitForFrame('! applied migration 0002-add-readings was changed on disk');
		assert.deepEqual(decisions, []);
	});

	it('lets a replay browse the checks but takes no decision', async () => {
		const decisions: RunEvent[] = [];
		const screen = show(atProceed([duplicateMeters, orphanReadings]), decisions, false);
		await screen.waitForFrame('Waiting for the operator to proceed');
		screen.stdin.write('o');
		screen.stdin.write(keys.enter);
		screen.stdin.write(keys.down);
		await screen.waitForFrame('› ✓ passed');
		assert.doesNotMatch(screen.lastFrame(), /Reason:/);
		assert.deepEqual(decisions, []);
	});
});

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		assert.ok(Date.now() < deadline, 'the condition never held');
		// eslint-disable-next-line no-await-in-loop -- polling
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

describe('a check that runs long', () => {
	const running = (checks: Parameters<typeof atProceed>[0] = [orphanReadings]): RunState => {
		const at = atProceed(checks);
		// The same run before its baseline: the last pre check is still running.
		const before = {...at, baseline: null};
		return apply(before, {type: 'check.started', id: 'slow-scan', phase: 'pre', title: 'A slow scan of readings', sql: 'select pg_sleep(30)', timeoutMs: 30_000});
	};

	it('is shown running with its time and its limit, and Esc asks to cancel it, once', async () => {
		const decisions: RunEvent[] = [];
		const state = running();
		const screen = show({...state, now: state.now + 2000}, decisions);
		const frame = await screen.waitForFrame('⟳ running pre.slow-scan');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /⟳ running pre\.slow-scan: A slow scan of readings · 2 s of 30 s · Esc cancels it/);
		screen.stdin.write(keys.escape);
		await until(() => decisions.length === 1);
		assert.deepEqual(decisions, [{type: 'operator.check-cancelled', id: 'slow-scan', phase: 'pre'}]);

		const asked = apply(state, decisions[0]!);
		assert.equal(asked.runningCheck?.cancelRequested, true);
		screen.rerender(<App state={asked} now={asked.now} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive/>);
		await screen.waitForFrame('· cancelling…');
		screen.stdin.write(keys.escape);
		await new Promise(resolve => setTimeout(resolve, 100));
		assert.equal(decisions.length, 1, 'a second Esc asks nothing more');
	});

	it('ends cancelled on the record, blocks the gate like a failure, and can be overridden', async () => {
		const cancelled = check('slow-scan', 'cancelled', {title: 'A slow scan of readings', detail: 'stopped with Esc after 2.0 s', evidence: {columns: [], rows: [], total: 0, truncated: false}, sql: 'select pg_sleep(30)'});
		const timedOut = check('slow-join', 'timed-out', {title: 'A slow join', detail: 'stopped at its timeout of 1.0 s', evidence: {columns: [], rows: [], total: 0, truncated: false}});
		const state = atProceed([orphanReadings, cancelled, timedOut]);
		assert.equal(state.runningCheck, null);
		const screen = show(state);
		const frame = await screen.waitForFrame('Upgrade blocked by 2 failing blocking checks');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /✗ CANCEL {2}block {2}A slow scan of readings\s+stopped with Esc after 2\.0 s/);
		assert.match(frame, /✗ TIMEOUT block {2}A slow join\s+stopped at its timeout of 1\.0 s/);
		screen.stdin.write(keys.enter);
		await screen.waitForFrame('! blocking check slow-scan was cancelled: stopped with Esc after 2.0 s');
		await screen.waitForFrame('! blocking check slow-join timed out: stopped at its timeout of 1.0 s');
	});

	it('a check shorter than a second is not drawn as running', async () => {
		const screen = show(running());
		const frame = await screen.waitForFrame('1 check finished');
		assert.doesNotMatch(frame, /running pre\.slow-scan/);
	});

	it('in replay is shown running, and Esc decides nothing', async () => {
		const decisions: RunEvent[] = [];
		const replayed = running();
		const screen = show({...replayed, now: replayed.now + 1500}, decisions, false);
		const frame = await screen.waitForFrame('⟳ running pre.slow-scan');
		assert.doesNotMatch(frame, /Esc cancels/);
		screen.stdin.write(keys.escape);
		await new Promise(resolve => setTimeout(resolve, 100));
		assert.deepEqual(decisions, []);
	});
});
