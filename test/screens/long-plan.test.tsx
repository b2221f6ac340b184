import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import {estimateUpgrade} from '../../source/engine/eta.js';
import type {ExpectedDuration, MigrationInfo} from '../../source/engine/model.js';
import type {MigrationRow, RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {fingerprinted, fold, started, T0, windowConfirmed, windowPlanned} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

const show = (state: RunState) => {
	current = render(<App state={state} now={state.now} onDecision={() => {}} onQuit={() => {}} interactive/>);
	return current;
};

const name = (i: number) => `${String(i).padStart(4, '0')}_step_${i}`;
const pending: MigrationInfo[] = Array.from({length: 269}, (_, i) => ({name: name(i + 1), checksum: `${(i + 1).toString(16).padStart(4, '0')}`.repeat(16), reversible: i !== 200}));
const applied = [{name: '0000_base', checksum: 'ab'.repeat(32), reversible: true, appliedAt: '2026-01-01T00:00:00Z', appliedBy: 'ops', runId: 'r-old', drift: 'none' as const}];
const history: ExpectedDuration[] = pending.map(m => ({name: m.name, checksum: m.checksum, durationMs: 1000, from: 'shop-2026-11-01.jsonl'}));
const plan: RunEvent = {type: 'migrations.planned', applied, pending};

describe('a long plan', () => {
	it('pages through all 269 pending migrations and the applied history with p, PgDn, PgUp and Esc', async () => {
		const screen = show(fold([started, fingerprinted, plan, windowPlanned]));
		const window = await screen.waitForFrame('Type the database name');
		assert.match(window, /…and 264 more, 1 of them irreversible \(no down\) · p: whole plan\n/);
		screen.stdin.write('p');
		const first = await screen.waitForFrame('Whole plan');
		assert.deepEqual(overflowing(first), []);
		assert.match(first, /Applied \(1\):\n {2}✓ 0000_base/);
		assert.match(first, /Pending \(269\):\n {2}\s*1\. 0001_step_1/);
		const seen = new Set<string>();
		const shown: string[] = first.split('\n');
		for (const m of first.matchAll(/\d{4}_step_\d+/g)) {
			seen.add(m[0]);
		}

		let frame = first;
		for (let page = 0; page < 30 && !frame.includes('0269_step_269'); page++) {
			screen.stdin.write('\u001B[6~');
			// eslint-disable-next-line no-await-in-loop
			frame = await screen.waitForFrame(f => f !== frame && f.includes('Whole plan'));
			shown.push(...frame.split('\n'));
			for (const m of frame.matchAll(/\d{4}_step_\d+/g)) {
				seen.add(m[0]);
			}
		}

		assert.equal(seen.size, 269, 'every pending migration was on some page');
		assert.ok(shown.some(line => /201\. 0201_step_201 {2}\w+ {2}irreversible \(no down\)$/.test(line)));
		assert.match(frame, /lines \d+–272 of 272/);
		screen.stdin.write('\u001B[5~');
		await screen.waitForFrame(f => f !== frame && f.includes('Whole plan') && !f.includes('0269_step_269'));
		screen.stdin.write(keys.escape);
		await screen.waitForFrame(f => f.includes('Type the database name') && !f.includes('Whole plan'));
	});

	it('opens with PgDn from the name field, where p is typed', async () => {
		const screen = show(fold([started, fingerprinted, plan, {...windowPlanned, prep: []} as RunEvent]));
		await screen.waitForFrame('Type the database name');
		screen.stdin.write('p');
		await screen.waitForFrame(frame => /continue: p▌/.test(frame));
		screen.stdin.write('\u001B[6~');
		await screen.waitForFrame('Whole plan');
	});

	it('shows the runbook, the migrations directory and how long the upgrade took last time on the window', async () => {
		const screen = show(fold([started, fingerprinted, plan, {type: 'migrations.history', expected: history}, windowPlanned]));
		const frame = await screen.waitForFrame('Type the database name');
		assert.match(frame, /Runbook \/srv\/cutover\/shop\.yaml · migrations \/srv\/shop\/migrations/);
		assert.match(frame.replaceAll(/\s+/g, ' '), /expected 20 min · the upgrade took 4 m 29 s last time/);
	});

	it('shows done/total, percent and an ETA from earlier runs on the upgrade screen', async () => {
		const events: RunEvent[] = [started, fingerprinted, plan, {type: 'migrations.history', expected: history}, windowPlanned, ...windowConfirmed,
			{type: 'upgrade.started', names: pending.map(m => m.name)}];
		// Skip the steps in between: the reducer enters the upgrade on upgrade.started.
		for (const m of pending.slice(0, 69)) {
			events.push({type: 'migration.started', name: m.name, direction: 'up'}, {type: 'migration.finished', name: m.name, direction: 'up', durationMs: 1000});
		}

		const state = fold(events);
		const frame = await show(state).waitForFrame('Applying');
		assert.match(frame.replaceAll(/\s+/g, ' '), /⟳ Applying migrations: 69\/269 done \(25 %\) · about 3 m 20 s left \(earlier runs\)/);
	});
});

const row = (name: string, status: MigrationRow['status'], durationMs: number | null, startedAt: number | null = null): MigrationRow => ({
	name, direction: 'up', reversible: true, status, attempt: 1, retry: null, startedAt, durationMs, error: null, statement: null,
});

describe('estimateUpgrade', () => {
	const past = (entries: Array<[string, number]>): ExpectedDuration[] => entries.map(([name, durationMs]) => ({name, checksum: 'c', durationMs, from: 'r.jsonl'}));
	const cases: Array<{what: string; rows: MigrationRow[]; history: ExpectedDuration[]; now: number; want: ReturnType<typeof estimateUpgrade>}> = [
		{what: 'nothing known', rows: [row('a', 'pending', null), row('b', 'pending', null)], history: [], now: T0, want: {done: 0, total: 2, percent: 0, remainingMs: null, basis: null}},
		{what: 'from earlier runs before any is done', rows: [row('a', 'pending', null), row('b', 'pending', null)], history: past([['a', 2000], ['b', 3000]]), now: T0, want: {done: 0, total: 2, percent: 0, remainingMs: 5000, basis: 'history'}},
		{what: 'the mean so far', rows: [row('a', 'done', 1000), row('b', 'done', 3000), row('c', 'pending', null), row('d', 'pending', null)], history: [], now: T0, want: {done: 2, total: 4, percent: 50, remainingMs: 4000, basis: 'so-far'}},
		{what: 'both', rows: [row('a', 'done', 1000), row('b', 'pending', null), row('c', 'pending', null)], history: past([['b', 10_000]]), now: T0, want: {done: 1, total: 3, percent: 33, remainingMs: 11_000, basis: 'both'}},
		{what: 'the running one counts for what is left of it', rows: [row('a', 'running', null, T0), row('b', 'pending', null)], history: past([['a', 4000], ['b', 1000]]), now: T0 + 3000, want: {done: 0, total: 2, percent: 0, remainingMs: 2000, basis: 'history'}},
		{what: 'a running one past its expected time adds nothing', rows: [row('a', 'running', null, T0)], history: past([['a', 4000]]), now: T0 + 9000, want: {done: 0, total: 1, percent: 0, remainingMs: 0, basis: 'history'}},
		{what: 'all done', rows: [row('a', 'done', 10)], history: [], now: T0, want: {done: 1, total: 1, percent: 100, remainingMs: 0, basis: null}},
		{what: 'a failed one: no estimate', rows: [row('a', 'done', 10), row('b', 'failed', 5)], history: [], now: T0, want: {done: 1, total: 2, percent: 50, remainingMs: null, basis: null}},
	];
	for (const c of cases) {
		it(c.what, () => {
			assert.deepEqual(estimateUpgrade(c.rows, c.history, c.now), c.want);
		});
	}
});
