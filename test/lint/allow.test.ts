import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';
import {lintScripts, type LintReport, type Parse} from '../../source/lint/lint-migrations.js';
import {loadPostgresParser} from '../../source/lint/postgres-parser.js';
import {splitStatements} from '../../source/sql/split-statements.js';

let parse: Parse;
before(async () => {
	parse = await loadPostgresParser();
});

function lint(sql: string): LintReport {
	const report = lintScripts([{migration: '0007_contract', file: '0007_contract.up.sql', text: sql, statements: splitStatements(sql), transaction: true}], {engine: 'postgres', parse});
	assert.ok(!('failure' in report));
	return report;
}

describe('-- cutover: allow <rule> because <reason>', () => {
	it('silences the one finding below it and keeps the reason', () => {
		const report = lint('-- cutover: allow drop-column because nothing reads legacy_plan since release 41 (backup taken)\nALTER TABLE accounts DROP COLUMN legacy_plan;');
		assert.equal(report.errors, 0);
		assert.equal(report.warnings, 0);
		assert.equal(report.allowed, 1);
		assert.deepEqual(report.findings.map(f => [f.rule, f.line, f.allowed]), [['drop-column', 2, 'nothing reads legacy_plan since release 41 (backup taken)']]);
	});

	it('applies to the statement right below only: the same rule on the next statement still stands', () => {
		const report = lint('-- why the columns go:\n-- cutover: allow drop-column because unused since 41\nALTER TABLE accounts DROP COLUMN a;\n\nALTER TABLE accounts DROP COLUMN b;');
		// Two statements under ACCESS EXCLUSIVE in one transaction: that warning is the statement's own.
		assert.deepEqual(report.findings.filter(f => f.rule === 'drop-column').map(f => [f.line, f.allowed !== null]), [[3, true], [5, false]]);
		assert.equal(report.errors, 1);
		assert.equal(report.warnings, 1);
	});

	it('silences only the rule it names: another finding of the statement stands', () => {
		const report = lint('-- cutover: allow drop-table because archived to cold storage\nDROP TABLE old_events;\nTRUNCATE staging;');
		assert.deepEqual(report.findings.filter(f => f.rule !== 'exclusive-lock-then-more').map(f => [f.rule, f.allowed !== null]), [['drop-table', true], ['truncate', false]]);
	});

	it('without a reason is an error finding of its own, and silences nothing', () => {
		const report = lint('-- cutover: allow drop-column\nALTER TABLE accounts DROP COLUMN a;');
		assert.deepEqual(report.findings.map(f => [f.rule, f.severity, f.line]), [['invalid-allow', 'error', 1], ['drop-column', 'error', 2]]);
		assert.match(report.findings[0]!.detail, /gives no reason: write -- cutover: allow drop-column because/);
		const because = lint('-- cutover: allow drop-column because   \nALTER TABLE accounts DROP COLUMN a;');
		assert.equal(because.findings[0]?.rule, 'invalid-allow');
	});

	it('naming no rule cutover knows is an error finding that says so', () => {
		const report = lint('-- cutover: allow drop-colum because unused\nALTER TABLE accounts DROP COLUMN a;');
		const invalid = report.findings.find(f => f.rule === 'invalid-allow');
		assert.match(invalid?.detail ?? '', /"drop-colum" is no lint rule \(did you mean drop-column\?\)/);
		assert.equal(report.errors, 2);
		assert.match(lint('-- cutover: allow\nDROP TABLE t;').findings[0]?.detail ?? '', /names no rule/);
	});

	it('that matches no finding below it changes nothing (it may be meant for a live table): the finding stands', () => {
		const report = lint('-- cutover: allow drop-table because old\nALTER TABLE accounts DROP COLUMN a;');
		assert.deepEqual(report.findings.map(f => [f.rule, f.severity, f.allowed]), [['drop-column', 'error', null]]);
	});
});
