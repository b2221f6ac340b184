// The backup's progress heartbeat: reports through a step that says nothing itself, one read at a time, and none once stopped.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {startProgressHeartbeat} from '../../source/adapters/postgres/progress-heartbeat.js';
import type {BackupProgress} from '../../source/engine/model.js';

const pause = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('progress heartbeat', () => {
	test('reports from the current source while a silent step runs, and says nothing after stop', async () => {
		const seen: BackupProgress[] = [];
		let stepDone = () => {};
		const step = new Promise<void>(resolve => {
			stepDone = resolve;
		});
		const heartbeat = startProgressHeartbeat(progress => {
			seen.push(progress);
			// The step (a checksum, say) ends only once the heartbeat has been heard three times during it.
			if (seen.filter(p => p.bytes === 2).length === 3) {
				stepDone();
			}
		}, 20, () => ({bytes: 1}));
		heartbeat.follow(() => ({bytes: 2}));
		await step;
		await heartbeat.stop();
		const count = seen.length;
		await pause(100);
		assert.equal(seen.length, count, 'no report after stop');
		assert.ok(seen.slice(seen.findIndex(p => p.bytes === 2)).every(p => p.bytes === 2), 'the new source only, once followed');
	});

	test('now() reports at once; a read still in flight at stop never reports; ticks wait for the read before them', async () => {
		const seen: BackupProgress[] = [];
		let reads = 0;
		let finish = () => {};
		const heartbeat = startProgressHeartbeat(progress => seen.push(progress), 10, () => ({bytes: 0}));
		await heartbeat.now();
		assert.deepEqual(seen, [{bytes: 0}]);
		heartbeat.follow(async () => {
			reads++;
			await new Promise<void>(resolve => {
				finish = resolve;
			});
			return {bytes: 5};
		});
		await pause(100);
		assert.equal(reads, 1, 'ten ticks, one read: it has not ended');
		const stopping = heartbeat.stop();
		finish();
		await stopping;
		assert.deepEqual(seen, [{bytes: 0}], 'the read that ended after stop said nothing');
	});

	test('a failing read is a missed report, not a failure', async () => {
		const seen: BackupProgress[] = [];
		let calls = 0;
		const heartbeat = startProgressHeartbeat(progress => seen.push(progress), 10, () => {
			calls++;
			if (calls === 1) {
				throw new Error('stat failed');
			}

			return {bytes: calls};
		});
		await heartbeat.now();
		await heartbeat.now();
		await heartbeat.stop();
		assert.deepEqual(seen.slice(0, 1), [{bytes: 2}]);
	});
});
