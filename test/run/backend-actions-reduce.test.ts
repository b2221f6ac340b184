import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import {fold, opening} from '../support/run-events.js';

const T0 = 1_700_000_000_000;
const cancel = (pid: number, query: string | null = 'SELECT * FROM tariffs'): RunEvent => ({type: 'operator.backend-action', action: 'cancel', pid, query, user: 'report'});
const terminate = (pid: number): RunEvent => ({type: 'operator.backend-action', action: 'terminate', pid, query: null, user: null});
const answered = (action: 'cancel' | 'terminate', pid: number, ok = true, detail = `sent to ${pid}`): RunEvent => ({type: 'backend-action.finished', action, pid, ok, detail});
const resumed: RunEvent = {type: 'run.resumed', operator: {osUser: 'kim', name: 'Kim'}, host: 'jump2', reconciliation: []};

describe('reduce: backend actions', () => {
	// opening has 4 events, so the first event after it is seq 4, at T0 + 4 s.
	const cases: Array<{name: string; events: RunEvent[]; expect: Array<[action: string, pid: number, seq: number, by: string | null, result: string | null]>}> = [
		{
			name: 'a decision is kept with its time, its operator and no answer yet',
			events: [cancel(4242)],
			expect: [['cancel', 4242, 4, 'Ops', null]],
		},
		{
			name: 'the answer fills in the request it answers',
			events: [cancel(4242), answered('cancel', 4242)],
			expect: [['cancel', 4242, 4, 'Ops', `ok@${T0 + 5000}: sent to 4242`]],
		},
		{
			name: 'answers go to the request with the same pid and action, whatever the order',
			events: [cancel(1), terminate(2), answered('terminate', 2, false, 'refused'), answered('cancel', 1)],
			expect: [['cancel', 1, 4, 'Ops', `ok@${T0 + 7000}: sent to 1`], ['terminate', 2, 5, 'Ops', `failed@${T0 + 6000}: refused`]],
		},
		{
			name: 'a second request for the same pid gets the second answer',
			events: [cancel(7), answered('cancel', 7, false, 'first'), cancel(7), answered('cancel', 7, true, 'second')],
			expect: [['cancel', 7, 4, 'Ops', `failed@${T0 + 5000}: first`], ['cancel', 7, 6, 'Ops', `ok@${T0 + 7000}: second`]],
		},
		{
			name: 'an answer nobody asked for changes nothing',
			events: [cancel(7), answered('terminate', 7), answered('cancel', 8)],
			expect: [['cancel', 7, 4, 'Ops', null]],
		},
		{
			name: 'after a resume the resuming operator is the one who decided',
			events: [cancel(1), resumed, terminate(2)],
			expect: [['cancel', 1, 4, 'Ops', null], ['terminate', 2, 6, 'Kim', null]],
		},
	];

	for (const {name, events, expect} of cases) {
		it(name, () => {
			const state = fold([...opening, ...events]);
			assert.deepEqual(state.backendActions.map(a => [
				a.action,
				a.pid,
				a.seq,
				a.by?.name ?? null,
				a.result === null ? null : `${a.result.ok ? 'ok' : 'failed'}@${a.result.at}: ${a.result.detail}`,
			]), expect);
			assert.equal(state.backendActions.every(a => a.at === T0 + (a.seq * 1000)), true);
		});
	}

	it('the decision is listed with the others, with pid, user and query', () => {
		const state = fold([...opening, cancel(4242), terminate(777), answered('terminate', 777)]);
		assert.deepEqual(state.decisions.map(d => [d.seq, d.summary]), [
			[4, 'asked to cancel the query of backend 4242 (report): SELECT * FROM tariffs'],
			[5, 'asked to terminate backend 777: query not known'],
		]);
	});

	it('the plain lines say what was asked and what came of it', () => {
		assert.equal(describeEvent(cancel(4242)), 'operator asked to cancel the query of backend 4242 (report): SELECT * FROM tariffs');
		assert.equal(describeEvent(answered('terminate', 777, false, 'pid 777 is cutover\'s own session')), 'terminate backend 777: NOT DONE: pid 777 is cutover\'s own session');
		assert.equal(describeEvent(answered('cancel', 1, true, 'pg_cancel_backend(1) sent')), 'cancel backend 1: done: pg_cancel_backend(1) sent');
	});
});
