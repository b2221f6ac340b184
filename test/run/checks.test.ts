import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {CheckResult} from '../../source/engine/model.js';
import type {Database, QueryOutcome} from '../../source/ports/database.js';
import {runAgain, runCheck} from '../../source/run/checks.js';
import type {RunbookCheck} from '../../source/run/plan-types.js';
import {snapshotOf} from '../support/snapshots.js';

const clock = {now: () => 0};

/** A database whose every query gives one answer, counting the queries it was sent. */
function answering(outcome: QueryOutcome | Error) {
	const sent: string[] = [];
	const database: Database = {
		engine: 'sqlite',
		async fingerprint() {
			throw new Error('not used');
		},
		async query(sql) {
			sent.push(sql);
			if (outcome instanceof Error) {
				throw outcome;
			}

			return outcome;
		},
		rowCounts: async () => ({}),
		snapshot: async () => snapshotOf({}),
		tables: async () => [],
		async close() {},
	};
	return {database, sent};
}

const admins: RunbookCheck = {id: 'admin-exists', title: 'At least one admin', blocking: true, expect: {kind: 'some-rows'}, sql: {sqlite: 'SELECT id FROM users WHERE role = \'admin\''}, timeoutMs: 30_000};
const missingUsers: QueryOutcome = {kind: 'missing-relation', relation: {kind: 'table', name: 'users'}, message: 'no such table: users'};

describe('runCheck on a table that does not exist', () => {
	it('before the upgrade: not applicable, naming the table, and it blocks nothing', async () => {
		const {database} = answering(missingUsers);
		const result = await runCheck(database, admins, 'pre', [], clock);
		assert.equal(result.verdict, 'not-applicable');
		assert.equal(result.detail, 'table users does not exist yet');
		assert.deepEqual(result.evidence, {columns: [], rows: [], total: 0, truncated: false});
	});

	it('after the upgrade: an error, since the migrations were to create it', async () => {
		const {database} = answering(missingUsers);
		const result = await runCheck(database, admins, 'post', [], clock);
		assert.equal(result.verdict, 'error');
		assert.equal(result.detail, 'table users does not exist after the upgrade');
	});

	it('any other failure is still an error verdict with the driver\'s words', async () => {
		const {database} = answering(new Error('no such column: role'));
		const result = await runCheck(database, admins, 'pre', [], clock);
		assert.equal(result.verdict, 'error');
		assert.equal(result.detail, 'no such column: role');
	});
});

describe('runAgain', () => {
	const pre = (verdict: CheckResult['verdict'], detail: string): CheckResult => ({
		id: 'admin-exists', phase: 'pre', title: admins.title, sql: '', blocking: true, expectation: 'at least one row', verdict, detail,
		evidence: {columns: [], rows: [], total: 0, truncated: false}, durationMs: 0,
	});

	it('a pre-check that was not applicable is not applicable again, without a query', async () => {
		const {database, sent} = answering({kind: 'rows', columns: ['id'], rows: []});
		const result = await runAgain(database, admins, [pre('not-applicable', 'table users does not exist yet')], clock);
		assert.equal(result.id, 'again.admin-exists');
		assert.equal(result.phase, 'post');
		assert.equal(result.verdict, 'not-applicable');
		assert.match(result.detail, /not applicable before the upgrade \(table users does not exist yet\)/);
		assert.deepEqual(sent, []);
	});

	it('a pre-check that ran is asked again for real', async () => {
		const {database, sent} = answering({kind: 'rows', columns: ['id'], rows: []});
		const result = await runAgain(database, admins, [pre('passed', '1 row found')], clock);
		assert.equal(result.verdict, 'failed');
		assert.equal(result.title, `again: ${admins.title}`);
		assert.equal(sent.length, 1);
	});
});
