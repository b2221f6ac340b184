import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import type {MigrationRow, RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {visibleRows} from '../../screens/components/migration-rows.js';
import {overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, check, fold, orphanReadings, upgradeEvents} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

function show(state: RunState, now = state.now) {
	current = render(<App state={state} now={now} onDecision={() => {}} onQuit={() => {}} interactive/>);
	return current;
}

const proceeded = atProceed([orphanReadings]);
const more = (events: RunEvent[], start = proceeded) => fold(events, {start, at: i => start.now + ((i + 1) * 1000)});

const failed: RunEvent = {
	type: 'migration.failed',
	name: '0004-drop-legacy-tariffs',
	direction: 'up',
	error: 'relation "tariffs" does not exist',
	statement: 'drop table tariffs;\nalter table meters drop column tariff_id;\nselect 1;',
	durationMs: 20,
};

describe('upgrade screen', () => {
	it('shows done, running (with elapsed time from now) and irreversible migrations', async () => {
		const state = more(upgradeEvents);
		const frame = await show(state, state.now + 3000).waitForFrame('running');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /step 4 of 7 · Upgrade/);
		assert.match(frame, /✓ 0003-unique-meter-serial {2}done 340 ms/);
		assert.match(frame, /⟳ 0004-drop-legacy-tariffs {2}running 3 s {2}irreversible \(no down\)/);
		assert.match(frame, /✓ Pre-validation/);
	});

	it('shows pending migrations before they start', async () => {
		const state = more(upgradeEvents.slice(0, 2));
		const frame = await show(state).waitForFrame('pending');
		assert.match(frame, /· 0003-unique-meter-serial {2}pending/);
		assert.match(frame, /· 0004-drop-legacy-tariffs {2}pending {2}irreversible \(no down\)/);
	});

	it('shows a failed migration with its error and the start of its statement', async () => {
		const state = more([...upgradeEvents, failed, {type: 'upgrade.finished', ok: false}]);
		const frame = await show(state).waitForFrame('FAILED');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /✗ Upgrade stopped: 1 of 2 applied/);
		assert.match(frame, /✗ 0004-drop-legacy-tariffs {2}FAILED after 20 ms/);
		assert.match(frame, /error: relation "tariffs" does not exist/);
		assert.match(frame, /› drop table tariffs;\n\s+alter table meters drop column tariff_id; …/);
		assert.doesNotMatch(frame, /select 1/);
		// The error is on the row already, not repeated below it.
		assert.equal(frame.split('relation "tariffs" does not exist').length, 2);
	});

	it('collapses a long list around the migration in motion', () => {
		const row = (i: number, status: MigrationRow['status']): MigrationRow => ({name: `m${i}`, direction: 'up', reversible: true, status, attempt: 0, retry: null, startedAt: null, durationMs: null, error: null, statement: null});
		const rows = Array.from({length: 30}, (_, i) => row(i, i < 20 ? 'done' : (i === 20 ? 'running' : 'pending')));
		const lines = (v: ReturnType<typeof visibleRows>) => v.shown.length + (v.doneHidden > 0 ? 1 : 0) + (v.pendingHidden > 0 ? 1 : 0);
		const late = visibleRows(rows, 12);
		assert.equal(late.shown[0]?.name, 'm19');
		assert.equal(late.shown[1]?.status, 'running');
		assert.equal(late.doneHidden, 19);
		assert.equal(lines(late), 12);
		assert.equal(late.doneHidden + late.shown.length + late.pendingHidden, 30);

		const early = visibleRows(rows.map((r, i) => ({...r, status: i < 2 ? 'done' as const : (i === 2 ? 'running' as const : 'pending' as const)})), 12);
		assert.deepEqual(early.shown.slice(0, 2).map(r => r.name), ['m1', 'm2']);
		assert.equal(early.doneHidden, 1);
		assert.equal(early.pendingHidden, 19);
		assert.equal(lines(early), 12);

		const allDone = visibleRows(rows.map(r => ({...r, status: 'done' as const})), 12);
		assert.equal(allDone.pendingHidden, 0);
		assert.equal(allDone.shown.at(-1)?.name, 'm29');
		assert.equal(lines(allDone), 12);
	});
});

describe('post screen', () => {
	const upgraded = more([...upgradeEvents, {type: 'migration.finished', name: '0004-drop-legacy-tariffs', direction: 'up', durationMs: 20}, {type: 'upgrade.finished', ok: true}]);
	const postChecks: RunEvent[] = [
		{type: 'check.finished', result: check('post.meters-unique', 'passed', {phase: 'post', title: 'Meter serials unique'})},
		{type: 'check.finished', result: check('post.archive', 'failed', {phase: 'post', title: 'Archive holds the duplicates'})},
	];

	it('says it is comparing row counts until the comparison arrives', async () => {
		const frame = await show(more(postChecks, upgraded)).waitForFrame('Comparing row counts');
		assert.match(frame, /step 5 of 7 · Post-verification/);
		assert.match(frame, /Meter serials unique/);
	});

	it('shows the post checks and only the tables whose row count changed', async () => {
		const diff = [
			{table: 'meters', before: 3, after: 2, delta: -1},
			{table: 'readings', before: 10, after: 10, delta: 0},
			{table: 'tariffs', before: 4, after: null, delta: -4},
			{table: 'tariff_archive', before: null, after: 4, delta: 4},
			{table: 'users', before: 7, after: 7, delta: 0},
		];
		const state = more([...postChecks, {type: 'post.compared', after: {meters: 2, readings: 10, tariff_archive: 4, users: 7}, diff}], upgraded);
		const frame = await show(state).waitForFrame('unchanged');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /✓ passed {2}block {2}Meter serials unique/);
		assert.match(frame, /✗ FAILED {2}block {2}Archive holds the duplicat…\s+3 offending rows/);
		assert.match(frame, /meters\s+3\s+2\s+-1/);
		assert.match(frame, /tariffs\s+4\s+absent\s+-4/);
		assert.match(frame, /tariff_archive\s+absent\s+4\s+\+4/);
		assert.doesNotMatch(frame, /readings\s+10/);
		assert.match(frame, /2 tables unchanged/);
	});
});
