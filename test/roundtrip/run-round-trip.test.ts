import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {Catalog, CatalogObject} from '../../source/engine/catalog.js';
import type {MigrationPlan} from '../../source/engine/model.js';
import {MigrationError} from '../../source/errors/index.js';
import type {Migrator} from '../../source/ports/migrator.js';
import {runRoundTrip} from '../../source/round-trip/run-round-trip.js';

/** A migration of the in-memory schema: the objects its up adds and its down removes (null: no down), or a failure. */
type Step = {adds: string[]; downRemoves?: string[] | null; upFails?: boolean; downFails?: boolean};

/** A migrator over a set of object names: what the round trip sees through its port and the catalog. */
function fake(steps: Record<string, Step>, extra: Partial<MigrationPlan> = {}) {
	const schema = new Set<string>();
	const calls: string[] = [];
	const fail = (name: string, direction: 'up' | 'down') => new MigrationError(`${name} (${direction}) failed`, {migration: name, direction, statement: null, hint: 'fix it'});
	const migrator: Migrator = {
		async plan() {
			return {applied: [], pending: Object.entries(steps).map(([name, s]) => ({name, checksum: name, reversible: s.downRemoves !== null})), ...extra};
		},
		async up(name) {
			calls.push(`up ${name}`);
			const step = steps[name]!;
			if (step.upFails === true || step.adds.some(o => schema.has(o))) {
				throw fail(name, 'up');
			}

			for (const o of step.adds) {
				schema.add(o);
			}
		},
		async down(name) {
			calls.push(`down ${name}`);
			const step = steps[name]!;
			if (step.downFails === true) {
				throw fail(name, 'down');
			}

			for (const o of step.downRemoves ?? step.adds) {
				schema.delete(o);
			}
		},
		async invalidIndexes() {
			return [];
		},
		async dropInvalidIndex() {},
		async close() {},
	};
	const readCatalog = async (): Promise<Catalog> => ({objects: [...schema].map((name): CatalogObject => ({kind: name.startsWith('idx') ? 'index' : 'table', name, table: null, definition: name}))});
	return {migrator, readCatalog, calls};
}

const context = {runId: 'test', appliedBy: 'test'};

describe('the round trip', () => {
	it('ups all, downs in reverse, ups again, each compared: a clean folder passes every step', async () => {
		const {migrator, readCatalog, calls} = fake({a: {adds: ['t1']}, b: {adds: ['t2', 'idx_t2']}});
		const run = await runRoundTrip({migrator, readCatalog, checks: null, context});
		assert.deepEqual(calls, ['up a', 'up b', 'down b', 'down a', 'up a', 'up b']);
		assert.deepEqual(run.migrations.map(m => [m.name, m.up.status, m.down.status, m.reUp.status]), [['a', 'passed', 'passed', 'passed'], ['b', 'passed', 'passed', 'passed']]);
	});

	it('a down that leaves an index fails that down, and its re-up, which finds the index there, fails', async () => {
		const {migrator, readCatalog} = fake({a: {adds: ['t1']}, b: {adds: ['idx_b'], downRemoves: []}});
		const run = await runRoundTrip({migrator, readCatalog, checks: null, context});
		const [a, b] = run.migrations;
		assert.equal(b!.down.status, 'failed');
		assert.equal(b!.down.error, 'left behind: index idx_b');
		// a's down is compared with the schema before a: the index b left is carried, not held against a.
		assert.equal(a!.down.status, 'passed');
		assert.deepEqual(a!.down.carried?.map(d => d.name), ['idx_b']);
		assert.equal(b!.reUp.status, 'failed');
		assert.match(b!.reUp.error ?? '', /b \(up\) failed/);
	});

	it('a failed up stops the ups; the migrations before it still go down and up', async () => {
		const {migrator, readCatalog, calls} = fake({a: {adds: ['t1']}, b: {adds: ['t2'], upFails: true}, c: {adds: ['t3']}});
		const run = await runRoundTrip({migrator, readCatalog, checks: null, context});
		assert.deepEqual(calls, ['up a', 'up b', 'down a', 'up a']);
		assert.deepEqual(run.migrations.map(m => [m.up.status, m.down.status, m.reUp.status]), [['passed', 'passed', 'passed'], ['failed', 'not-run', 'not-run'], ['not-run', 'not-run', 'not-run']]);
	});

	it('a migration without a down stops the downs there: nothing below it is reverted, what was reverted goes up again', async () => {
		const {migrator, readCatalog, calls} = fake({a: {adds: ['t1']}, b: {adds: ['t2'], downRemoves: null}, c: {adds: ['t3']}});
		const run = await runRoundTrip({migrator, readCatalog, checks: null, context});
		assert.deepEqual(calls, ['up a', 'up b', 'up c', 'down c', 'up c']);
		assert.equal(run.migrations[1]!.down.error, 'has no down: cannot be reverted');
		assert.equal(run.migrations[0]!.down.status, 'not-run');
	});

	it('a failed down stops the downs the same way', async () => {
		const {migrator, readCatalog, calls} = fake({a: {adds: ['t1']}, b: {adds: ['t2'], downFails: true}});
		const run = await runRoundTrip({migrator, readCatalog, checks: null, context});
		assert.deepEqual(calls, ['up a', 'up b', 'down b']);
		assert.match(run.migrations[1]!.down.error ?? '', /b \(down\) failed/);
	});

	it('runs the pre checks before the first up and the post checks after the last, naming the last migration', async () => {
		const {migrator, readCatalog, calls} = fake({a: {adds: ['t1']}, b: {adds: ['t2']}});
		const run = await runRoundTrip({
			migrator, readCatalog, context, checks: {
				async pre(target) {
					calls.push(`pre ${target}`);
				},
				async post(target) {
					calls.push(`post ${target}`);
					return [{id: 'k', title: 'K', verdict: 'passed', blocking: true, detail: ''}];
				},
			},
		});
		assert.deepEqual(calls.slice(0, 4), ['pre b', 'up a', 'up b', 'post b']);
		assert.equal(run.checks.length, 1);
	});

	it('refuses a schema without cutover\'s log, saying to adopt it or use --empty; stops when asked to', async () => {
		const adopt = fake({a: {adds: ['t1']}}, {adoption: {tables: ['users'], history: []} as unknown as NonNullable<MigrationPlan['adoption']>});
		await assert.rejects(runRoundTrip({...adopt, checks: null, context}), /no cutover_migrations/);
		const stopped = fake({a: {adds: ['t1']}});
		await assert.rejects(runRoundTrip({...stopped, checks: null, context, signal: AbortSignal.abort()}), /the round trip was stopped/);
		assert.deepEqual(stopped.calls, []);
	});
});
