// What an operator must read is never cut at 80 columns without a way to see it whole.
import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import type {RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {overflowing, render, type Rendered} from '../support/render.js';
import {backupDone, backupStarted, baseline, check, cleanPlanned, fingerprinted, fold, started, T0, verified, windowConfirmed, windowPlanned} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

function show(state: RunState, options: {columns?: number; rows?: number} = {}) {
	current = render(<App state={state} now={state.now} onDecision={() => {}} onQuit={() => {}} interactive/>, options);
	return current;
}

/** The frame's text with line breaks and the indentation of wrapped lines folded into single spaces. */
export const flat = (frame: string) => frame.replaceAll(/\s+/g, ' ');

const withChecks = (counts: {pre: number; post: number}): RunEvent => ({...windowPlanned, checks: counts} as RunEvent);

describe('zero checks', () => {
	it('says the runbook has no checks instead of waiting for them', async () => {
		const state = fold([started, fingerprinted, cleanPlanned, withChecks({pre: 0, post: 0}), ...windowConfirmed, ...backupDone, verified(true), baseline]);
		const frame = await show(state).waitForFrame('Press Enter');
		assert.match(frame, /No checks in this runbook before the upgrade: nothing to check\./);
		assert.doesNotMatch(frame, /0 checks finished|no checks have finished yet|⟳/);
	});

	it('still counts checks while they run, against the runbook\'s number', async () => {
		const state = fold([started, fingerprinted, cleanPlanned, withChecks({pre: 3, post: 3}), ...windowConfirmed, ...backupDone, verified(true),
			{type: 'check.finished', result: check('pre.a', 'passed')}]);
		const frame = await show(state).waitForFrame('finished of 3');
		assert.match(frame, /⟳ 1 check finished of 3: 1 passed, 0 not passed/);
	});
});

describe('long values at 80 columns', () => {
	it('shows the selected check\'s whole title and detail, wrapped, with its SQL (s)', async () => {
		const title = 'Every meter that has readings after the cut-off date has a tariff assigned to it';
		const detail = 'error: relation "public.meter_tariff_assignments" does not exist (SQLSTATE 42P01) at character 118';
		const state = fold([started, fingerprinted, cleanPlanned, windowPlanned, ...windowConfirmed, ...backupDone, verified(true),
			{type: 'check.finished', result: check('pre.tariffs', 'error', {title, detail})}, baseline]);
		const screen = show(state);
		const rows = await screen.waitForFrame('Upgrade blocked');
		assert.ok(!flat(rows).includes(`${title}: ${detail}`), 'the row cuts them');
		screen.stdin.write('s');
		const frame = await screen.waitForFrame('from meters');
		assert.deepEqual(overflowing(frame), []);
		assert.ok(flat(frame).includes(`${title}: ${detail}`), frame);
	});
});

describe('backup progress from pg_dump\'s account', () => {
	it('draws the bar and the ETA from table data done, not from compressed bytes against the raw size', async () => {
		const progress: RunEvent = {type: 'backup.progress', progress: {bytes: 200_000, estimatedBytes: 10_000_000, tablesDone: 6, tablesTotal: 7, dataDone: 9_000_000, dataTotal: 10_000_000, currentTable: 'readings'}};
		const state = fold([started, fingerprinted, cleanPlanned, windowPlanned, ...windowConfirmed, backupStarted, progress], {at: i => T0 + (i * 1000)});
		const frame = await show({...state}).waitForFrame('tables 6/7');
		assert.match(frame, /tables 6\/7 \(~90 % of the data\)/);
		assert.match(frame, /200 kB written ·/);
		assert.doesNotMatch(frame, /of ~10 MB/);
		// 90 % done in the second since the backup started: about a tenth of that left, not the minutes bytes/raw size would say.
		assert.match(frame, /ETA 111 ms/);
	});
});

describe('lock watch on the upgrade screen', () => {
	const sample: RunEvent = {type: 'watch.sampled', sample: {
		waiters: [{pid: 5100, user: 'app', application: 'shop-web', waitingMs: 2000, query: 'UPDATE tariffs SET rate = rate', blockedBy: [777]}],
		more: 0,
		blockers: [{pid: 777, user: 'report', application: 'psql', query: 'LOCK TABLE tariffs IN ACCESS EXCLUSIVE MODE'}],
	}};
	const upgrading = fold([started, fingerprinted, cleanPlanned, windowPlanned, ...windowConfirmed, ...backupDone, verified(true), baseline,
		{type: 'operator.proceed', step: 'pre'}, {type: 'upgrade.started', names: ['0003-unique-meter-serial', '0004-drop-legacy-tariffs']},
		{type: 'migration.started', name: '0003-unique-meter-serial', direction: 'up'}, sample]);

	it('ages tick from the sample\'s time with the clock, not only when a new sample comes', async () => {
		const at = upgrading.lockSample!.at;
		current = render(<App state={upgrading} now={at + 1000} onDecision={() => {}} onQuit={() => {}} interactive/>);
		await current.waitForFrame('5100 app 3 s ← 777');
		current.rerender(<App state={upgrading} now={at + 5000} onDecision={() => {}} onQuit={() => {}} interactive/>);
		await current.waitForFrame('5100 app 7 s ← 777');
	});

	it('names the blocker and its query, and c offers that query', async () => {
		const decisions: RunEvent[] = [];
		current = render(<App state={upgrading} now={upgrading.now} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive/>);
		await current.waitForFrame('↑↓ pick one of');
		current.stdin.write('\u001B[B');
		await current.waitForFrame('▸ 777 report/psql blocks 5100: LOCK TABLE tariffs');
		current.stdin.write('c');
		const confirm = await current.waitForFrame('Cancel the query of pid 777');
		assert.match(confirm, /LOCK TABLE tariffs IN ACCESS EXCLUSIVE MODE/);
		current.stdin.write('y');
		await current.waitForFrame(() => decisions.length > 0);
		assert.deepEqual(decisions[0], {type: 'operator.backend-action', action: 'cancel', pid: 777, query: 'LOCK TABLE tariffs IN ACCESS EXCLUSIVE MODE', user: 'report'});
	});
});

describe('the window at 80 columns with long values', () => {
	it('wraps the Target line (size included), the runbook paths and every preparation item instead of cutting them', async () => {
		const host = 'primary-db-cluster-01.eu-central-1.internal.example.com:5432';
		const text = 'Support, on-call and the account managers of the three largest customers have confirmed the window in writing';
		const events: RunEvent[] = [
			{...started, checklist: {name: 'shop', path: '/srv/cutover/runbooks/2026/november/shop-production-cutover.yaml', sha256: 'c'.repeat(64)}} as RunEvent,
			{type: 'target.fingerprinted', fingerprint: {engine: 'postgres', serverVersion: '16.4', host, database: 'shop_production_eu', sizeBytes: 123_456_789_012, systemIdentifier: '7301234567890123456'}},
			cleanPlanned,
			{...windowPlanned, prep: [{id: 'told', text}]} as RunEvent,
		];
		const frame = await show(fold(events)).waitForFrame('Type the database name');
		assert.deepEqual(overflowing(frame), []);
		const whole = flat(frame);
		assert.ok(whole.includes(`database shop_production_eu on ${host} · 123 GB`), frame);
		assert.ok(whole.includes(`[ ] ${text}`), frame);
		assert.ok(whole.includes('Runbook /srv/cutover/runbooks/2026/november/shop-production-cutover.yaml'), frame);
	});
});
