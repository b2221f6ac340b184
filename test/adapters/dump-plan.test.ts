// Which format and how many jobs a PostgreSQL backup gets, as a table of inputs and the plan.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {chooseDump, restoreJobs, type PlanInputs} from '../../source/adapters/postgres/dump-plan.js';
import {ParallelDumpWork} from '../../source/adapters/postgres/parallel-dump-work.js';
import {DEFAULT_BACKUP_POLICY} from '../../source/ports/backup-tool.js';

const GB = 1024 ** 3;
const base: PlanInputs = {policy: DEFAULT_BACKUP_POLICY, databaseBytes: 2 * GB, cores: 2, room: {parallelWorkers: 8, freeConnections: 90}};

describe('chooseDump', () => {
	const cases: Array<[string, Partial<PlanInputs> & {policy?: PlanInputs['policy']}, {format: string; jobs: number; chosen: RegExp}]> = [
		['auto, under the threshold: custom', {databaseBytes: 500 * 1024 ** 2}, {format: 'custom', jobs: 1, chosen: /custom format \(the database, 500 MB, is under the 1 GB threshold/}],
		['auto, at the threshold on 2 cores: directory with 2 jobs', {}, {format: 'directory', jobs: 2, chosen: /directory format, 2 jobs \(the database, 2 GB, is at least the 1 GB threshold; jobs limited by this machine's 2 cores/}],
		['auto on 16 cores: capped at 4', {cores: 16}, {format: 'directory', jobs: 4, chosen: /limited by this machine's 16 cores \(at most 4\)/}],
		['the server allows fewer parallel workers', {cores: 16, room: {parallelWorkers: 3, freeConnections: 90}}, {format: 'directory', jobs: 3, chosen: /max_parallel_workers \(3\)/}],
		['few free connections: N + 1 for pg_dump and one for the watch', {cores: 16, room: {parallelWorkers: 8, freeConnections: 5}}, {format: 'directory', jobs: 3, chosen: /5 free connections/}],
		['auto with room for one job only: custom, saying why', {room: {parallelWorkers: 8, freeConnections: 3}}, {format: 'custom', jobs: 1, chosen: /only one job is possible: 3 free connections/}],
		['format: directory with room for one job: directory, one job', {policy: {...DEFAULT_BACKUP_POLICY, format: 'directory'}, room: {parallelWorkers: 8, freeConnections: 2}}, {format: 'directory', jobs: 1, chosen: /directory format, 1 job \(the checklist says format: directory/}],
		['format: custom on a large database', {policy: {...DEFAULT_BACKUP_POLICY, format: 'custom'}, databaseBytes: 100 * GB}, {format: 'custom', jobs: 1, chosen: /the checklist says format: custom/}],
		['the checklist\'s jobs beyond the cores', {policy: {...DEFAULT_BACKUP_POLICY, jobs: 6}, cores: 2}, {format: 'directory', jobs: 6, chosen: /the checklist's jobs: 6/}],
		['a tiny threshold', {policy: {...DEFAULT_BACKUP_POLICY, parallelThresholdBytes: 1024}, databaseBytes: 8 * 1024 ** 2}, {format: 'directory', jobs: 2, chosen: /8 MB, is at least the 1 kB threshold/}],
	];
	for (const [name, inputs, expected] of cases) {
		test(name, () => {
			const plan = chooseDump({...base, ...inputs});
			assert.equal(plan.format, expected.format);
			assert.equal(plan.jobs, expected.jobs);
			assert.match(plan.chosen, expected.chosen);
			assert.equal(plan.compression, 1, 'the default level is low');
		});
	}

	test('the compression level is the policy\'s', () => {
		assert.equal(chooseDump({...base, policy: {...DEFAULT_BACKUP_POLICY, compression: 0}}).compression, 0);
	});

	test('restore jobs: the same caps, against the restoring server', () => {
		assert.equal(restoreJobs(DEFAULT_BACKUP_POLICY, 2, {parallelWorkers: 8, freeConnections: 90}), 2);
		assert.equal(restoreJobs(DEFAULT_BACKUP_POLICY, 8, {parallelWorkers: 8, freeConnections: 90}), 4);
		assert.equal(restoreJobs(DEFAULT_BACKUP_POLICY, 8, {parallelWorkers: 8, freeConnections: 4}), 2);
		assert.equal(restoreJobs(DEFAULT_BACKUP_POLICY, 8, {parallelWorkers: 8, freeConnections: 1}), 1);
	});
});

describe('ParallelDumpWork', () => {
	test('finished tables count in full, those in flight by their files\' bytes at the finished ratio, capped; never down', () => {
		const work = new ParallelDumpWork(new Map([['public.big', 900_000], ['public.small', 100_000], ['billing.small', 50_000]]));
		assert.equal(work.total, 1_050_000);
		work.started('public.big');
		work.started('public.small');
		assert.deepEqual(work.current, ['public.big', 'public.small']);
		assert.equal(work.done(100_000), 300_000, 'at 3 data bytes per dump byte before any table finished');
		assert.equal(work.done(10_000_000), 900_000, 'capped at 90 % of what is in flight');
		work.finished('3357', 'small', 50_000);
		assert.deepEqual(work.current, ['public.big'], 'the unqualified name from the leader matches the job\'s qualified one');
		assert.equal(work.tablesDone, 1);
		assert.ok(work.isFinished('3357'));
		// 100 000 of data in 50 000 bytes: a ratio of 2; the 900 000 still counted from before.
		assert.equal(work.done(100_000), 900_000, 'never goes down');
		assert.equal(work.done(400_000), 900_000);
		work.started('billing.small');
		assert.equal(work.done(420_000), 940_000, '100 000 finished and 840 000 credited of the 950 000 in flight');
		work.finished('3356', 'big', 300_000);
		work.finished('3358', 'small', 10_000);
		assert.equal(work.tablesDone, 3);
		assert.equal(work.done(0), 1_050_000);
	});
});
