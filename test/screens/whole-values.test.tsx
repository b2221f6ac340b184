// The restore cost, the summary's paths and error details are read whole at 80 columns (wrapped,
// or one key away), and a short terminal keeps the selected way back on screen.
import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import {rollbackOptions} from '../../source/engine/gates.js';
import type {RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, cleanPlanned, fingerprinted, fold, orphanReadings, started, upgradeEvents, windowPlanned} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

function show(state: RunState, options: {columns?: number; rows?: number; recordPath?: string} = {}) {
	const record = options.recordPath === undefined ? {} : {recordPath: options.recordPath};
	current = render(<App state={state} now={state.now} onDecision={() => {}} onQuit={() => {}} interactive {...record}/>, options);
	return current;
}

/** Text with line breaks and wrapped lines' indentation folded into single spaces. */
const flat = (frame: string) => frame.replaceAll(/\s+/g, ' ');
/** Without whitespace or box borders: a word longer than a line is broken inside, wherever the edge falls. */
const squash = (text: string) => text.replaceAll(/[\s│]+/g, '');
const more = (events: RunEvent[], start: RunState) => fold(events, {start, at: i => start.now + ((i + 1) * 1000)});

const failedError = 'insert or update on table "readings" violates foreign key constraint "readings_meter_id_fkey": Key (meter_id)=(9123) is not present in table "meters" (SQLSTATE 23503)';
const failedStatement = 'alter table readings\n  add constraint readings_meter_id_fkey\n  foreign key (meter_id) references meters (id);';
const upgradeFailing = more([
	...upgradeEvents,
	{type: 'migration.failed', name: '0004-drop-legacy-tariffs', direction: 'up', error: failedError, statement: failedStatement, durationMs: 20},
], atProceed([orphanReadings]));
const failedUpgrade = more([{type: 'upgrade.finished', ok: false}], upgradeFailing);

// What PostgreSQL's restore adds to the cost: longer than the four lines the prompt used to cut it to.
const replacedNote = 'the original is kept as shop_cutover_replaced_20261122T020000Z until you drop it (DROP DATABASE "shop_cutover_replaced_20261122T020000Z"); needs room for a second copy and no other session connected';
const offered = more([{
	type: 'rollback.offered',
	reason: 'The upgrade failed: 0004-drop-legacy-tariffs did not apply',
	options: rollbackOptions(failedUpgrade).map(o => o.choice === 'restore' ? {...o, cost: `${o.cost}; ${replacedNote}`} : o),
}], failedUpgrade);
const restoreCost = offered.rollback!.options.find(o => o.choice === 'restore')!.cost;

/** The lines from the header down: the live frame, which must stay within the terminal's rows. */
const live = (frame: string) => frame.split('\n').slice(frame.split('\n').findIndex(line => line.startsWith('cutover · step')));

describe('the rollback prompt', () => {
	it('shows the selected restore\'s whole cost at 80x24', async () => {
		const screen = show(offered);
		await screen.waitForFrame('› 3. Keep');
		screen.stdin.write(keys.up);
		const frame = await screen.waitForFrame('› 2. Restore the backup');
		assert.deepEqual(overflowing(frame), []);
		assert.ok(flat(frame).includes(flat(`cost: ${restoreCost}`)), frame);
		assert.ok(live(frame).length < 24, `${live(frame).length} lines`);
	});

	it('keeps the selected option on screen at 40x10, and w shows its whole text', async () => {
		const screen = show(offered, {columns: 40, rows: 10});
		for (const label of ['› 3. Keep as it is', '› 2. Restore the backup', '› 1. Downgrade']) {
			// eslint-disable-next-line no-await-in-loop -- one key, then its frame
			const frame = await screen.waitForFrame(label);
			assert.deepEqual(overflowing(frame, 40), []);
			const lines = live(frame);
			assert.ok(lines.length < 10, `the live frame takes ${lines.length} of 10 rows:\n${lines.join('\n')}`);
			assert.ok(lines.some(line => line.startsWith('›')));
			screen.stdin.write(keys.up);
		}

		screen.stdin.write(keys.down);
		await screen.waitForFrame('› 2. Restore the backup');
		assert.match(screen.lastFrame(), /w whole/);
		screen.stdin.write('w');
		const whole = await screen.waitForFrame('w short form');
		assert.deepEqual(overflowing(whole, 40), []);
		assert.ok(squash(whole).includes(squash(`cost: ${restoreCost}`)), whole);
		screen.stdin.write(keys.escape);
		await screen.waitForFrame('w whole');
	});

	it('says the terminal is too small when not even the options fit, and keeps the pointer', async () => {
		const frame = await show(offered, {columns: 40, rows: 6}).waitForFrame('› 3. Keep');
		assert.match(flat(frame), /The terminal is too small for this prompt/);
	});
});

describe('error details', () => {
	it('the upgrade screen cuts the error and statement to its rows, says so, and e shows them whole', async () => {
		const screen = show(upgradeFailing);
		const frame = await screen.waitForFrame('e shows the whole error and statement');
		assert.deepEqual(overflowing(frame), []);
		assert.ok(!flat(frame).includes(failedError));
		screen.stdin.write('e');
		const whole = await screen.waitForFrame('Errors of this run, whole');
		assert.deepEqual(overflowing(whole), []);
		assert.ok(squash(whole).includes(squash(`✗ upgrade: 0004-drop-legacy-tariffs: ${failedError}`)), whole);
		assert.ok(squash(whole).includes(squash(`in: ${failedStatement}`)), whole);
		screen.stdin.write(keys.escape);
		await screen.waitForFrame('e shows the whole error and statement');
	});

	it('a step\'s errors cut to a line say e shows them whole', async () => {
		const message = `the maintenance hook "curl -fsS https://status.example.com/api/maintenance/on" exited with 22: ${'curl: (22) The requested URL returned error: 503 '.repeat(2)}`;
		const state = fold([started, fingerprinted, cleanPlanned, windowPlanned, {type: 'error', step: 'window', message}]);
		const screen = show(state);
		await screen.waitForFrame('e shows the errors whole');
		// The name field has the keyboard there: e is text, so leave it first (Esc to the checklist).
		screen.stdin.write(keys.escape);
		await screen.waitForFrame('? keys · q leave');
		screen.stdin.write('e');
		const whole = await screen.waitForFrame('Errors of this run, whole');
		assert.deepEqual(overflowing(whole), []);
		assert.ok(squash(whole).includes(squash(`✗ window: ${message}`)), whole);
	});
});

describe('the summary at 80 columns', () => {
	it('wraps the backup and record paths whole under their labels', async () => {
		const backup = '/srv/cutover/backups/production-eu-central-1/shop_production_eu-20261122T020000Z-7f3a9c21.dump';
		const record = '/srv/cutover/records/production-eu-central-1/20261122T020000Z-shop_production_eu-7f3a9c21.jsonl';
		const state = more([
			{type: 'rollback.offered', reason: 'The upgrade failed', options: rollbackOptions(failedUpgrade)},
			{type: 'operator.rollback-chosen', choice: 'keep'},
			{type: 'rollback.finished', choice: 'keep', ok: true, detail: 'kept as it is', durationMs: 0},
			{type: 'run.finished', outcome: 'failed', versionBefore: '0002-add-readings', versionAfter: '0003-unique-meter-serial'},
		], fold([{type: 'backup.finished', artifact: {path: backup, format: 'pg-custom', bytes: 1_200_000, sha256: 'ab12'.repeat(16), sourceCounts: {}}, durationMs: 2000}], {start: failedUpgrade}));
		const frame = await show(state, {recordPath: record}).waitForFrame('Record');
		assert.deepEqual(overflowing(frame), []);
		const joined = frame.replaceAll(/\n {9}/g, '');
		assert.ok(joined.includes(`Backup   1.2 MB · ${backup}`), frame);
		assert.ok(joined.includes(`Record   ${record}`), frame);
	});
});

describe('the window\'s preparation items', () => {
	it('indent every wrapped line by 6, also after a word that fills a line', async () => {
		// 74 columns of words, then more: the line breaks right after a word that ends at the edge.
		const text = `${'abcd '.repeat(14)}wxyz then the rest of the item`;
		const state = fold([started, fingerprinted, cleanPlanned, {...windowPlanned, prep: [{id: 'a', text}, {id: 'b', text: 'short'}]} as RunEvent]);
		const frame = await show(state).waitForFrame('Type the database name');
		const lines = frame.split('\n');
		const first = lines.findIndex(line => line.includes('[ ] abcd'));
		assert.match(lines[first + 1]!, /^ {6}then the rest of the item$/);
	});
});
