import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {loadChecklist} from '../../source/checklist/index.js';
import {pairTargets, runbookFor} from '../../source/cli/databases-run.js';
import {ChecklistError, UsageError} from '../../source/errors/index.js';
import {packageRoot} from '../../source/package-root.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cutover-checklist-databases-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

let counter = 0;
function write(body: string): string {
	const file = path.join(dir, `checklist-${counter++}.yaml`);
	writeFileSync(file, `name: split\nwindow:\n  expected-minutes: 15\n${body}`);
	return file;
}

const two = 'databases:\n  - {name: users, migrations: m/users}\n  - {name: pool, migrations: m/pool}\n';

test('databases: names each database and its folder; a check runs on the one it names, or on each', async () => {
	const runbook = await loadChecklist(write(`${two}checks:\n  pre:\n    - {id: a, title: On users, database: users, sql: SELECT 1, expect: some-rows}\n    - {id: b, title: On each, sql: SELECT 1, expect: some-rows}\n`));
	assert.deepEqual(runbook.databases, [{name: 'users', migrations: 'm/users', format: null}, {name: 'pool', migrations: 'm/pool', format: null}]);
	assert.deepEqual(runbookFor(runbook, 'users').checks.pre.map(c => c.id), ['a', 'b']);
	assert.deepEqual(runbookFor(runbook, 'pool').checks.pre.map(c => c.id), ['b']);
});

test('no database\'s own runbook has the preparation or the maintenance commands: they are the run\'s, said once and switched once', async () => {
	const runbook = await loadChecklist(write(`${two}preparation:\n  - {id: told, text: Everyone told}\nmaintenance: {on: 'echo on', off: 'echo off'}\nchecks: {}\n`));
	for (const name of ['users', 'pool']) {
		assert.deepEqual(runbookFor(runbook, name).preparation, []);
		assert.deepEqual(runbookFor(runbook, name).maintenance, {on: null, off: null, offWhenMidChange: false});
	}
});

test('within: compares with the count of its table on its own database', async () => {
	const runbook = await loadChecklist(write(`${two}checks:\n  pre:\n    - {id: users-count, title: U, database: users, row_count: {table: keep, min: 0}}\n    - {id: pool-count, title: P, database: pool, row_count: {table: keep, min: 0}}\n  post:\n    - {id: users-kept, title: UK, database: users, row_count: {table: keep, within: 0%}}\n    - {id: pool-kept, title: PK, database: pool, row_count: {table: keep, within: 0%}}\n`));
	assert.deepEqual(runbook.checks.post.map(c => [c.id, 'check' in c.expect ? c.expect.check : null]), [['users-kept', 'pre.users-count'], ['pool-kept', 'pre.pool-count']]);
});

const cases: Array<{body: string; where: string; problem: RegExp}> = [
	{body: `${two}checks:\n  pre:\n    - {id: a, title: A, database: orders, sql: SELECT 1, expect: some-rows}\n`, where: 'checks.pre[0].database', problem: /database: orders is not one of this runbook's databases \(users, pool\) \(line 9\)/},
	{body: 'checks:\n  pre:\n    - {id: a, title: A, database: users, sql: SELECT 1, expect: some-rows}\n', where: 'checks.pre[0].database', problem: /names a database, and this runbook is over one: add databases:/},
	{body: 'databases:\n  - {name: users}\n  - {name: users}\nchecks: {}\n', where: 'databases[1].name', problem: /duplicate database "users": each database of the run needs its own name \(line 6\)/},
	{body: 'databases:\n  - {name: users}\nchecks: {}\n', where: 'databases', problem: /names at least two \(this one names 1\)/},
	{body: 'databases:\n  - {name: users, folder: x}\n  - {name: pool}\nchecks: {}\n', where: 'databases[0].folder', problem: /unknown key "folder"/},
	{body: `${two}observe: {minutes: 5}\nchecks: {}\n`, where: 'observe', problem: /no observation period yet/},
	{body: `${two}checks:\n  pre:\n    - {id: n, title: N, database: users, row_count: {table: a, min: 0}}\n  post:\n    - {id: m, title: M, database: pool, sql: SELECT 1, expect: {same-rows-as: pre.n}}\n`, where: 'checks.post[0].database', problem: /m compares with pre\.n, which runs on users only, and m runs on pool: give it database: users/},
	{body: `${two}checks:\n  pre:\n    - {id: n, title: N, database: users, row_count: {table: a, min: 0}}\n  post:\n    - {id: m, title: M, database: pool, row_count: {table: a, within: 0%}}\n`, where: 'checks.post[0].row_count.within', problem: /no pre check counts a/},
	{body: `${two}checks:\n  pre:\n    - {id: n, title: N, database: users, row_count: {table: a, min: 0}}\n  post:\n    - {id: m, title: M, sql: SELECT 1, expect: {same-rows-as: pre.n}}\n`, where: 'checks.post[0].id', problem: /m runs on every database: give it database: users/},
];

for (const c of cases) {
	test(`refused: ${c.body.split('\n').filter(Boolean).at(-1)}`, async () => {
		const file = write(c.body);
		await assert.rejects(loadChecklist(file), (error: unknown) => {
			assert.ok(error instanceof ChecklistError, String(error));
			assert.match(error.message, new RegExp(path.basename(file)));
			assert.ok(error.message.includes(c.where), `${error.message} does not name ${c.where}`);
			assert.match(error.message, c.problem);
			return true;
		});
	});
}

test('every database of the runbook needs a target, each named, each once', async () => {
	const runbook = await loadChecklist(path.join(packageRoot, 'checklists/dual-db-split.yaml'));
	assert.deepEqual([...pairTargets(runbook, ['users=sqlite:/a.db', 'pool=postgres://h/pool?x=1']).entries()], [['users', 'sqlite:/a.db'], ['pool', 'postgres://h/pool?x=1']]);
	const refused = (given: string[], problem: RegExp) => assert.throws(() => pairTargets(runbook, given), (error: unknown) => error instanceof UsageError && problem.test(error.message) && /--db users=<target> --db pool=<target>/.test(error.hint ?? ''));
	refused(['users=sqlite:/a.db'], /no target is given for pool/);
	refused(['sqlite:/a.db', 'pool=sqlite:/b.db'], /--db sqlite:\/a\.db does not say which of the runbook's databases it is/);
	refused(['users=sqlite:/a.db', 'users=sqlite:/b.db', 'pool=sqlite:/c.db'], /--db users= is given twice/);
	refused(['users=sqlite:/a.db', 'pool=sqlite:/b.db', 'orders=sqlite:/c.db'], /--db orders=sqlite:\/c\.db does not say which/);
});
