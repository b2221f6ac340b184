import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {fold} from '../support/run-events.js';
import {bindTarget, mentionsTarget, targetMigration} from '../../source/engine/target-migration.js';
import type {RunEvent} from '../../source/engine/events.js';
import {cutover, demoMigrations, prepareDemoTarget, productionChecklist, readJournal} from '../support/demo-targets.js';

const info = (name: string) => ({name, checksum: 'c'.repeat(64), reversible: true});
const planned: RunEvent = {type: 'migrations.planned', applied: [{name: '0001_a', checksum: 'a'.repeat(64), reversible: true, appliedAt: '2026-01-01T00:00:00Z', appliedBy: 'x', runId: 'r', drift: 'none'}], pending: [info('0002_b'), info('0003_c'), info('0004_d')]};

describe(':target_migration', () => {
	it('is the last pending migration, the one --to names, the last applied with nothing pending, and the upgrade\'s last once it started', () => {
		assert.equal(targetMigration(fold([planned])), '0004_d');
		assert.equal(targetMigration({...fold([planned]), to: '0003_c'}), '0003_c');
		assert.equal(targetMigration(fold([{...planned, pending: []} as RunEvent])), '0001_a');
		assert.equal(targetMigration(fold([planned, {type: 'upgrade.started', names: ['0002_b']}])), '0002_b');
		assert.equal(targetMigration(fold([{type: 'migrations.planned', applied: [], pending: []}])), null);
	});

	it('binds as a quoted literal, leaves casts and longer names alone', () => {
		assert.equal(bindTarget('SELECT 1 WHERE name = :target_migration', 'it\'s'), 'SELECT 1 WHERE name = \'it\'\'s\'');
		assert.equal(bindTarget('SELECT x::target_migration, :target_migrations', 'a'), 'SELECT x::target_migration, :target_migrations');
		assert.equal(mentionsTarget('SELECT x::target_migration'), false);
		assert.equal(mentionsTarget('WHERE name = :target_migration)'), true);
	});

	it('a run with --to passes the shipped runbook\'s version check, which names the migration it stopped at', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const run = cutover(target, ['run', '--db', target.db, '--migrations', demoMigrations, '--checklist', productionChecklist, '--to', '0003_archive_duplicate_meters',
				'--plain', '--yes', '--confirm-db', target.name, '--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')]);
			const records = path.join(target.dir, 'records');
			const file = readdirSync(records).find(f => f.endsWith('.jsonl'))!;
			const version = readJournal(readFileSync(path.join(records, file), 'utf8'))
				.map(l => l.event)
				.find(e => e.type === 'check.finished' && (e['result'] as {id: string}).id === 'version')?.['result'] as {verdict: string; sql: string; evidence: {rows: unknown[][]}} | undefined;
			assert.ok(version, run.stdout);
			assert.equal(version.sql, 'SELECT name FROM cutover_migrations WHERE name = \'0003_archive_duplicate_meters\'', 'the record holds the SQL that ran');
			assert.equal(version.verdict, 'passed', run.stdout);
			assert.deepEqual(version.evidence.rows, [['0003_archive_duplicate_meters']]);
		} finally {
			await target.cleanup();
		}
	});

	it('a --to that names no pending migration changes nothing, says what to do, and the record keeps the version the database was at', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const records = path.join(target.dir, 'records');
			const args = (to: string) => ['run', '--db', target.db, '--migrations', demoMigrations, '--checklist', productionChecklist, '--to', to,
				'--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(target.dir, 'backups')];
			const finished = () => {
				const last = readdirSync(records).filter(f => f.endsWith('.jsonl')).sort().at(-1)!;
				return readJournal(readFileSync(path.join(records, last), 'utf8')).map(l => l.event).find(e => e.type === 'run.finished');
			};

			// The demo database is at 0001: 0001 is applied, 0009 is nowhere.
			const applied = cutover(target, args('0001_create_users_and_meters'));
			assert.equal(applied.code, 1, applied.stdout);
			assert.match(applied.stdout + applied.stderr, /--to 0001_create_users_and_meters is already applied \(the database is at 0001_create_users_and_meters\).*nothing was changed\. A run goes back down only at its own rollback prompt/s);
			assert.deepEqual([finished()?.['versionBefore'], finished()?.['versionAfter']], ['0001_create_users_and_meters', '0001_create_users_and_meters']);
			const unknown = cutover(target, args('0009_nowhere'));
			assert.equal(unknown.code, 1, unknown.stdout);
			assert.match(unknown.stdout + unknown.stderr, /--to 0009_nowhere is not a pending migration \(pending: 0002_users_status, 0003_archive_duplicate_meters, 0004_meters_unique_slot\); nothing was changed/);
			assert.deepEqual([finished()?.['versionBefore'], finished()?.['versionAfter']], ['0001_create_users_and_meters', '0001_create_users_and_meters']);
		} finally {
			await target.cleanup();
		}
	});
});
