// Each check listens on the run's signal while it runs, and only then: a run of many checks must not
// pile up abort listeners, or Node prints a MaxListenersExceededWarning on stderr, in the middle of
// the console's live frame, which Ink then cannot erase.
import assert from 'node:assert/strict';
import {getEventListeners} from 'node:events';
import {describe, it} from 'node:test';
import {openDatabase} from '../../source/adapters/open-target.js';
import {systemClock} from '../../source/adapters/system-clock.js';
import type {Entry} from '../../source/engine/events.js';
import {runRecordedCheck} from '../../source/run/checks.js';
import {whenLeaving} from '../../source/run/interruption.js';
import type {RunbookCheck} from '../../source/run/plan-types.js';
import {createSession} from '../../source/run/session.js';
import {parseTarget} from '../../source/target.js';
import {prepareDemoTarget} from '../support/demo-targets.js';

const quick = (id: string): RunbookCheck => ({id, title: `quick ${id}`, blocking: true, expect: {kind: 'some-rows'}, sql: {sqlite: 'SELECT 1', postgres: 'SELECT 1'}, timeoutMs: 10_000});

describe('the run signal\'s abort listeners', () => {
	it('whenLeaving takes its listener off the run\'s signal on release, and still follows it until then', () => {
		const run = new AbortController();
		const first = whenLeaving(run.signal);
		assert.equal(getEventListeners(run.signal, 'abort').length, 1);
		first.release();
		assert.equal(getEventListeners(run.signal, 'abort').length, 0);
		const second = whenLeaving(run.signal);
		run.abort();
		assert.equal(second.signal.aborted, true);
		assert.equal(first.signal.aborted, false);
	});

	for (const engine of ['sqlite', 'postgres'] as const) {
		it(`twenty checks on ${engine} leave no listener on the run's signal, and no warning`, async () => {
			const target = await prepareDemoTarget(engine);
			const database = await openDatabase(parseTarget(target.db));
			const warnings: Error[] = [];
			const onWarning = (warning: Error) => warnings.push(warning);
			process.on('warning', onWarning);
			try {
				const entries: Entry[] = [];
				const session = createSession({path: 'memory', append: entry => entries.push(entry), close() {}}, systemClock);
				const run = new AbortController();
				for (let i = 0; i < 20; i++) {
					// eslint-disable-next-line no-await-in-loop -- checks run one at a time, as in a run
					const result = await runRecordedCheck({session, clock: systemClock, signal: run.signal, connections: {database}}, quick(`q${i}`), 'pre');
					assert.equal(result.verdict, 'passed', result.detail);
					assert.equal(getEventListeners(run.signal, 'abort').length, 0, `after check ${i}`);
				}

				// Warnings are emitted on the next tick.
				await new Promise(resolve => setImmediate(resolve));
				assert.deepEqual(warnings.map(w => w.name), []);
			} finally {
				process.off('warning', onWarning);
				await database.close();
				await target.cleanup();
			}
		});
	}
});
