import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, test} from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import {bindTarget} from '../../source/engine/target-migration.js';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {loadChecklist, sqlFor, type CheckDefinition} from '../../source/checklist/index.js';
import {demoDuplicateIds, demoSeedSql} from '../../source/demo/seed.js';
import {judge, toEvidence} from '../../source/engine/judge.js';
import type {Cell, CheckPhase, CheckResult, Engine} from '../../source/engine/model.js';
import {parseTarget, type Target} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';

const checklistFile = path.resolve('checklists/production.yaml');
const names = ['0001_create_users_and_meters', '0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot'];

type Side = {target: Target; exec(sql: string): Promise<void>; select(sql: string): Promise<{columns: string[]; rows: Cell[][]}>; close(): Promise<void>};

async function sqliteSide(): Promise<Side> {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-production-'));
	const file = path.join(dir, 'demo.db');
	const db = new BetterSqlite3(file);
	db.exec('VACUUM');
	return {
		target: {engine: 'sqlite', path: file, display: file},
		async exec(sql) {
			db.exec(sql);
		},
		async select(sql) {
			const statement = db.prepare(sql).raw(true);
			return {columns: statement.columns().map(c => c.name), rows: statement.all() as Cell[][]};
		},
		async close() {
			db.close();
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

async function postgresSide(): Promise<Side> {
	const db = await createThrowawayDatabase('cutover_production');
	const client = new pg.Client({connectionString: db.url});
	await client.connect();
	return {
		target: parseTarget(db.url),
		async exec(sql) {
			await client.query(sql);
		},
		async select(sql) {
			const result = await client.query({text: sql, rowMode: 'array'});
			return {columns: result.fields.map(f => f.name), rows: result.rows as Cell[][]};
		},
		async close() {
			await client.end();
			await db.drop();
		},
	};
}

async function runChecks(side: Side, engine: Engine, phase: CheckPhase, checks: CheckDefinition[], earlier: CheckResult[]): Promise<CheckResult[]> {
	const results: CheckResult[] = [];
	for (const check of checks) {
		// As a run binds it: these tests apply every demo migration, so the run's target is the last.
		const written = sqlFor(check, engine);
		assert.ok(written, `${phase}.${check.id} has SQL for ${engine}`);
		const sql = bindTarget(written, '0004_meters_unique_slot');
		// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
		const {columns, rows} = await side.select(sql);
		const evidence = toEvidence(columns, rows);
		const {verdict, detail} = judge(check.expect, evidence, [...earlier, ...results]);
		results.push({id: check.id, phase, title: check.title, sql, blocking: check.blocking, expectation: '', verdict, detail, evidence, durationMs: 0});
	}

	return results;
}

describe('the production checklist', () => {
	test('loads, and its maintenance hooks print their lines', async () => {
		const checklist = await loadChecklist(checklistFile);
		assert.equal(checklist.name, 'production');
		assert.deepEqual(checklist.preparation.map(p => p.id), ['stakeholders-notified', 'release-tagged', 'app-config-points-here']);
		assert.ok(checklist.window.expectedMinutes > 0);
		for (const hook of [checklist.maintenance.on, checklist.maintenance.off]) {
			assert.ok(hook);
			const run = spawnSync('sh', ['-c', hook], {encoding: 'utf8'});
			assert.equal(run.status, 0);
			assert.equal(run.stdout.trim().split('\n').length, 2, run.stdout);
		}

		assert.deepEqual(checklist.checks.pre.map(c => [c.id, c.blocking, c.expect.kind]), [
			['duplicate-meters', false, 'no-rows'],
			['admin-exists', true, 'some-rows'],
			['duplicate-emails', true, 'no-rows'],
		]);
		assert.deepEqual(checklist.checks.post.find(c => c.id === 'archive-holds-duplicates')?.expect, {kind: 'same-rows-as', check: 'pre.duplicate-meters'});
	});

	for (const engine of ['sqlite', 'postgres'] as const) {
		test(`on ${engine}: pre finds exactly the rows 0003 moves, and every post check passes after the upgrade`, async () => {
			const checklist = await loadChecklist(checklistFile);
			const side = engine === 'sqlite' ? await sqliteSide() : await postgresSide();
			const migrator = await openMigrator({target: side.target, directory: path.resolve('migrations')});
			const context = {runId: 'run-production', appliedBy: 'tester'};
			try {
				await migrator.up(names[0]!, context);
				await side.exec(demoSeedSql);

				const pre = await runChecks(side, engine, 'pre', checklist.checks.pre, []);
				assert.deepEqual(pre.map(r => [r.id, r.verdict]), [['duplicate-meters', 'failed'], ['admin-exists', 'passed'], ['duplicate-emails', 'passed']]);
				const duplicates = pre[0]!.evidence;
				assert.deepEqual(duplicates.columns, ['id', 'unit_id', 'kind', 'slot']);
				assert.deepEqual(duplicates.rows.map(r => Number(r[0])), demoDuplicateIds);

				// Two accounts differing only in case must trip the blocking check.
				await side.exec('INSERT INTO users (id, email, role) VALUES (90, \'Ada@Example.com\', \'member\')');
				const emails = await runChecks(side, engine, 'pre', checklist.checks.pre.filter(c => c.id === 'duplicate-emails'), []);
				assert.equal(emails[0]?.verdict, 'failed');
				await side.exec('DELETE FROM users WHERE id = 90');

				for (const name of names.slice(1)) {
					// eslint-disable-next-line no-await-in-loop -- in order, one at a time
					await migrator.up(name, context);
				}

				const post = await runChecks(side, engine, 'post', checklist.checks.post, pre);
				assert.deepEqual(post.map(r => [r.id, r.verdict, r.detail]).filter(([, verdict]) => verdict !== 'passed'), []);
				assert.deepEqual(post.map(r => r.id), ['version', 'no-duplicate-meters', 'archive-holds-duplicates', 'status-filled', 'active-admin', 'health']);

				// The archive comparison is real: with one archived row put back, it fails.
				await side.exec(`DELETE FROM meters_archive WHERE id = ${demoDuplicateIds[0]!}`);
				const again = await runChecks(side, engine, 'post', checklist.checks.post.filter(c => c.id === 'archive-holds-duplicates'), pre);
				assert.equal(again[0]?.verdict, 'failed');
			} finally {
				await migrator.close();
				await side.close();
			}
		});
	}
});
