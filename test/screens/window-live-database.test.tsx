import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import type {RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {fold, planned, windowEvents} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

function show(state: RunState, decisions: RunEvent[]) {
	current = render(<App state={state} now={state.now} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive/>);
	return current;
}

const command = 'cutover import --db postgres://deploy@db-1/shop --migrations ./migrations --from flyway';
const live: RunEvent = {
	type: 'migrations.planned',
	applied: [],
	pending: planned.pending,
	adoption: {tables: ['meters', 'tariffs', 'users'], tableCount: 3, histories: ['flyway'], commands: [command, 'cutover baseline --db postgres://deploy@db-1/shop --migrations ./migrations --to <the last migration the schema already has>']},
};

describe('window screen on a live database without cutover history', () => {
	it('says so, offers the import and baseline commands in full at 80 columns, and the right name does not open it', async () => {
		const decisions: RunEvent[] = [];
		const events = windowEvents.map(event => event.type === 'migrations.planned' ? live : event);
		const ticked = fold([...events,
			{type: 'operator.prep-ticked', itemId: 'notify', ticked: true},
			{type: 'operator.prep-ticked', itemId: 'traffic', ticked: true}]);
		const screen = show(ticked, decisions);
		const frame = await screen.waitForFrame('LIVE DATABASE WITHOUT CUTOVER HISTORY');
		assert.deepEqual(overflowing(frame), []);
		const flat = frame.replaceAll(/\s+/g, ' ');
		assert.match(flat, /it has tables \(meters, tariffs, users\) but no cutover_migrations/);
		assert.match(flat, /History found: flyway/);
		assert.ok(flat.includes(command), flat);
		screen.stdin.write(keys.tab);
		await screen.waitForFrame('› Type the database name');
		screen.stdin.write('shop');
		await screen.waitForFrame('shop▌');
		screen.stdin.write(keys.enter);
		const refused = await screen.waitForFrame('but no cutover_migrations: its migrations');
		assert.match(refused, /! shop has 3 tables but no cutover_migrations/);
		assert.deepEqual(decisions, [], 'the window stays shut');
	});
});
