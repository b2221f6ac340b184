import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import {App} from '../../screens/app.js';
import type {RunEvent} from '../../source/engine/events.js';
import type {DatabaseSnapshot} from '../../source/engine/snapshot.js';
import type {RunState} from '../../source/engine/state.js';
import {overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, check, fold, orphanReadings, upgradeEvents} from '../support/run-fixtures.js';
import {snapshotOf} from '../support/snapshots.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

const show = (state: RunState) => {
	current = render(<App state={state} now={state.now} onDecision={() => {}} onQuit={() => {}} interactive/>);
	return current;
};

const proceeded = atProceed([orphanReadings]);
const more = (events: RunEvent[], start = proceeded) => fold(events, {start, at: i => start.now + ((i + 1) * 1000)});
const upgraded = more([...upgradeEvents, {type: 'migration.finished', name: '0004-drop-legacy-tariffs', direction: 'up', durationMs: 20}, {type: 'upgrade.finished', ok: true}]);
const postCheck: RunEvent = {type: 'check.finished', result: check('post.meters-unique', 'passed', {phase: 'post', title: 'Meter serials unique'})};

const before: DatabaseSnapshot = snapshotOf({meters: 3, tariffs: 4, users: 7}, {
	migration: '0003-unique-meter-serial',
	bytes: 64_000,
	indexes: [{name: 'meters_kind', table: 'meters', unique: false, definition: 'CREATE INDEX meters_kind ON public.meters USING btree (kind)'}],
});
const after: DatabaseSnapshot = snapshotOf({meters: 2, tariff_archive: 4, users: 7}, {
	migration: '0004-drop-legacy-tariffs',
	bytes: 72_000,
	indexes: [{name: 'meters_serial_key', table: 'meters', unique: true, definition: 'CREATE UNIQUE INDEX meters_serial_key ON public.meters USING btree (serial, a_column_with_a_very_long_name_indeed)'}],
});
after.tables.find(t => t.name === 'users')!.columns.push({name: 'status', type: 'text', nullable: false, default: "'active'::text"});

const compared = (b: DatabaseSnapshot, a: DatabaseSnapshot): RunEvent[] => [
	{type: 'snapshot.taken', phase: 'after', snapshot: a},
	{type: 'post.compared', after: {}, diff: [{table: 'meters', before: 3, after: 2, delta: -1}]},
];

describe('post screen: the snapshots', () => {
	it('shows the schema against the snapshot before, unexpected changes first, within 80 columns', async () => {
		const start = more([{type: 'snapshot.taken', phase: 'before', snapshot: before}], upgraded);
		const state = more([postCheck, ...compared(before, after)], start);
		const frame = await show(state).waitForFrame('Snapshots before → after');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /Snapshots before → after: 3 added, 2 removed, 0 changed · 64 kB → 72 kB/);
		// Two lines, so the screen keeps under 24 rows: the first unexpected object named, how many more, the tables that lost rows.
		const lines = frame.split('\n');
		const first = lines.findIndex(l => l.includes('Snapshots before → after'));
		assert.equal(lines[first + 1], '! 3 unexpected: removed table tariffs and 1 more object; meters lost rows');
		assert.match(lines[first + 2]!, /^\? keys/);
		// The row counts stay where they were.
		assert.match(frame, /meters\s+3\s+2\s+-1/);
	});

	it('says so when nothing unexpected changed', async () => {
		const grown = snapshotOf({meters: 3, tariffs: 5, users: 7}, {migration: '0004-drop-legacy-tariffs', bytes: 64_000, indexes: before.indexes});
		const start = more([{type: 'snapshot.taken', phase: 'before', snapshot: before}], upgraded);
		const frame = await show(more([postCheck, ...compared(before, grown)], start)).waitForFrame('no unexpected change');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /Snapshots before → after: 0 added, 0 removed, 0 changed · 64 kB → 64 kB/);
		assert.doesNotMatch(frame, /^!/m);
	});

	it('counts the removals the applied migrations\' own statements name as theirs, not as unexpected', async () => {
		const start = more([{type: 'snapshot.taken', phase: 'before', snapshot: before}], upgraded);
		const state = more([postCheck, ...compared(before, after)], start);
		// 0004's statements drop tariffs and the index, and delete from meters.
		const named: RunState = {...state, plan: {...state.plan!, pending: state.plan!.pending.map(m => m.name === '0004-drop-legacy-tariffs' ? {...m, touches: {objects: ['meters', 'meters_kind', 'tariffs'], rows: ['meters', 'tariffs']}} : m)}};
		const frame = await show(named).waitForFrame('no unexpected change');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /^✓ no unexpected change \(3 made by the migrations' own statements\)$/m);
		// Rows gone from a table its statements only altered stay unexpected.
		const altered: RunState = {...state, plan: {...state.plan!, pending: state.plan!.pending.map(m => m.name === '0004-drop-legacy-tariffs' ? {...m, touches: {objects: ['meters', 'meters_kind', 'tariffs'], rows: ['tariffs']}} : m)}};
		current?.unmount();
		assert.match(await show(altered).waitForFrame('unexpected'), /^! 1 unexpected: meters lost rows$/m);
	});

	it('shows no snapshot section for a record older than snapshots', async () => {
		const frame = await show(more([postCheck, {type: 'post.compared', after: {}, diff: []}], upgraded)).waitForFrame('unchanged');
		assert.doesNotMatch(frame, /Snapshots before →/);
	});
});
