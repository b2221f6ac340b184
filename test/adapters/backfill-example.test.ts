import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {describe, test} from 'node:test';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {packageRoot} from '../../source/package-root.js';
import type {BackfillProgress} from '../../source/ports/migrator.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';

const example = path.join(packageRoot, 'migrations/examples/expand-contract');
const context = {runId: 'run-example', appliedBy: 'tester@host'};

describe('the shipped expand/contract example on postgres', () => {
	test('expand fills the new column for old rows (backfill) and new ones (trigger); contract drops the old column; both revert', async () => {
		const database = await createThrowawayDatabase('cutover_example');
		const migrator = await openMigrator({target: parseTarget(database.url), directory: example});
		try {
			const plan = await migrator.plan();
			assert.deepEqual(plan.pending.map(m => m.name), ['0001_create_customers', '0002_expand_email_normalized', '0003_contract_drop_email']);
			await migrator.up('0001_create_customers', context);
			await database.sql('INSERT INTO customers (email) SELECT \'  User\' || g || \'@Example.COM \' FROM generate_series(1, 12000) g');
			const reports: BackfillProgress[] = [];
			await migrator.up('0002_expand_email_normalized', {...context, onBackfill: p => reports.push(p) > 0});
			assert.equal(reports.at(-1)?.finished, true);
			assert.equal(reports.at(-1)?.rows, 12_000);
			await database.sql('INSERT INTO customers (email) VALUES (\'Late@Example.com\')');
			const filled = await database.sql('SELECT count(*)::int AS n, count(*) FILTER (WHERE email_normalized = lower(trim(email)))::int AS ok FROM customers');
			assert.deepEqual(filled.rows, [{n: 12_001, ok: 12_001}]);
			const index = await database.sql('SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = \'customers_email_normalized_idx\'');
			assert.deepEqual(index.rows, [{indisvalid: true}]);

			await migrator.up('0003_contract_drop_email', context);
			const columns = await database.sql('SELECT column_name FROM information_schema.columns WHERE table_name = \'customers\' ORDER BY ordinal_position');
			assert.deepEqual(columns.rows.map(r => r['column_name']), ['id', 'created_at', 'email_normalized']);

			await migrator.down('0003_contract_drop_email', context);
			await migrator.down('0002_expand_email_normalized', context);
			const back = await database.sql('SELECT column_name FROM information_schema.columns WHERE table_name = \'customers\' ORDER BY column_name');
			assert.deepEqual(back.rows.map(r => r['column_name']), ['created_at', 'email', 'id']);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('cutover test-migrations round-trips it: the backfill\'s position table is cutover\'s bookkeeping, not a table its down left behind', async () => {
		const database = await createThrowawayDatabase('cutover_example');
		try {
			const run = spawnSync(process.execPath, [path.join(packageRoot, 'dist/source/cli/main.js'), 'test-migrations', '--db', database.url, '--migrations', example, '--plain'], {encoding: 'utf8', timeout: 300_000, env: {...process.env, NO_COLOR: '1'}});
			assert.equal(run.status, 0, run.stdout + run.stderr);
			assert.match(run.stdout, /^0002_expand_email_normalized\s+ok\s+ok\s+same\s+ok$/m);
			assert.match(run.stdout, /passed: 3 migrations up, down to the same schema and up again/);
		} finally {
			await database.drop();
		}
	});
});
