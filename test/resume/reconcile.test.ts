import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import type {AppliedMigration, Fingerprint, MigrationPlan} from '../../source/engine/model.js';
import {downgradeOrder} from '../../source/engine/gates.js';
import {reconcile, type RealState} from '../../source/run/reconcile.js';
import {artifact, fold, throughBackup} from '../support/run-events.js';

const fingerprint: Fingerprint = {engine: 'sqlite', serverVersion: 'SQLite 3.53', host: 'jump1', database: 'demo', sizeBytes: 8192, path: '/srv/demo.db'};
const row = (name: string, runId = 'r1'): AppliedMigration => ({name, checksum: 'e'.repeat(64), reversible: true, appliedAt: '2026-01-01T00:00:00Z', appliedBy: 'ops', runId, drift: 'none'});
// The folder as planned (run-events' checksums): what is not applied is pending, unchanged.
const files = [{name: '0002_a', checksum: 'f'.repeat(64), reversible: true}, {name: '0003_b', checksum: '1'.repeat(64), reversible: false}];
const plan = (...names: string[]): MigrationPlan => ({applied: [row('0001_init', 'r0'), ...names.map(n => row(n))], pending: files.filter(f => !names.includes(f.name))});
const real = (overrides: Partial<RealState> = {}): RealState => ({fingerprint, plan: plan(), backupSha256: artifact.sha256, cut: null, ...overrides});

const upgrading: RunEvent[] = [
	...throughBackup,
	{type: 'baseline.captured', counts: {users: 8}},
	{type: 'operator.proceed', step: 'pre'},
	{type: 'upgrade.started', names: ['0002_a', '0003_b']},
	{type: 'migration.started', name: '0002_a', direction: 'up'},
];
/** The upgrading run, with another fingerprint on record. */
const recordedAs = (f: Fingerprint): RunEvent[] => upgrading.map(e => e.type === 'target.fingerprinted' ? {...e, fingerprint: f} : e);
const stopped: RunEvent = {type: 'run.interrupted', signal: 'SIGHUP', step: 'upgrade', detail: 'stopped at a safe point'};

describe('reconcile: the journal against the real database', () => {
	it('a migration started and not journaled as finished, whose log row exists, committed: it is journaled as finished', () => {
		const result = reconcile(fold(upgrading), real({plan: plan('0002_a')}));
		assert.deepEqual(result.problems, []);
		assert.deepEqual(result.events, [{type: 'migration.finished', name: '0002_a', direction: 'up', durationMs: 0}]);
		assert.ok(result.upgradeOpen);
		assert.ok(result.lines.some(l => l.startsWith('0002_a (up) committed before the stop')));
		assert.ok(result.lines.some(l => l.startsWith('no stop was recorded')), 'a killed run has no run.interrupted');
	});

	it('without its log row it rolled back as a whole: nothing to journal, it is pending again', () => {
		const result = reconcile(fold([...upgrading, stopped]), real());
		assert.deepEqual(result.problems, []);
		assert.deepEqual(result.events, []);
		assert.ok(result.lines.some(l => l.startsWith('0002_a (up) did not commit')));
		assert.ok(result.lines.some(l => l.startsWith('stopped by SIGHUP in upgrade')));
	});

	it('a database changed under the run is refused: a migration this run never applied, a missing one, another database', () => {
		const byOther: MigrationPlan = {...plan('0002_a'), applied: [...plan('0002_a').applied, row('0003_b', 'r2')]};
		assert.match(reconcile(fold(upgrading), real({plan: byOther})).problems.join('\n'), /0003_b is applied .* run r2\) but this run did not apply it/);
		const applied = [...upgrading, {type: 'migration.finished', name: '0002_a', direction: 'up', durationMs: 5} satisfies RunEvent];
		assert.match(reconcile(fold(applied), real()).problems.join('\n'), /0002_a should be applied but is not/);
		assert.match(reconcile(fold(upgrading), real({fingerprint: {...fingerprint, path: '/srv/other.db'}})).problems.join('\n'), /not the database of the run/);
	});

	it('migrations whose journal lines a machine crash lost (synced as a group) are read back from log rows naming this run, in the upgrade\'s order', () => {
		// The journal's tail on disk ends at upgrade.started: both migrations committed after it, their lines never synced.
		const started = fold(upgrading.slice(0, -1));
		const result = reconcile(started, real({plan: plan('0002_a', '0003_b')}));
		assert.deepEqual(result.problems, []);
		assert.deepEqual(result.events, [
			{type: 'migration.started', name: '0002_a', direction: 'up'}, {type: 'migration.finished', name: '0002_a', direction: 'up', durationMs: 0},
			{type: 'migration.started', name: '0003_b', direction: 'up'}, {type: 'migration.finished', name: '0003_b', direction: 'up', durationMs: 0},
		]);
		assert.ok(result.lines.some(l => l.startsWith('0003_b (up) committed before the stop: its log row names this run (applied 2026-01-01T00:00:00Z)')));
		assert.ok(result.lines.some(l => l === 'migrations of this run applied: 0002_a, 0003_b; still pending: none'));
		// After the one in flight that committed, the next one's lines were lost too.
		const inFlight = reconcile(fold(upgrading), real({plan: plan('0002_a', '0003_b')}));
		assert.deepEqual(inFlight.problems, []);
		assert.deepEqual(inFlight.events.map(e => e.type), ['migration.finished', 'migration.started', 'migration.finished']);
	});

	it('a log row of this run that a lost tail cannot explain is still refused: after a migration that did not commit, or outside a transaction', () => {
		// 0002_a in flight did not commit, so nothing after it ran in this run: 0003_b's row is not one of its lost lines.
		const gap = reconcile(fold(upgrading), real({plan: {...plan('0003_b')}}));
		assert.match(gap.problems.join('\n'), /0003_b is applied .* but this run did not apply it/);
		assert.deepEqual(gap.events, []);
		// A migration outside a transaction has its start synced before it runs: never read back from a row alone.
		const outside: RunEvent[] = upgrading.slice(0, -1).map(e => e.type === 'migrations.planned'
			? {...e, pending: e.pending.map(m => m.name === '0002_a' ? {...m, noTransaction: {statements: 1, notRetrySafe: []}} : m)}
			: e);
		const noTx = reconcile(fold(outside), real({plan: plan('0002_a')}));
		assert.match(noTx.problems.join('\n'), /0002_a is applied .* but this run did not apply it/);
		// Once the upgrade finished (a synced line) nothing of it can be missing.
		const finished = reconcile(fold([...upgrading.slice(0, -1), {type: 'upgrade.finished', ok: true}]), real({plan: plan('0002_a')}));
		assert.match(finished.problems.join('\n'), /0002_a is applied .* but this run did not apply it/);
	});

	it('downs whose journal lines a machine crash lost (synced as a group) are read back from log rows gone, in the downgrade\'s order, and only those', () => {
		const downgrading: RunEvent[] = [
			...upgrading,
			{type: 'migration.finished', name: '0002_a', direction: 'up', durationMs: 5},
			{type: 'migration.started', name: '0003_b', direction: 'up'},
			{type: 'migration.finished', name: '0003_b', direction: 'up', durationMs: 5},
			{type: 'upgrade.finished', ok: true},
			{type: 'rollback.offered', reason: 'at the end', options: []},
			{type: 'operator.rollback-chosen', choice: 'downgrade'},
		];
		// On disk up to the choice: both downs committed after it (both rows gone), their lines never synced.
		const both = reconcile(fold(downgrading), real({plan: plan()}));
		assert.deepEqual(both.problems, []);
		assert.deepEqual(both.events, [
			{type: 'migration.started', name: '0003_b', direction: 'down'}, {type: 'migration.finished', name: '0003_b', direction: 'down', durationMs: 0},
			{type: 'migration.started', name: '0002_a', direction: 'down'}, {type: 'migration.finished', name: '0002_a', direction: 'down', durationMs: 0},
		]);
		assert.ok(both.lines.some(l => l.startsWith('0002_a (down) committed before the stop: the downgrade was running and its log row is gone')), both.lines.join('\n'));
		// The one in flight committed, and the next one's lines were lost too.
		const inFlight = reconcile(fold([...downgrading, {type: 'migration.started', name: '0003_b', direction: 'down'}]), real({plan: plan()}));
		assert.deepEqual(inFlight.problems, []);
		assert.deepEqual(inFlight.events.map(e => `${e.type} ${'name' in e ? e.name : ''}`), ['migration.finished 0003_b', 'migration.started 0002_a', 'migration.finished 0002_a']);
		// Only the first committed: the next one's row is still there, so it stays applied, to be reverted by the resumed downgrade.
		const first = reconcile(fold(downgrading), real({plan: plan('0002_a')}));
		assert.deepEqual(first.problems, []);
		assert.deepEqual(first.events.map(e => `${e.type} ${'name' in e ? e.name : ''}`), ['migration.started 0003_b', 'migration.finished 0003_b']);
		// A row gone out of order is not a lost tail: someone changed the database.
		const gap = reconcile(fold(downgrading), real({plan: plan('0003_b')}));
		assert.match(gap.problems.join('\n'), /0002_a should be applied but is not/);
		assert.deepEqual(gap.events, []);
		// Without a downgrade chosen, a row gone is never read as reverted.
		const kept = reconcile(fold(downgrading.slice(0, -1)), real({plan: plan()}));
		assert.match(kept.problems.join('\n'), /0003_b should be applied but is not/);
	});

	it('the down of an up that ran partly outside a transaction, started and not finished, is never taken for committed: it has no log row to tell, so it runs again', () => {
		const partlyDone: RunEvent[] = [
			...upgrading.slice(0, -1).map(e => e.type === 'migrations.planned'
				? {...e, pending: e.pending.map(m => m.name === '0002_a' ? {...m, noTransaction: {statements: 2, notRetrySafe: []}} : m)}
				: e),
			{type: 'migration.started', name: '0002_a', direction: 'up'},
			{type: 'migration.statement-started', name: '0002_a', direction: 'up', index: 1, total: 2, statement: 'CREATE INDEX CONCURRENTLY a ON t (a)'},
			{type: 'migration.statement-finished', name: '0002_a', direction: 'up', index: 1, total: 2, durationMs: 5},
			{type: 'migration.failed', name: '0002_a', direction: 'up', error: 'boom', statement: 'CREATE INDEX CONCURRENTLY b ON t (b)', durationMs: 9, tookEffect: {statements: 1, total: 2}},
			{type: 'upgrade.finished', ok: false},
			{type: 'rollback.offered', reason: 'the upgrade failed', options: []},
			{type: 'operator.rollback-chosen', choice: 'downgrade'},
			{type: 'migration.started', name: '0002_a', direction: 'down'},
		];
		const state = fold(partlyDone);
		assert.deepEqual(downgradeOrder(state).map(m => m.name), ['0002_a']);
		const result = reconcile(state, real({plan: plan()}));
		assert.deepEqual(result.problems, []);
		assert.deepEqual(result.events, [], 'nothing is recorded as finished');
		assert.ok(result.lines.some(l => l.startsWith('0002_a (down) was started and not recorded as finished: its up ran partly outside a transaction and left no log row')), result.lines.join('\n'));
		// Folded with what the resume records, the downgrade still has it to do.
		assert.deepEqual(downgradeOrder(fold(result.events, state)).map(m => m.name), ['0002_a']);
	});

	it('a recreated database is another database: the property that differs is named, with the recorded and the current value apart', () => {
		const pg: Fingerprint = {engine: 'postgres', serverVersion: '15.4', host: 'db1', database: 'fm_f77714221805019465839', sizeBytes: 8192, systemIdentifier: '7301234567890123456', databaseOid: '16384'};
		const withPg = (f: Fingerprint) => fold(recordedAs(f));
		const recreated = reconcile(withPg(pg), real({fingerprint: {...pg, databaseOid: '16999'}, plan: plan('0002_a')}));
		assert.deepEqual(recreated.problems, ['this is not the database of the run: database OID differs: recorded 16384, now 16999']);
		const other = reconcile(withPg(pg), real({fingerprint: {...pg, systemIdentifier: '7400000000000000000', database: 'shop'}, plan: plan('0002_a')}));
		assert.match(other.problems.join('\n'), /database name differs: recorded "fm_f77714221805019465839", now "shop"; system identifier differs: recorded 7301234567890123456, now 7400000000000000000/);

		const file = reconcile(fold(upgrading), real({fingerprint: {...fingerprint, device: '2049', inode: '77'}, plan: plan('0002_a')}));
		assert.deepEqual(file.problems, [], 'a record without device/inode (an older one) is compared by what it holds');
		assert.ok(file.lines.includes('the record holds no device/inode (an older record): not compared'), file.lines.join('\n'));
		const recorded = {...fingerprint, device: '2049', inode: '77'};
		const copied = reconcile(fold(recordedAs(recorded)), real({fingerprint: {...recorded, inode: '78'}, plan: plan('0002_a')}));
		assert.deepEqual(copied.problems, ['this is not the database of the run: device/inode differs: recorded device 2049, inode 77, now device 2049, inode 78']);
		const same = reconcile(fold(recordedAs(recorded)), real({fingerprint: recorded, plan: plan('0002_a')}));
		assert.ok(same.lines.includes('same database: sqlite database "demo" (path /srv/demo.db, device 2049, inode 77)'), same.lines.join('\n'));
	});

	it('after a restore that replaced the database, the restored one (its new OID) is the run\'s database', () => {
		const pg: Fingerprint = {engine: 'postgres', serverVersion: '15.4', host: 'db1', database: 'shop', sizeBytes: 8192, systemIdentifier: '7301234567890123456', databaseOid: '16384'};
		const restored = fold([...recordedAs(pg), {type: 'database.replaced', database: 'shop', keptAs: 'shop_cutover_replaced_1', previousOid: 16384, oid: 17001}]);
		const now = reconcile(restored, real({fingerprint: {...pg, databaseOid: '17001'}, plan: plan('0002_a')}));
		assert.deepEqual(now.problems, []);
		assert.ok(now.lines.some(l => l.startsWith('a restore replaced the database during the run')), now.lines.join('\n'));
		const original = reconcile(restored, real({fingerprint: pg, plan: plan('0002_a')}));
		assert.deepEqual(original.problems, ['this is not the database of the run: database OID differs: recorded 17001, now 16384']);
	});

	it('a backup that is gone or changed makes restore unavailable, through a failed verification', () => {
		for (const sha of [null, 'cd'.repeat(32)]) {
			const result = reconcile(fold(upgrading), real({plan: plan('0002_a'), backupSha256: sha}));
			const verify = result.events.find(e => e.type === 'verify.finished');
			assert.equal(verify?.type === 'verify.finished' && verify.verification.ok, false);
			assert.ok(result.lines.some(l => l.includes('restore is not available')));
		}

		const kept = reconcile(fold(upgrading), real({plan: plan('0002_a')}));
		assert.ok(kept.lines.some(l => l.endsWith('is still there and its sha256 matches')));
	});

	it('a backup killed halfway is journaled incomplete and its partial file named for removal', () => {
		const killed = throughBackup.slice(0, throughBackup.findIndex(e => e.type === 'backup.finished'));
		const result = reconcile(fold(killed), real({backupSha256: null}));
		assert.equal(result.partialBackup, artifact.path);
		assert.deepEqual(result.events, [{type: 'backup.failed', error: 'incomplete: the run stopped during the backup'}]);
		assert.ok(!result.upgradeOpen);
		assert.ok(result.lines.includes('next: take and verify a backup'));
	});

	it('a finished run is not resumed, and a torn line that was cut is said', () => {
		const finished = fold([...throughBackup, {type: 'run.finished', outcome: 'abandoned', versionBefore: null, versionAfter: null}]);
		assert.match(reconcile(finished, real()).problems.join('\n'), /already finished \(abandoned\)/);
		assert.ok(reconcile(fold(upgrading), real({plan: plan('0002_a'), cut: '{"at":17'})).lines.some(l => l.startsWith('a torn last line (8 bytes')));
	});

	it('a planned migration not finished whose up changed on disk, or is gone, is refused, naming it and the folder', () => {
		const changed = reconcile(fold([...upgrading, stopped]), real({plan: {...plan(), pending: [files[0]!, {...files[1]!, checksum: '2'.repeat(64)}]}, migrationsDir: '/srv/m'}));
		assert.match(changed.problems.join('\n'), /the up of 0003_b in \/srv\/m changed since this run planned it \(sha256 now 222222222222…, planned 111111111111…\).*put the file back as it was planned/);
		const gone = reconcile(fold([...upgrading, stopped]), real({plan: {...plan(), pending: [files[1]!]}}));
		assert.match(gone.problems.join('\n'), /0002_a was planned by this run but its up is no longer in the migrations folder/);
		// One that committed is checked as applied (drift), not as planned.
		assert.deepEqual(reconcile(fold(upgrading), real({plan: {...plan('0002_a'), pending: [files[1]!]}})).problems, []);
		// Once the upgrade has finished nothing more runs up: an edited file of a failed migration is no reason to refuse.
		const ended = [...upgrading, {type: 'migration.failed', name: '0002_a', direction: 'up', error: 'x', statement: null, durationMs: 1} satisfies RunEvent, {type: 'upgrade.finished', ok: false} satisfies RunEvent];
		assert.deepEqual(reconcile(fold(ended), real({plan: {...plan(), pending: [{...files[0]!, checksum: '3'.repeat(64)}, files[1]!]}})).problems, []);
	});
});
