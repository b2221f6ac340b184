import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import {useState} from 'react';
import {App} from '../../screens/app.js';
import {SqliteWatchScreen} from '../../screens/watch/sqlite-watch-screen.js';
import {WatchScreen, type WatchIntent} from '../../screens/watch/watch-screen.js';
import type {RunEvent} from '../../source/engine/events.js';
import type {RunState} from '../../source/engine/state.js';
import {initialWatchState, reduceWatch, type WatchState} from '../../source/watch/watch-state.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, duplicateMeters, fold, windowEvents} from '../support/run-fixtures.js';
import {row} from '../watch/rows.js';
import {snapshot} from '../watch/watch-state.test.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

const F1 = '\u001BOP';
const pasted = (text: string) => `\u001B[200~${text}\u001B[201~`;
const settle = async () => new Promise(resolve => setImmediate(resolve));

function show(state: RunState): Rendered & {decisions: RunEvent[]} {
	const decisions: RunEvent[] = [];
	current = render(<App state={state} now={state.now} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive/>);
	return Object.assign(current, {decisions});
}

/** The window with every item ticked and the name field focused, as an operator leaves it before typing. */
async function atNameField(): Promise<Rendered & {decisions: RunEvent[]}> {
	const screen = show(fold([...windowEvents, {type: 'operator.prep-ticked', itemId: 'notify', ticked: true}, {type: 'operator.prep-ticked', itemId: 'traffic', ticked: true}]));
	await screen.waitForFrame('(2/2 ticked)');
	screen.stdin.write(keys.tab);
	await screen.waitForFrame('› Type the database name');
	return screen;
}

const confirmed = (decisions: RunEvent[]) => decisions.filter(d => d.type === 'operator.window-confirmed');

describe('text fields take pasted text, at 80 columns', () => {
	for (const [what, chunk] of [['CR', 'shop\r'], ['LF', 'shop\n'], ['CRLF', 'shop\r\n']] as const) {
		it(`submits a name pasted with its Enter (${what}) in one chunk`, async () => {
			const screen = await atNameField();
			screen.stdin.write(chunk);
			await screen.waitForFrame('Type the database name to continue: shop');
			await settle();
			assert.deepEqual(confirmed(screen.decisions), [{type: 'operator.window-confirmed', typedName: 'shop'}]);
		});
	}

	it('types a pasted name without Enter, and Enter then submits it', async () => {
		const screen = await atNameField();
		screen.stdin.write('shop');
		await screen.waitForFrame('continue: shop▌');
		assert.deepEqual(confirmed(screen.decisions), []);
		screen.stdin.write(keys.enter);
		await settle();
		assert.deepEqual(confirmed(screen.decisions), [{type: 'operator.window-confirmed', typedName: 'shop'}]);
	});

	it('takes a bracketed paste as text: no markers typed, a line break in it is no Enter', async () => {
		const screen = await atNameField();
		screen.stdin.write(pasted('sh\rop'));
		const frame = await screen.waitForFrame('continue: sh op▌');
		assert.doesNotMatch(frame, /200~|201~/);
		assert.deepEqual(confirmed(screen.decisions), []);
		for (const _ of 'sh op') {
			screen.stdin.write(keys.backspace);
		}

		await screen.waitForFrame('continue: ▌');
		screen.stdin.write(pasted('shop'));
		await screen.waitForFrame('continue: shop▌');
		screen.stdin.write(keys.enter);
		await settle();
		assert.deepEqual(confirmed(screen.decisions), [{type: 'operator.window-confirmed', typedName: 'shop'}]);
	});

	it('takes an override reason pasted with its Enter in one chunk', async () => {
		const screen = show(atProceed([duplicateMeters]));
		await screen.waitForFrame('No duplicate meter serials');
		screen.stdin.write('o');
		await screen.waitForFrame('Reason');
		screen.stdin.write('known duplicates, fixed by 0005\r');
		await screen.waitForFrame(frame => !frame.includes('› Reason'));
		await settle();
		assert.deepEqual(screen.decisions.filter(d => d.type === 'operator.override'), [{type: 'operator.override', checkId: 'pre.duplicate-meters', reason: 'known duplicates, fixed by 0005'}]);
	});
});

describe('the help stays reachable from a text field, at 80 columns', () => {
	it('opens on ? while the field is empty, and says so on the key line', async () => {
		const screen = await atNameField();
		const frame = screen.lastFrame();
		assert.match(frame, /\? or F1 keys/);
		assert.deepEqual(overflowing(frame), []);
		screen.stdin.write('?');
		const help = await screen.waitForFrame('Keys on this screen');
		assert.match(help, /\?, F1 +show or hide this help/);
		screen.stdin.write(keys.escape);
		await screen.waitForFrame(f => f.includes('continue: ▌'));
	});

	it('types ? as text once the field holds something, and F1 still opens the help', async () => {
		const screen = await atNameField();
		screen.stdin.write('s');
		const typed = await screen.waitForFrame(f => f.includes('continue: s▌') && f.includes('· F1 keys ·'));
		assert.doesNotMatch(typed, /\? or F1/);
		screen.stdin.write('?');
		await screen.waitForFrame('continue: s?▌');
		screen.stdin.write(F1);
		await screen.waitForFrame('Keys on this screen');
		screen.stdin.write(F1);
		// The half-typed name survives a look at the keys.
		await screen.waitForFrame('continue: s?▌');
	});

	it('opens on ? in the override reason while it is empty', async () => {
		const screen = show(atProceed([duplicateMeters]));
		await screen.waitForFrame('No duplicate meter serials');
		screen.stdin.write('o');
		await screen.waitForFrame('? or F1 keys');
		screen.stdin.write('?');
		const help = await screen.waitForFrame('Keys on this screen');
		assert.match(help, /override the selected blocking failure/);
	});
});

function WatchHarness({start, effects}: {start: WatchState; effects: WatchIntent[]}) {
	const [state, setState] = useState(start);
	return (
		<WatchScreen state={state} now={10_000} width={80} height={24} interactive onIntent={intent => {
			if (intent.type === 'action-confirmed' || intent.type === 'copy-query' || intent.type === 'size-requested' || intent.type === 'quit') {
				effects.push(intent);
			} else {
				setState(previous => reduceWatch(previous, intent));
			}
		}}/>
	);
}

describe('cutover watch shows its keys, at 80 columns', () => {
	it('on ? (and F1), and back on ? or Esc', async () => {
		const effects: WatchIntent[] = [];
		const start = reduceWatch(initialWatchState('postgres://db-1/shop'), {type: 'refreshed', snapshot: snapshot([row(101, {query: 'SELECT 1'})])});
		current = render(<WatchHarness start={start} effects={effects}/>);
		const list = await current.waitForFrame('[1 running]');
		assert.match(list, /\? keys q$/m);
		current.stdin.write('?');
		const help = await current.waitForFrame('Keys on this screen');
		assert.deepEqual(overflowing(help), []);
		assert.match(help, /c +cancel its query/);
		assert.match(help, /k +terminate its session/);
		assert.match(help, /\/ +filter by a regex/);
		// Keys of the list do nothing under the help.
		current.stdin.write('c');
		await settle();
		assert.match(current.lastFrame(), /Keys on this screen/);
		current.stdin.write(keys.escape);
		await current.waitForFrame('[1 running]');
		current.stdin.write(F1);
		await current.waitForFrame('Keys on this screen');
		current.stdin.write('?');
		await current.waitForFrame('[1 running]');
		assert.deepEqual(effects, []);
	});

	it('on a SQLite file too: ? (and F1) shows its keys, ? or Esc goes back', async () => {
		let quits = 0;
		const info = {path: '/srv/app/app.db', fileBytes: 4096, walBytes: null, journalMode: 'rollback' as const, pageSize: 4096, pageCount: 1, locks: {writer: [], readers: []}, hotJournal: false};
		current = render(<SqliteWatchScreen info={info} error={null} width={80} interactive onQuit={() => {
			quits++;
		}}/>);
		const file = await current.waitForFrame('busy: no writer');
		assert.match(file, /\? keys · q quit/);
		current.stdin.write('?');
		const help = await current.waitForFrame('Keys on this screen');
		assert.deepEqual(overflowing(help), []);
		assert.match(help, /cutover watch · sqlite:\/srv\/app\/app\.db/);
		assert.match(help, /\?, F1 +show or hide this help/);
		assert.match(help, /q +leave/);
		assert.doesNotMatch(help, /busy:/);
		current.stdin.write(keys.escape);
		await current.waitForFrame('busy: no writer');
		current.stdin.write(F1);
		await current.waitForFrame('Keys on this screen');
		current.stdin.write('?');
		await current.waitForFrame('busy: no writer');
		assert.equal(quits, 0);
		current.stdin.write('q');
		await current.waitForFrame(() => quits === 1);
	});
});
