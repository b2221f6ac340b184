import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {demoDuplicateIds} from '../../source/demo/seed.js';
import type {DatabaseSnapshot} from '../../source/engine/snapshot.js';
import type {SnapshotComparison} from '../../source/engine/events.js';
import {cutover, prepareDemoTarget, readJournal} from '../support/demo-targets.js';

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`a plain run on ${engine} takes a snapshot before the upgrade and one after`, () => {
		it('keeps both in the record, whose counts are the baseline and the comparison, and the record verifies', async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const records = path.join(target.dir, 'records');
				const run = cutover(target, ['run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(target.dir, 'backups')]);
				assert.equal(run.code, 0, run.stdout + run.stderr);
				const removed = demoDuplicateIds.length;
				assert.match(run.stdout, /snapshot\.taken +snapshot before the upgrade: \w+ database \S+, [\d.]+ [kM]?B, migration 0001_create_users_and_meters, 2 tables \(48 rows\)/);
				assert.match(run.stdout, new RegExp(`snapshot\\.taken +snapshot after the upgrade: .*migration 0004_meters_unique_slot, 3 tables .*; against the one before: \\d+ added, 0 removed, 0 changed, no unexpected change`));

				const [file, ...others] = readdirSync(records).filter(f => f.endsWith('.jsonl'));
				assert.equal(others.length, 0);
				const lines = readJournal(readFileSync(path.join(records, file!), 'utf8'));
				const kinds = lines.map(l => l.kind);
				const taken = lines.filter(l => l.kind === 'snapshot.taken').map(l => l.event as unknown as {phase: string; snapshot: DatabaseSnapshot; compared?: SnapshotComparison});
				assert.deepEqual(taken.map(t => t.phase), ['before', 'after']);
				// Before: taken with the pre checks, just before the baseline it gives its counts to; after: just before the comparison.
				assert.equal(kinds[kinds.indexOf('baseline.captured') - 1], 'snapshot.taken');
				assert.equal(kinds[kinds.indexOf('post.compared') - 1], 'snapshot.taken');
				assert.ok(kinds.indexOf('upgrade.started') > kinds.indexOf('baseline.captured') && kinds.indexOf('upgrade.finished') < kinds.indexOf('post.compared'));

				const [before, after] = taken as [typeof taken[0], typeof taken[0]];
				const counts = (s: DatabaseSnapshot) => Object.fromEntries(s.tables.map(t => [t.name, t.rows]));
				const baseline = lines.find(l => l.kind === 'baseline.captured')!.event['counts'];
				const compared = lines.find(l => l.kind === 'post.compared')!.event['after'];
				assert.deepEqual(counts(before.snapshot), baseline);
				assert.deepEqual(counts(after.snapshot), compared);
				assert.deepEqual(counts(before.snapshot), {meters: 40, users: 8});
				assert.deepEqual(counts(after.snapshot), {meters: 40 - removed, meters_archive: removed, users: 8});

				assert.equal(before.snapshot.migration, '0001_create_users_and_meters');
				assert.equal(after.snapshot.migration, '0004_meters_unique_slot');
				assert.equal(before.compared, undefined);
				assert.deepEqual(after.snapshot.indexes.map(i => i.name).sort(), ['meters_unit_kind_slot_key', 'users_status_idx']);
				assert.ok(after.snapshot.tables.find(t => t.name === 'users')!.columns.some(c => c.name === 'status' && !c.nullable));
				// meters lost rows, which 0003's own DELETE FROM meters removes: expected, not a surprise.
				assert.deepEqual(after.compared, {added: 4, removed: 0, changed: 0, unexpected: []});
				const planned = lines.find(l => l.kind === 'migrations.planned')!.event['pending'] as Array<{name: string; touches?: {objects: string[]; rows: string[]}}>;
				assert.deepEqual(planned.find(m => m.name === '0003_archive_duplicate_meters')?.touches, {objects: ['meters'], rows: ['meters']});
				for (const table of [...before.snapshot.tables, ...after.snapshot.tables]) {
					assert.equal(table.bytes === null, engine === 'sqlite', `${table.name}: a size on PostgreSQL only`);
				}

				const verified = cutover(target, ['verify', path.join(records, file!)]);
				assert.equal(verified.code, 0, verified.stdout + verified.stderr);
				assert.match(verified.stdout, /^verified: 1 record/m);
				// The replay reads the new kind as a known one.
				const replay = cutover(target, ['replay', path.join(records, file!), '--plain']);
				assert.equal(replay.code, 0, replay.stdout + replay.stderr);
				assert.match(replay.stdout, /snapshot after the upgrade: .*against the one before: 4 added, 0 removed, 0 changed, no unexpected change/);
				assert.doesNotMatch(replay.stdout, /does not know/);
			} finally {
				await target.cleanup();
			}
		});
	});
}
