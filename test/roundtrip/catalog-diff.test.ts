import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {describeDifferences, diffCatalogs, type Catalog, type CatalogObject} from '../../source/engine/catalog.js';
import {comparedStep, failuresOf, notRun, passedStep, type MigrationRoundTrip} from '../../source/engine/round-trip.js';

const table = (name: string): CatalogObject => ({kind: 'table', name, table: null, definition: 'table'});
const column = (t: string, name: string, definition: string): CatalogObject => ({kind: 'column', name: `${t}.${name}`, table: t, definition});
const index = (t: string, name: string): CatalogObject => ({kind: 'index', name, table: t, definition: `CREATE INDEX ${name} ON ${t}`});
const fn = (name: string, body = 'SELECT 1'): CatalogObject => ({kind: 'function', name, table: null, definition: body});
const catalog = (...objects: CatalogObject[]): Catalog => ({objects});

describe('catalog comparison', () => {
	it('equal catalogs have no difference, whatever the order', () => {
		const a = catalog(table('report'), column('report', 'day', 'date not null'), fn('f(integer)'));
		assert.deepEqual(diffCatalogs(a, catalog(...[...a.objects].reverse())), []);
	});

	it('names what was left behind, what is missing and what is defined otherwise', () => {
		const expected = catalog(table('report'), column('report', 'total', 'integer not null default 0'));
		const found = catalog(table('report'), column('report', 'total', 'integer'), index('report', 'idx_report_day'), fn('report_total(integer)'));
		const differences = diffCatalogs(expected, found);
		assert.deepEqual(differences.map(d => [d.change, d.kind, d.name]), [
			['extra', 'index', 'idx_report_day'],
			['extra', 'function', 'report_total(integer)'],
			['changed', 'column', 'report.total'],
		]);
		assert.equal(describeDifferences(differences, 'down'), 'left behind: index idx_report_day, function report_total(integer); defined otherwise: column report.total');
		assert.equal(describeDifferences(diffCatalogs(found, expected), 'up'), 'missing: index idx_report_day, function report_total(integer); defined otherwise: column report.total');
	});

	it('lists a table left behind once, not its columns and indexes too', () => {
		const differences = diffCatalogs(catalog(), catalog(table('t'), column('t', 'a', 'integer'), index('t', 't_a_idx')));
		assert.deepEqual(differences.map(d => `${d.change} ${d.kind} ${d.name}`), ['extra table t']);
	});
});

describe('round-trip steps', () => {
	const leftFunction = diffCatalogs(catalog(), catalog(fn('report_total(integer)')));

	it('a difference the step before left, unchanged, is carried: the step passes and keeps it', () => {
		const step = comparedStep(leftFunction, leftFunction, 'down');
		assert.equal(step.status, 'passed');
		assert.deepEqual(step.carried, leftFunction);
		assert.deepEqual(step.differences, []);
	});

	it('the same object found defined otherwise than the step before left it is this step\'s doing', () => {
		const redefined = diffCatalogs(catalog(), catalog(fn('report_total(integer)', 'SELECT 2')));
		const step = comparedStep(redefined, leftFunction, 'down');
		assert.equal(step.status, 'failed');
		assert.equal(step.error, 'left behind: function report_total(integer)');
	});

	it('every failure names its migration: a down that left objects, a migration without a down, a failed up', () => {
		const base: MigrationRoundTrip = {name: '0001_a', reversible: true, up: passedStep(), down: passedStep(), reUp: passedStep()};
		const migrations: MigrationRoundTrip[] = [
			base,
			{...base, name: '0005_add_report', down: comparedStep(leftFunction, [], 'down'), reUp: notRun},
			{...base, name: '0006_irreversible', reversible: false, down: {status: 'failed', error: 'has no down: cannot be reverted', differences: []}, reUp: notRun},
			{...base, name: '0007_broken', up: {status: 'failed', error: 'syntax error', differences: []}, down: notRun, reUp: notRun},
		];
		assert.deepEqual(failuresOf(migrations, [{id: 'key', title: 'Key', verdict: 'failed', blocking: true, detail: '3 rows'}, {id: 'app', title: 'App', verdict: 'skipped', blocking: true, detail: 'probe'}]), [
			'0005_add_report down left behind: function report_total(integer)',
			'0006_irreversible has no down: cannot be reverted',
			'0007_broken up failed: syntax error',
			'post check key failed: 3 rows',
		]);
		assert.deepEqual(failuresOf([base], []), []);
	});
});
