// A check kind naming a table in the wrong case on PostgreSQL (Meters for meters) must not pass as
// "not applicable yet" before the upgrade: it says which name the catalog has.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import {openDatabase} from '../../source/adapters/open-target.js';
import {loadChecklist} from '../../source/checklist/index.js';
import {runCheck} from '../../source/run/checks.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';

describe('a check naming a table in another case, on PostgreSQL', () => {
	it('is an error naming the catalog\'s name; a table truly not there yet is still not applicable', async () => {
		const db = await createThrowawayDatabase('cutover_case');
		const dir = mkdtempSync(path.join(tmpdir(), 'cutover-case-'));
		try {
			await db.sql('CREATE TABLE meters (id integer PRIMARY KEY, unit_id integer)');
			writeFileSync(path.join(dir, 'c.yaml'), `name: case
window: {expected-minutes: 5}
checks:
  pre:
    - {id: wrong-case, title: One meter per unit, unique: {table: Meters, columns: [unit_id]}}
    - {id: not-yet, title: Readings unique, unique: {table: readings, columns: [unit_id]}}
`);
			const checklist = await loadChecklist(path.join(dir, 'c.yaml'));
			const database = await openDatabase(parseTarget(db.url));
			try {
				const clock = {now: () => 0};
				const wrong = await runCheck(database, checklist.checks.pre[0]!, 'pre', [], clock);
				assert.equal(wrong.verdict, 'error', wrong.detail);
				assert.match(wrong.detail, /table Meters does not exist, but meters does/);
				const notYet = await runCheck(database, checklist.checks.pre[1]!, 'pre', [], clock);
				assert.equal(notYet.verdict, 'not-applicable', notYet.detail);
			} finally {
				await database.close();
			}
		} finally {
			rmSync(dir, {recursive: true, force: true});
			await db.drop();
		}
	});
});
