import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {touchedObjects} from '../../source/sql/touched-objects.js';

describe('touchedObjects: what a migration\'s statements alter or remove', () => {
	it('names tables altered or dropped, indexes, views, types and functions dropped or redefined, as snapshots name them', () => {
		const touched = touchedObjects([
			'-- the contract step\nALTER TABLE ONLY public."Accounts" DROP COLUMN legacy',
			'ALTER TABLE IF EXISTS billing.ledger ADD COLUMN note text',
			'DROP INDEX CONCURRENTLY IF EXISTS accounts_email_idx, "Old_Idx"',
			'DROP VIEW active_accounts',
			'DROP TYPE mood CASCADE',
			'DROP FUNCTION IF EXISTS touch_updated_at(integer)',
			'DROP TRIGGER touch ON users',
			'CREATE OR REPLACE VIEW report AS SELECT 1',
			'ALTER TYPE status ADD VALUE \'archived\'',
			'CREATE TABLE fresh (id int)',
			'UPDATE users SET role = \'x\'',
		]);
		assert.deepEqual(touched.objects, ['Accounts', 'Old_Idx', 'accounts_email_idx', 'active_accounts', 'billing.ledger', 'mood', 'report', 'status', 'touch_updated_at', 'users']);
		// Rows go only where a statement removes them: none of these does.
		assert.deepEqual(touched.rows, []);
	});

	it('names the tables rows are deleted or truncated from, and SQLite\'s dropped triggers by their own name', () => {
		const touched = touchedObjects(['DELETE FROM meters WHERE id IN (SELECT id FROM dups)', 'TRUNCATE TABLE staging, main.imports', 'DROP TRIGGER IF EXISTS meters_touch;', 'DROP TABLE legacy']);
		assert.deepEqual(touched.rows, ['imports', 'legacy', 'meters', 'staging']);
		assert.deepEqual(touched.objects, ['imports', 'legacy', 'meters', 'meters_touch', 'staging']);
	});

	it('names nothing for statements that only add', () => {
		assert.deepEqual(touchedObjects(['CREATE TABLE t (id int)', 'CREATE INDEX t_id ON t (id)', 'INSERT INTO t VALUES (1)']), {objects: [], rows: []});
	});
});
