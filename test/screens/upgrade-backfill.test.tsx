import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {Entry, RunEvent} from '../../source/engine/events.js';
import {describeBackfill} from '../../source/engine/backfill-words.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import {buildTimeline} from '../../source/replay/timeline.js';
import {startCursor} from '../../source/replay/controller.js';
import {App} from '../../screens/app.js';
import {ReplayScreen} from '../../screens/replay/replay-screen.js';
import {overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, backupDone, baseline, fingerprinted, fold, orphanReadings, started, T0, verified, windowConfirmed, windowPlanned} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

const NAME = '0005_expand_email';
const proceeded = atProceed([orphanReadings]);
const planned: RunEvent = {
	type: 'migrations.planned',
	applied: proceeded.plan?.applied ?? [],
	pending: [{name: NAME, checksum: 'b'.repeat(64), reversible: true, noTransaction: {statements: null, notRetrySafe: []}}],
};
const report = (rows: number, more: Partial<Extract<RunEvent, {type: 'migration.backfill-progress'}>> = {}): RunEvent => ({
	type: 'migration.backfill-progress', name: NAME, direction: 'up', table: 'customers', rows, total: 500_000, resumedFrom: 0,
	batches: rows / 4000, batchSize: 4000, longestBatchMs: 48, maxLockMs: 100, overBound: 0, rowsPerSecond: 40_000, etaMs: ((500_000 - rows) / 40_000) * 1000, finished: false, ...more,
});
const upgrade: RunEvent[] = [
	planned,
	{type: 'operator.proceed', step: 'pre'},
	{type: 'upgrade.started', names: [NAME]},
	{type: 'migration.started', name: NAME, direction: 'up'},
	{type: 'migration.statement-started', name: NAME, direction: 'up', index: 1, total: null, statement: 'ALTER TABLE customers ADD COLUMN IF NOT EXISTS email_normalized text'},
	{type: 'migration.statement-finished', name: NAME, direction: 'up', index: 1, total: null, durationMs: 3},
	report(0, {batches: 0, batchSize: 1000, longestBatchMs: 0, rowsPerSecond: 0, etaMs: null}),
	report(120_000),
];
const proceededEvents: RunEvent[] = [started, fingerprinted, planned, windowPlanned, ...windowConfirmed, ...backupDone, verified(true), {type: 'check.finished', result: orphanReadings}, baseline];
const more = (events: RunEvent[]) => fold(events, {start: proceeded, at: i => proceeded.now + ((i + 1) * 1000)});

describe('upgrade screen: a backfill', () => {
	it('the reducer keeps the latest report on the migration\'s row', () => {
		const row = more(upgrade).migrations.find(m => m.name === NAME);
		assert.equal(row?.backfill?.rows, 120_000);
		assert.equal(row?.backfill?.table, 'customers');
	});

	it('shows rows done of total, rate, time left and the longest batch under the running migration, in 80 columns', async () => {
		const state = more(upgrade);
		current = render(<App state={state} now={state.now} onDecision={() => {}} onQuit={() => {}} interactive/>);
		const frame = await current.waitForFrame('backfill customers');
		assert.match(frame, / {4}backfill customers: 120,000 of 500,000 rows \(24 %\) · about 10 s left ·\n {6}40,000 rows\/s · batch 4,000, longest 48 ms\n/);
		assert.deepEqual(overflowing(frame), []);
	});

	it('words a start, a resumed one and the end', () => {
		assert.equal(describeBackfill({table: 't', rows: 0, total: 10, resumedFrom: 0, batches: 0, batchSize: 1000, longestBatchMs: 0, maxLockMs: 100, overBound: 0, rowsPerSecond: 0, etaMs: null, finished: false}), 'backfill t: 0 of 10 rows (0 %) · starting, batches of 1,000');
		assert.equal(describeBackfill({table: 't', rows: 6000, total: 20_000, resumedFrom: 6000, batches: 0, batchSize: 1000, longestBatchMs: 0, maxLockMs: 100, overBound: 0, rowsPerSecond: 0, etaMs: null, finished: false}), 'backfill t: 6,000 of 20,000 rows (30 %) · starting, batches of 1,000 · went on after 6,000');
		assert.equal(describeEvent(report(500_000, {finished: true, batches: 125})), 'up 0005_expand_email backfill customers: 500,000 of 500,000 rows (100 %) · done in 125 batches, longest 48 ms');
		// Batches over the bound are named, not hidden behind the longest one.
		assert.equal(describeEvent(report(500_000, {finished: true, batches: 125, longestBatchMs: 140, overBound: 2})), 'up 0005_expand_email backfill customers: 500,000 of 500,000 rows (100 %) · done in 125 batches, longest 140 ms, 2 over 100 ms');
	});

	it('replay draws the same line from the record', async () => {
		const entries: Entry[] = [...proceededEvents, ...upgrade].map((event, seq) => ({seq, at: T0 + (seq * 1000), event}));
		const timeline = buildTimeline(entries);
		const cursor = {...startCursor(), position: entries.length - 1};
		current = render(<ReplayScreen state={timeline.stateAt(cursor.position)} entry={timeline.entries[cursor.position]!} total={timeline.length} cursor={cursor} wait={null} damage={null} recordPath='/r.jsonl' onAction={() => {}} onQuit={() => {}}/>);
		const frame = await current.waitForFrame('backfill customers');
		assert.match(frame.replaceAll(/\s+/g, ' '), /backfill customers: 120,000 of 500,000 rows \(24 %\) · about 10 s left · 40,000 rows\/s · batch 4,000, longest 48 ms/);
	});
});
