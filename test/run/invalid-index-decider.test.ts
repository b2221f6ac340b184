import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {RecordWriteError} from '../../source/errors/index.js';
import {consoleDecider, plainDecider} from '../../source/run/decider.js';
import {createSession} from '../../source/run/session.js';
import {T0} from '../support/run-fixtures.js';

const newSession = () => createSession({path: '/dev/null', append() {}, close() {}}, {now: () => T0});
const index = {index: 's_a', qualified: 'public.s_a', table: 's'};
const answers = {yes: true, confirmDb: 'shop', overrides: new Map<string, string>(), onFailure: null, atEnd: 'keep' as const};

describe('the answer to an INVALID index', () => {
	it('console: a d pressed as soon as the question is drawn counts, even before the flow asks', async () => {
		const session = newSession();
		session.emit({type: 'invalid-index.found', name: '0004_x', indexes: [index]});
		session.emit({type: 'operator.invalid-index-drop', name: '0004_x', indexes: ['public.s_a'], drop: true});
		assert.equal(await consoleDecider.dropInvalidIndexes(session, '0004_x', [index]), true);
	});

	it('console: n, or leaving, is no drop; an answer about another migration is not this one\'s', async () => {
		const session = newSession();
		session.emit({type: 'invalid-index.found', name: '0004_x', indexes: [index]});
		const asked = consoleDecider.dropInvalidIndexes(session, '0004_x', [index]);
		session.emit({type: 'operator.invalid-index-drop', name: '0009_other', indexes: ['public.s_a'], drop: true});
		session.emit({type: 'operator.invalid-index-drop', name: '0004_x', indexes: ['public.s_a'], drop: false});
		assert.equal(await asked, false);

		const again = newSession();
		again.emit({type: 'invalid-index.found', name: '0004_x', indexes: [index]});
		const leaving = consoleDecider.dropInvalidIndexes(again, '0004_x', [index]);
		again.emit({type: 'operator.abandoned', reason: 'left'});
		assert.equal(await leaving, false);
	});

	it('plain: only --drop-invalid-index drops, and then the decision is on the record; without it nothing is decided', async () => {
		const withFlag = newSession();
		assert.equal(await plainDecider({...answers, dropInvalidIndex: true}).dropInvalidIndexes(withFlag, '0004_x', [index]), true);
		assert.deepEqual(withFlag.entries.map(e => e.event), [{type: 'operator.invalid-index-drop', name: '0004_x', indexes: ['public.s_a'], drop: true}]);
		const without = newSession();
		assert.equal(await plainDecider(answers).dropInvalidIndexes(without, '0004_x', [index]), false);
		assert.deepEqual(without.entries, []);
	});

	it('plain: with the flag, a decision the journal could not take is no decision', async () => {
		const full = createSession({path: '/dev/null', append() {
			throw new RecordWriteError('/dev/null', {code: 'ENOSPC', lines: 0, resume: '/dev/null'});
		}, close() {}}, {now: () => T0});
		assert.equal(await plainDecider({...answers, dropInvalidIndex: true}).dropInvalidIndexes(full, '0004_x', [index]), false);
		assert.notEqual(full.fault, null);
	});
});
