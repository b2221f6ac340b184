import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import {App} from '../../screens/app.js';
import {overflowing, render, type Rendered} from '../support/render.js';
import {fold, windowEvents} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

describe('a lost run lock on screen', () => {
	it('the header says so in one more line, at 80 columns, until the lock is retaken', async () => {
		const lost = fold([...windowEvents, {type: 'run-lock.lost', detail: 'the database session holding the run lock ended: terminating connection due to administrator command'}]);
		current = render(<App state={lost} now={lost.now} onDecision={() => {}} onQuit={() => {}} interactive/>);
		const frame = await current.waitForFrame('RUN LOCK LOST');
		assert.match(frame, /cutover · step 1 of 7 · Maintenance window · db shop · run r-7f3a9c[^\n]*\nRUN LOCK LOST: the database session holding the run lock ended: terminating/);
		assert.deepEqual(overflowing(frame), []);
		assert.ok(frame.split('\n').length <= 24, `the frame fits 24 rows: ${frame.split('\n').length}`);
		current.unmount();

		const retaken = fold([{type: 'run-lock.retaken', detail: 'held again'}], {start: lost});
		current = render(<App state={retaken} now={retaken.now} onDecision={() => {}} onQuit={() => {}} interactive/>);
		const again = await current.waitForFrame('Type the database name to continue');
		assert.doesNotMatch(again, /RUN LOCK LOST/);
	});
});
