import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {Entry, RunEvent} from '../../source/engine/events.js';
import {reduce} from '../../source/engine/reduce.js';
import {initialState} from '../../source/engine/state.js';
import {control, IDLE_CAP_MS, startCursor, waitAfter, type Cursor, type ReplayAction} from '../../source/replay/controller.js';
import {createPlayer, type Scheduler} from '../../source/replay/player.js';
import {buildTimeline, SNAPSHOT_EVERY} from '../../source/replay/timeline.js';
import {started, T0} from '../support/run-fixtures.js';
import {positionOf, recordedEntries} from './replay-fixture.js';

const timeline = buildTimeline(recordedEntries);
const last = recordedEntries.length - 1;
const run = (actions: ReplayAction['type'][], from: Cursor = startCursor()): Cursor =>
	actions.reduce((cursor, type) => control(cursor, {type} as ReplayAction, timeline), from);
const at = (position: number, more: Partial<Cursor> = {}): Cursor => ({...startCursor(), position, ...more});

describe('replay controller', () => {
	it('starts paused on the first event at ×1', () => {
		assert.deepEqual(startCursor(), {position: 0, playing: false, speed: 1, epoch: 0});
	});

	it('steps one event forward and back, within the record; only going back starts a new epoch', () => {
		assert.deepEqual(run(['forward', 'forward']), at(2));
		assert.deepEqual(run(['back']), at(0), 'nothing before the first event');
		assert.deepEqual(run(['back'], at(5)), at(4, {epoch: 1}));
		assert.deepEqual(run(['forward'], at(last)), at(last));
		assert.deepEqual(run(['forward'], at(3, {playing: true})), at(4), 'stepping pauses');
	});

	it('jumps to the first event of each next step with ], and to the end after the summary', () => {
		const starts: number[] = [];
		let cursor = startCursor();
		for (let i = 0; i < 8; i++) {
			cursor = control(cursor, {type: 'next-step'}, timeline);
			starts.push(cursor.position);
		}

		assert.deepEqual(starts, [
			positionOf('backup.started'),
			positionOf('backup.finished'),
			positionOf('verify.finished'),
			positionOf('upgrade.started'),
			positionOf('upgrade.finished'),
			positionOf('rollback.offered'),
			positionOf('run.finished'),
			positionOf('run.finished'),
		]);
		assert.deepEqual(starts.map(p => timeline.stepAt[p]), ['backup', 'verify', 'pre', 'upgrade', 'post', 'rollback', 'summary', 'summary']);
		assert.equal(cursor.epoch, 0);
	});

	it('goes back with [ to the start of this step, then of the one before', () => {
		const upgrade = positionOf('upgrade.started');
		const inUpgrade = at(upgrade + 2);
		const once = run(['previous-step'], inUpgrade);
		assert.deepEqual(once, at(upgrade, {epoch: 1}));
		const twice = run(['previous-step'], once);
		assert.deepEqual(twice, at(positionOf('verify.finished'), {epoch: 2}));
		assert.deepEqual(run(['previous-step'], at(0)), at(0), 'the first step has no step before it');
	});

	it('changes speed ×1 → ×4 → ×16 → instant and back, stopping at both ends', () => {
		assert.deepEqual([1, 2, 3, 4].map(n => run(Array.from({length: n}, () => 'faster' as const)).speed), [4, 16, 'instant', 'instant']);
		assert.equal(run(['slower']).speed, 1);
		assert.equal(run(['faster', 'faster', 'slower']).speed, 4);
	});

	it('plays and pauses with space; instant play goes straight to the end', () => {
		assert.deepEqual(run(['toggle']), at(0, {playing: true}));
		assert.deepEqual(run(['toggle', 'toggle']), at(0));
		assert.deepEqual(run(['faster', 'faster', 'faster', 'toggle']), at(last, {speed: 'instant'}));
		assert.deepEqual(run(['toggle', 'faster', 'faster', 'faster']), at(last, {speed: 'instant'}), 'switching to instant while playing');
		assert.deepEqual(run(['toggle'], at(last)), at(0, {playing: true, epoch: 1}), 'play at the end starts over');
	});

	it('moves one event per tick while playing and stops on the last', () => {
		assert.deepEqual(run(['tick']), at(0), 'a tick while paused does nothing');
		assert.deepEqual(run(['toggle', 'tick', 'tick']), at(2, {playing: true}));
		assert.deepEqual(run(['tick'], at(last - 1, {playing: true})), at(last));
	});

	it('first and last jump to the ends', () => {
		assert.deepEqual(run(['last']), at(last));
		assert.deepEqual(run(['first'], at(7)), at(0, {epoch: 1}));
	});
});

describe('replay timing', () => {
	const override = positionOf('operator.override');

	it('waits the recorded gap divided by the speed', () => {
		assert.deepEqual(waitAfter(at(0), recordedEntries), {ms: 1000, recordedMs: 1000, capped: false});
		assert.deepEqual(waitAfter(at(0, {speed: 4}), recordedEntries), {ms: 250, recordedMs: 1000, capped: false});
		assert.deepEqual(waitAfter(at(0, {speed: 'instant'}), recordedEntries), {ms: 0, recordedMs: 1000, capped: false});
		assert.equal(waitAfter(at(last), recordedEntries), null);
	});

	it('cuts a long idle gap (ten minutes of thinking) to a couple of seconds, and says it did', () => {
		assert.deepEqual(waitAfter(at(override - 1), recordedEntries), {ms: IDLE_CAP_MS, recordedMs: 600_000, capped: true});
		assert.deepEqual(waitAfter(at(override - 1, {speed: 16}), recordedEntries), {ms: IDLE_CAP_MS, recordedMs: 600_000, capped: true});
	});

	it('treats a clock that stepped back as no gap', () => {
		const entries: Entry[] = [{seq: 0, at: T0, event: started}, {seq: 1, at: T0 - 5000, event: {type: 'baseline.captured', counts: {}}}];
		assert.deepEqual(waitAfter(at(0), entries), {ms: 0, recordedMs: 0, capped: false});
	});
});

describe('replay player', () => {
	function fakeScheduler() {
		const pending: Array<{fire: () => void; ms: number}> = [];
		const scheduler: Scheduler = {
			set(fire, ms) {
				const timer = {fire, ms};
				pending.push(timer);
				return timer;
			},
			clear(handle) {
				const index = pending.indexOf(handle as {fire: () => void; ms: number});
				if (index >= 0) {
					pending.splice(index, 1);
				}
			},
		};
		const fireNext = () => {
			const timer = pending.shift();
			assert.ok(timer, 'a tick is pending');
			timer.fire();
			return timer.ms;
		};

		return {scheduler, pending, fireNext};
	}

	it('applies each event after its scaled, capped gap, and stops at the end with nothing pending', () => {
		const {scheduler, pending, fireNext} = fakeScheduler();
		const changes: Array<[number, number]> = [];
		const player = createPlayer(timeline, {scheduler, onChange: (cursor, previous) => changes.push([previous.position, cursor.position])});
		player.dispatch({type: 'faster'});
		player.dispatch({type: 'toggle'});
		const waits: number[] = [];
		while (pending.length > 0) {
			waits.push(fireNext());
		}

		assert.equal(player.cursor.position, last);
		assert.equal(player.cursor.playing, false);
		assert.equal(player.wait, null);
		assert.equal(waits.length, last);
		assert.deepEqual(waits.filter(ms => ms !== 250), [IDLE_CAP_MS], 'every gap is 1 s at ×4 but the ten-minute one');
		assert.deepEqual(changes.slice(-2), [[last - 2, last - 1], [last - 1, last]]);
	});

	it('pausing and stepping cancel the pending tick', () => {
		const {scheduler, pending} = fakeScheduler();
		const player = createPlayer(timeline, {scheduler, onChange() {}});
		player.dispatch({type: 'toggle'});
		assert.equal(pending.length, 1);
		assert.deepEqual(player.wait, {ms: 1000, recordedMs: 1000, capped: false});
		player.dispatch({type: 'toggle'});
		assert.equal(pending.length, 0);
		player.dispatch({type: 'toggle'});
		player.dispatch({type: 'next-step'});
		assert.equal(pending.length, 0);
		assert.equal(player.cursor.position, positionOf('backup.started'));
	});
});

describe('replay timeline', () => {
	it('gives at every position the fold of the events up to it, across snapshots', () => {
		const output: RunEvent[] = Array.from({length: (SNAPSHOT_EVERY * 3) + 5}, (_, i) => ({type: 'command.output', id: 'hook', line: `line ${i}`}));
		const events: RunEvent[] = [started, {type: 'command.started', id: 'hook', purpose: 'maintenance on', command: 'maint on'}, ...output, {type: 'command.finished', id: 'hook', exitCode: 0, durationMs: 9}];
		const entries: Entry[] = events.map((event, seq) => ({seq, at: T0 + seq, event}));
		const long = buildTimeline(entries);
		let state = initialState();
		for (const [i, entry] of entries.entries()) {
			state = reduce(state, entry);
			assert.deepEqual(long.stateAt(i), state, `position ${i}`);
		}

		assert.equal(long.stateAt(entries.length - 1).commands[0]?.lines, output.length);
	});

	it('replays the recorded run to the outcome it recorded', () => {
		const end = timeline.stateAt(last);
		assert.equal(end.outcome, 'upgraded');
		assert.deepEqual(end.overrides.map(o => o.checkId), ['pre.duplicate-meters']);
		assert.equal(timeline.stateAt(positionOf('operator.override') - 1).overrides.length, 0);
	});
});
