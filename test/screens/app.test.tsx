import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import type {RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {rollbackOptions} from '../../source/engine/gates.js';
import {atProceed, backupDone, duplicateMeters, fold, orphanReadings, staleTariffs, verified, windowConfirmed, windowEvents} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

type Spy = {decisions: RunEvent[]; quits: number};

function show(state: RunState, interactive = true): Rendered & {spy: Spy} {
	const spy: Spy = {decisions: [], quits: 0};
	const element = (s: RunState) => (
		<App state={s} now={s.now} onDecision={event => spy.decisions.push(event)} onQuit={() => spy.quits++} interactive={interactive}/>
	);
	current = render(element(state));
	return Object.assign(current, {spy});
}

const settle = async () => new Promise(resolve => setImmediate(resolve));

const finished = fold([...windowEvents, {type: 'operator.abandoned', reason: 'window moved'}, {type: 'run.finished', outcome: 'abandoned', versionBefore: '0002-add-readings', versionAfter: '0002-add-readings'}]);

describe('app', () => {
	it('toggles a help overlay with the keys of the current screen on ?', async () => {
		const screen = show(atProceed([duplicateMeters]));
		await screen.waitForFrame('? keys · q leave');
		screen.stdin.write('?');
		const help = await screen.waitForFrame('Keys on this screen');
		assert.deepEqual(overflowing(help), []);
		assert.match(help, /s {10}show or hide the SQL of the selected check/);
		assert.match(help, /o {10}override the selected blocking failure/);
		assert.doesNotMatch(help, /No duplicate meter serials/);
		// The screen under the overlay takes no keys.
		screen.stdin.write('o');
		await settle();
		assert.doesNotMatch(screen.lastFrame(), /Reason:/);
		screen.stdin.write('?');
		await screen.waitForFrame(frame => !frame.includes('Keys on this screen') && frame.includes('No duplicate meter serials'));
	});

	it('closes the help with Esc, keeping what the screen held', async () => {
		const screen = show(fold(windowEvents));
		await screen.waitForFrame('? keys');
		screen.stdin.write(keys.down);
		await screen.waitForFrame('› [ ] Writes');
		screen.stdin.write('?');
		const help = await screen.waitForFrame('Keys on this screen');
		assert.match(help, /space {6}tick or untick the selected item/);
		assert.doesNotMatch(help, /Writes from the billing job/);
		screen.stdin.write(keys.escape);
		await screen.waitForFrame(frame => !frame.includes('Keys on this screen') && frame.includes('› [ ] Writes'));
	});

	it('asks before leaving a run in progress and calls onQuit only after y', async () => {
		const screen = show(atProceed([orphanReadings]));
		await screen.waitForFrame('? keys · q leave');
		screen.stdin.write('q');
		await screen.waitForFrame('Leave the run? y/n');
		assert.equal(screen.spy.quits, 0);
		screen.stdin.write('n');
		await screen.waitForFrame(frame => !frame.includes('Leave the run?'));
		assert.equal(screen.spy.quits, 0);

		screen.stdin.write('q');
		await screen.waitForFrame('Leave the run? y/n');
		// Keys other than y and n leave the question open and reach no screen.
		screen.stdin.write(keys.enter);
		await settle();
		assert.match(screen.lastFrame(), /Leave the run\? y\/n/);
		assert.deepEqual(screen.spy.decisions, []);
		screen.stdin.write('y');
		assert.equal(screen.spy.quits, 1);
	});

	it('asks on Ctrl-C too, even while the operator is typing', async () => {
		const screen = show(fold(windowEvents));
		await screen.waitForFrame('? keys');
		screen.stdin.write(keys.tab);
		await screen.waitForFrame('Ctrl-C leave');
		screen.stdin.write(keys.ctrlC);
		await screen.waitForFrame('Leave the run? y/n');
		screen.stdin.write('y');
		assert.equal(screen.spy.quits, 1);
	});

	it('leaves at once on q when the run is finished', async () => {
		const screen = show(finished);
		await screen.waitForFrame('ABANDONED');
		screen.stdin.write('q');
		assert.equal(screen.spy.quits, 1);
		assert.doesNotMatch(screen.lastFrame(), /Leave the run/);
	});

	it('in replay emits no decision on any screen, and q leaves without asking', async () => {
		const states = [
			fold(windowEvents),
			atProceed([duplicateMeters]),
			fold([...windowEvents, ...windowConfirmed, ...backupDone, verified(false)]),
		];
		for (const state of states) {
			const screen = show(state, false);
			// eslint-disable-next-line no-await-in-loop -- one key, then its frame
			await screen.waitForFrame('cutover');
			for (const key of [keys.space, keys.tab, 'shop', keys.enter, 'o', 'a reason that is long enough', keys.enter, keys.down, keys.enter, 'y']) {
				screen.stdin.write(key);
				// eslint-disable-next-line no-await-in-loop -- one key, then its frame
				await settle();
			}

			assert.deepEqual(screen.spy.decisions, []);
			screen.stdin.write('q');
			assert.equal(screen.spy.quits, 1);
			screen.unmount();
			current = undefined;
		}
	});

	it('prints each finished step once, above the live screen', async () => {
		const base = fold([...windowEvents, ...windowConfirmed]);
		const screen = show(base);
		await screen.waitForFrame('Confirmed by typing shop');
		assert.doesNotMatch(screen.lastFrame(), /✓ Maintenance window/);
		const later = fold([...windowEvents, ...windowConfirmed, ...backupDone]);
		screen.rerender(<App state={later} now={later.now} onDecision={() => {}} onQuit={() => {}} interactive/>);
		const frame = await screen.waitForFrame('Verifying the backup');
		assert.equal(frame.split('✓ Maintenance window').length, 2);
		assert.equal(frame.split('✓ Backup  ').length, 2);
		assert.ok(frame.indexOf('✓ Maintenance window') < frame.indexOf('cutover · step 2 of 7'));
		const verifiedState = fold([...windowEvents, ...windowConfirmed, ...backupDone, verified(true)]);
		screen.rerender(<App state={verifiedState} now={verifiedState.now} onDecision={() => {}} onQuit={() => {}} interactive/>);
		const next = await screen.waitForFrame('step 3 of 7');
		assert.equal(next.split('✓ Maintenance window').length, 2);
		assert.match(next, /✓ Backup verification\s+\d+ m?s\s+2\/2 verification items ok/);
	});
});

describe('live region', () => {
	/** Lines from the header down: what Ink redraws on every update, which must fit a 24-row terminal. */
	const liveLines = (frame: string) => {
		const header = frame.indexOf('cutover · step');
		assert.notEqual(header, -1, 'the header is missing');
		return frame.slice(header).split('\n').length;
	};

	const failedUpgrade: RunEvent[] = [
		{type: 'operator.proceed', step: 'pre'},
		{type: 'upgrade.started', names: ['0003-unique-meter-serial', '0004-drop-legacy-tariffs']},
		{type: 'migration.started', name: '0003-unique-meter-serial', direction: 'up'},
		{type: 'migration.finished', name: '0003-unique-meter-serial', direction: 'up', durationMs: 340},
		{type: 'migration.started', name: '0004-drop-legacy-tariffs', direction: 'up'},
		{type: 'migration.failed', name: '0004-drop-legacy-tariffs', direction: 'up', error: 'relation "tariffs" does not exist', statement: 'drop table tariffs;\nselect 1;', durationMs: 20},
		{type: 'upgrade.finished', ok: false},
	];
	const atRollback = fold(failedUpgrade, {start: atProceed([orphanReadings]), at: i => 1e12 + i});
	const withRollback = fold([{type: 'rollback.offered', reason: 'The upgrade failed: 0004-drop-legacy-tariffs did not apply', options: rollbackOptions(atRollback)}], {start: atRollback, at: () => 1e12 + 100});

	const cases: Array<[string, RunState]> = [
		['window with hook output and refused reasons', fold([...windowEvents,
			{type: 'command.started', id: 'on', purpose: 'maintenance on', command: 'maint on'},
			...['a', 'b', 'c', 'd'].map(line => ({type: 'command.output', id: 'on', line}) satisfies RunEvent)])],
		['pre-validation with evidence', atProceed([duplicateMeters, orphanReadings, staleTariffs])],
		['rollback', withRollback],
	];
	for (const [name, state] of cases) {
		it(`fits 80x24: ${name}`, async () => {
			const screen = show(state);
			const frame = await screen.waitForFrame('? keys');
			if (name.startsWith('window')) {
				screen.stdin.write(keys.enter);
				await screen.waitForFrame('preparation not ticked');
			}

			assert.deepEqual(overflowing(screen.lastFrame()), []);
			assert.ok(liveLines(screen.lastFrame()) <= 24, `${liveLines(screen.lastFrame())} lines:\n${frame}`);
		});
	}
});
