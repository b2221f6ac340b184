import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import type {RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, fold, orphanReadings, upgradeEvents} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

const proceeded = atProceed([orphanReadings]);
const more = (events: RunEvent[], start: RunState = proceeded) => fold(events, {start, at: i => start.now + ((i + 1) * 1000)});
const show = (state: RunState) => {
	current = render(<App state={state} now={state.now} onDecision={() => {}} onQuit={() => {}} interactive/>);
	return current;
};

describe('upgrade screen: locks', () => {
	it('shows a lock-timeout retry and who waits behind the migration, within 80 columns', async () => {
		const state = more([
			...upgradeEvents,
			{type: 'migration.retrying', name: '0004-drop-legacy-tariffs', attempt: 1, maxAttempts: 3, waitMs: 2000, error: 'canceling statement due to lock timeout'},
			{type: 'watch.sampled', sample: {waiters: [{pid: 4242, user: 'app', application: 'shop-web', waitingMs: 3200, query: 'SELECT * FROM tariffs WHERE id = $1', blockedBy: [777]}], more: 0}},
		]);
		const frame = await show(state).waitForFrame('attempt 1 of 3');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /running 2 s {2}irreversible \(no down\)\n {2}! attempt 1 of 3 timed out waiting for a lock; next try in 2 s\n/);
		assert.match(frame, /locks: 1 session waiting, longest 3 s/);
		assert.match(frame, /4242 app 3 s ← 777: SELECT \* FROM tariffs/);
	});

	it('a new attempt clears the retry line; a quiet sample says nobody waits', async () => {
		const state = more([
			...upgradeEvents,
			{type: 'migration.retrying', name: '0004-drop-legacy-tariffs', attempt: 1, maxAttempts: 3, waitMs: 2000, error: 'lock timeout'},
			{type: 'migration.started', name: '0004-drop-legacy-tariffs', direction: 'up'},
			{type: 'watch.sampled', sample: {waiters: [], more: 0}},
		]);
		const frame = await show(state).waitForFrame('nobody waits');
		assert.doesNotMatch(frame, /attempt 1 of 3/);
		assert.equal(state.migrations.find(m => m.name === '0004-drop-legacy-tariffs')?.attempt, 2);
	});
});
