// The shipped runbook checklists/meter-unique-index.yaml, end to end on both engines: the fix-up
// archives the duplicates and the key is made; with the fix-up applied already and a duplicate
// written since, the gate blocks before the upgrade and names it, and nothing is changed.
import assert from 'node:assert/strict';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type {CheckResult} from '../../source/engine/model.js';
import {packageRoot} from '../../source/package-root.js';
import {cutover, demoMigrations, prepareDemoTarget, productionChecklist, readJournal, type DemoTarget} from '../support/demo-targets.js';

const runbook = path.join(packageRoot, 'checklists/meter-unique-index.yaml');

const dirs = (target: DemoTarget, checklist: string) => ['--migrations', demoMigrations, '--checklist', checklist, '--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')];

/** The newest record's check results, by phase.id. */
function latestChecks(target: DemoTarget): {verdicts: Record<string, string>; results: CheckResult[]; outcome: unknown} {
	const records = path.join(target.dir, 'records');
	const file = readdirSync(records).filter(f => f.endsWith('.jsonl')).map(f => path.join(records, f)).sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs).at(-1);
	assert.ok(file, 'a record was written');
	const lines = readJournal(readFileSync(file, 'utf8'));
	const results = lines.map(l => l.event).filter(e => e.type === 'check.finished').map(e => e['result'] as CheckResult);
	return {
		verdicts: Object.fromEntries(results.map(r => [`${r.phase}.${r.id}`, `${r.verdict}: ${r.detail}`])),
		results,
		outcome: lines.map(l => l.event).find(e => e.type === 'run.finished')?.['outcome'],
	};
}

async function execute(target: DemoTarget, sql: string): Promise<void> {
	if (target.engine === 'sqlite') {
		const db = new BetterSqlite3(target.db.replace(/^sqlite:/, ''));
		try {
			db.exec(sql);
		} finally {
			db.close();
		}

		return;
	}

	const client = new pg.Client({connectionString: target.db});
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end();
	}
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`checklists/meter-unique-index.yaml on ${engine}`, () => {
		it('shows the duplicates the fix-up archives, and after the upgrade none is left and the key exists', async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const run = cutover(target, ['run', '--db', target.db, ...dirs(target, runbook), '--plain', '--yes', '--confirm-db', target.name]);
				assert.equal(run.code, 0, run.stdout + run.stderr);
				const {verdicts, outcome} = latestChecks(target);
				assert.equal(outcome, 'upgraded');
				assert.match(verdicts['pre.duplicates-to-archive']!, /^failed: \d+ duplicate groups?$/, 'the duplicates are shown, as a warning');
				assert.match(verdicts['pre.no-duplicates-left-for-the-key']!, /^passed: /, 'the fix-up is in this run: the gate lets it through');
				for (const id of ['post.version', 'post.no-duplicates', 'post.key-exists']) {
					assert.match(verdicts[id]!, /^passed: /, `${id}: ${verdicts[id]!}`);
				}

				assert.equal(verdicts['post.version'], 'passed: at 0004_meters_unique_slot, as expected');
				const verify = cutover(target, ['verify', path.join(target.dir, 'records')]);
				assert.equal(verify.code, 0, verify.stdout + verify.stderr);
			} finally {
				await target.cleanup();
			}
		});

		it('blocks before the upgrade when the fix-up ran already and a duplicate was written since, naming it; nothing changes', async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const fixup = cutover(target, ['run', '--db', target.db, ...dirs(target, productionChecklist), '--to', '0003_archive_duplicate_meters', '--plain', '--yes', '--confirm-db', target.name]);
				assert.equal(fixup.code, 0, fixup.stdout + fixup.stderr);
				// The application wrote a meter on a key already taken, between the fix-up and the key.
				await execute(target, 'INSERT INTO meters (id, unit_id, kind, slot, reading) SELECT 9001, unit_id, kind, slot, 1.5 FROM meters WHERE id = (SELECT min(id) FROM meters)');
				const [taken] = await target.rows('SELECT unit_id, kind, slot FROM meters WHERE id = 9001');

				const run = cutover(target, ['run', '--db', target.db, ...dirs(target, runbook), '--plain', '--yes', '--confirm-db', target.name]);
				assert.notEqual(run.code, 0, 'a blocked gate is not a success');
				const {verdicts, results, outcome} = latestChecks(target);
				assert.notEqual(outcome, 'upgraded', run.stdout);
				assert.match(verdicts['pre.no-duplicates-left-for-the-key']!, /^failed: /);
				const gate = results.find(r => r.id === 'no-duplicates-left-for-the-key')!;
				assert.equal(gate.blocking, true);
				assert.deepEqual(gate.evidence.columns, ['unit_id', 'kind', 'slot', 'meters']);
				assert.equal(gate.evidence.rows.length, 1, 'one duplicate group');
				assert.deepEqual(gate.evidence.rows[0]!.slice(0, 3).map(String), [taken!['unit_id'], taken!['kind'], taken!['slot']].map(String));
				assert.equal(Number(gate.evidence.rows[0]![3]), 2);
				assert.match(run.stdout + run.stderr, /no-duplicates-left-for-the-key/);
				// 0004 did not run: no key, and the duplicate is still there for the operator to archive.
				const applied = await target.rows('SELECT name FROM cutover_migrations ORDER BY name');
				assert.deepEqual(applied.map(r => r['name']), ['0001_create_users_and_meters', '0002_users_status', '0003_archive_duplicate_meters']);
				assert.equal((await target.rows('SELECT id FROM meters WHERE id = 9001')).length, 1);
			} finally {
				await target.cleanup();
			}
		});
	});
}
