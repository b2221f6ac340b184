import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {Entry} from '../../source/engine/events.js';
import {control, startCursor, type Cursor, type Wait} from '../../source/replay/controller.js';
import {buildTimeline} from '../../source/replay/timeline.js';
import {ReplayScreen} from '../../screens/replay/replay-screen.js';
import {overflowing, render, type Rendered} from '../support/render.js';
import {positionOf, recordedEntries} from './replay-fixture.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

const RECORD = '/var/lib/cutover/records/20261122T020000Z-shop-r-7f3a9c.jsonl';

/** The replay screen wired to the real controller, as the console wires it, minus the timer. */
function replay(entries: Entry[], options: {damage?: string; cursor?: Cursor; wait?: Wait} = {}) {
	const timeline = buildTimeline(entries);
	let cursor = options.cursor ?? startCursor();
	let quits = 0;
	const element = () => (
		<ReplayScreen
			state={timeline.stateAt(cursor.position)}
			entry={timeline.entries[cursor.position]!}
			total={timeline.length}
			cursor={cursor}
			wait={options.wait ?? null}
			damage={options.damage ?? null}
			recordPath={RECORD}
			onAction={action => {
				cursor = control(cursor, action, timeline);
				screen.rerender(element());
			}}
			onQuit={() => quits++}
		/>
	);
	const screen = render(element());
	current = screen;
	return Object.assign(screen, {
		cursor: () => cursor,
		quits: () => quits,
	});
}

/** The live region: from the last header down. Static lines printed before a remount stay above it in a test frame. */
const live = (frame: string) => frame.slice(frame.lastIndexOf('cutover · step'));

describe('replay screen', () => {
	it('shows the live run\'s screen with the replay bar: paused, speed, event k/N and the original UTC time, in 80 columns', async () => {
		const screen = replay(recordedEntries);
		const frame = await screen.waitForFrame(' · event ');
		assert.match(frame, /cutover · step 1 of 7 · Maintenance window/);
		assert.match(frame, /^‖ paused ×1 · event 1\/26 · 2026-11-22T02:00:01\.000Z$/m);
		assert.match(frame, /^ {2}run\.started: run r-7f3a9c21-0d4e by Dana Ops/m);
		assert.deepEqual(overflowing(frame), []);
	});

	it('walks the screens step by step with ], each drawn from the recorded state', async () => {
		const screen = replay(recordedEntries);
		await screen.waitForFrame(' · event ');
		const headers = ['step 2 of 7 · Backup ', 'step 2 of 7 · Backup verification', 'step 3 of 7 · Pre-validation', 'step 4 of 7 · Upgrade', 'step 5 of 7 · Post-verification', 'step 6 of 7 · Rollback', 'step 7 of 7 · Summary'];
		for (const header of headers) {
			screen.stdin.write(']');
			// eslint-disable-next-line no-await-in-loop -- one key, then its frame
			const frame = await screen.waitForFrame(frame => live(frame).includes(header));
			assert.deepEqual(overflowing(frame), [], header);
		}

		const summary = live(screen.lastFrame());
		assert.match(summary, /✓ UPGRADED/);
		assert.match(summary, /Schema {3}0002-add-readings → 0003-unique-meter-serial/);
		assert.match(summary, /overrode pre\.duplicate-meters: known duplicates/);
		assert.match(summary.replaceAll(/\s+/g, ''), /Record\/var\/lib\/cutover\/records\/20261122T020000Z-shop-r-7f3a9c\.jsonl/);
		assert.match(summary, /■ end ×1 · event 26\/26/);
	});

	it('highlights the operator\'s decisions and overrides with a symbol, not only a colour', async () => {
		const screen = replay(recordedEntries, {cursor: {...startCursor(), position: positionOf('operator.override') - 1}});
		await screen.waitForFrame(' · event ');
		assert.doesNotMatch(screen.lastFrame(), /» /);
		screen.stdin.write('.');
		const override = await screen.waitForFrame('» OVERRIDE');
		assert.match(override, /» OVERRIDE operator\.override: operator overrode pre\.duplicate-meters/);
		screen.stdin.write('\u001B[C');
		const proceed = await screen.waitForFrame('» DECISION');
		assert.match(proceed, /» DECISION operator\.proceed: operator proceeded to the upgrade/);
		assert.match(proceed, /event 16\/26/);
	});

	it('is right after jumping back: the screens mount afresh on the earlier state', async () => {
		const screen = replay(recordedEntries);
		await screen.waitForFrame(' · event ');
		screen.stdin.write('G');
		await screen.waitForFrame('UPGRADED');
		screen.stdin.write('[');
		const rollback = live(await screen.waitForFrame(frame => live(frame).includes('step 6 of 7 · Rollback')));
		assert.doesNotMatch(rollback, /UPGRADED/);
		assert.match(rollback, /Waiting for the operator to choose/);
		assert.equal(screen.cursor().epoch, 1);
		screen.stdin.write('\u001B[D');
		const post = live(await screen.waitForFrame(frame => live(frame).includes('step 5 of 7 · Post-verification')));
		assert.match(post, /event 22\/26/);
		screen.stdin.write('g');
		const first = live(await screen.waitForFrame(frame => live(frame).includes('event 1/26')));
		assert.match(first, /step 1 of 7 · Maintenance window/);
		assert.doesNotMatch(first, /Confirmed by typing/);
	});

	it('takes keys typed quickly as one string one by one', async () => {
		const screen = replay(recordedEntries);
		await screen.waitForFrame(' · event ');
		screen.stdin.write(']]]');
		await screen.waitForFrame(frame => live(frame).includes('step 3 of 7 · Pre-validation'));
		assert.equal(screen.cursor().position, positionOf('verify.finished'));
		screen.stdin.write('>>');
		await screen.waitForFrame('‖ paused ×16');
	});

	it('lists the replay\'s own keys on ?, and q leaves', async () => {
		const screen = replay(recordedEntries);
		await screen.waitForFrame('? keys · q leave');
		screen.stdin.write('?');
		const help = await screen.waitForFrame('Keys on this screen');
		assert.match(help, /space {6}play or pause at the recorded pace/);
		assert.match(help, /\] \[ {8}next step/);
		assert.match(help, /> < {8}faster, slower: ×1 ×4 ×16 instant/);
		assert.deepEqual(overflowing(help), []);
		screen.stdin.write('q');
		assert.equal(screen.quits(), 1);
	});

	it('says when an idle gap is cut short and where a damaged record stops', async () => {
		const cursor: Cursor = {...startCursor(), position: positionOf('operator.override') - 1, playing: true, speed: 4};
		const screen = replay(recordedEntries, {cursor, wait: {ms: 2000, recordedMs: 600_000, capped: true}, damage: 'line 27 is not JSON'});
		const frame = await screen.waitForFrame(' · event ');
		assert.match(frame, /^▶ playing ×4 · event 14\/26 · 2026-11-22T02:00:14\.000Z · idle 10 m 00 s → 2 s$/m);
		assert.match(frame, /! the record stops early: line 27 is not JSON/);
		assert.deepEqual(overflowing(frame), []);
	});
});
