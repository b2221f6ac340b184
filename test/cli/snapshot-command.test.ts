import assert from 'node:assert/strict';
import {copyFileSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type {Engine} from '../../source/engine/model.js';
import {cutover, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';

async function withTarget(engine: Engine, work: (target: DemoTarget) => Promise<void>) {
	const target = await prepareDemoTarget(engine);
	try {
		await work(target);
	} finally {
		await target.cleanup();
	}
}

/** Changes the target with the driver itself, as someone else would. */
async function change(target: DemoTarget, sql: string) {
	if (target.engine === 'postgres') {
		await target.rows(sql);
		return;
	}

	const db = new BetterSqlite3(target.db.slice('sqlite:'.length));
	try {
		db.exec(sql);
	} finally {
		db.close();
	}
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`cutover snapshot on ${engine}`, () => {
		it('prints the snapshot as JSON, or writes it and says what it holds, never over an existing file', async () => withTarget(engine, async target => {
			const printed = cutover(target, ['snapshot', '--db', target.db]);
			assert.equal(printed.code, 0, printed.stderr);
			const file = JSON.parse(printed.stdout) as {format: string; version: number; target: string; snapshot: {engine: string; migration: string; tables: Array<{name: string; rows: number; bytes: number | null}>}};
			assert.equal(file.format, 'cutover snapshot');
			assert.equal(file.version, 1);
			assert.equal(file.snapshot.engine, engine);
			assert.equal(file.snapshot.migration, '0001_create_users_and_meters');
			assert.deepEqual(file.snapshot.tables.map(t => [t.name, t.rows]), [['meters', 40], ['users', 8]]);
			assert.doesNotMatch(printed.stdout, /password/i);

			const out = path.join(target.dir, 'before.json');
			const written = cutover(target, ['snapshot', '--db', target.db, '--out', out]);
			assert.equal(written.code, 0, written.stderr);
			assert.match(written.stdout, new RegExp(`^${engine} database \\S+, [\\d.]+ [kM]?B, migration 0001_create_users_and_meters$`, 'm'));
			// Both primary keys; PostgreSQL lists users.role's CHECK too, SQLite keeps it only in the CREATE TABLE text.
			// PostgreSQL's other objects: plpgsql and the public schema, which every database has.
			assert.match(written.stdout, new RegExp(`^2 tables, 0 indexes, ${engine === 'postgres' ? '3 constraints, 0 views, 1 extension, 1 schema' : '2 constraints, 0 views'}$`, 'm'));
			assert.match(written.stdout, /^meters\s+40\s+(-|[\d.]+ kB)\s+5$/m);
			assert.match(written.stdout, new RegExp(`^written to ${out.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
			const kept = readFileSync(out, 'utf8');

			const again = cutover(target, ['snapshot', '--db', target.db, '--out', out]);
			assert.equal(again.code, 1);
			assert.match(again.stderr, /before\.json exists already; it was left as it was\n {2}→ pass another --out/);
			assert.equal(readFileSync(out, 'utf8'), kept);
		}));

		it('diff lists what changed, marks the unexpected, exits 1 for them and 0 once --allow names them', async () => withTarget(engine, async target => {
			const a = path.join(target.dir, 'a.json');
			const b = path.join(target.dir, 'b.json');
			assert.equal(cutover(target, ['snapshot', '--db', target.db, '--out', a]).code, 0);
			await change(target, 'ALTER TABLE users DROP COLUMN created_at; DELETE FROM meters WHERE id <= 3; CREATE TABLE notes (id integer PRIMARY KEY, body text); CREATE INDEX meters_kind ON meters (kind)');
			assert.equal(cutover(target, ['snapshot', '--db', target.db, '--out', b]).code, 0);

			const same = cutover(target, ['snapshot', 'diff', a, a]);
			assert.equal(same.code, 0, same.stdout + same.stderr);
			assert.match(same.stdout, /^schema: no object added, removed or changed$/m);
			assert.match(same.stdout, /^rows and sizes: no change in 2 tables$/m);
			assert.match(same.stdout, /^no unexpected change$/m);

			const diff = cutover(target, ['snapshot', 'diff', a, b]);
			assert.equal(diff.code, 1, diff.stdout + diff.stderr);
			assert.match(diff.stdout, /^migration {2}0001_create_users_and_meters \(unchanged\)$/m);
			assert.match(diff.stdout, /^! {2}column {2}removed {2}users\.created_at\s+timestamp.* not null default /m);
			assert.match(diff.stdout, /^ {3}table {3}added {4}notes\s+0 rows, 2 columns$/m);
			assert.match(diff.stdout, /^ {3}index {3}added {4}meters_kind\s+on meters: CREATE INDEX meters_kind ON (public\.)?meters/m);
			assert.match(diff.stdout, /^! {2}meters\s+40\s+37\s+-3/m);
			assert.match(diff.stdout, /^UNEXPECTED: 2 changes\n {2}! column users\.created_at was removed\n {2}! table meters lost 3 rows \(40 → 37\)$/m);
			assert.match(diff.stderr, /^cutover: 2 unexpected changes between the snapshots\n {2}→ look at the lines marked !; if they are meant, name them with --allow <name>$/m);

			const allowed = cutover(target, ['snapshot', 'diff', a, b, '--allow', 'users.created_at', '--allow', 'meters']);
			assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
			assert.match(allowed.stdout, /^~ {2}column {2}removed {2}users\.created_at/m);
			assert.match(allowed.stdout, /^no unexpected change$/m);
			assert.equal(allowed.stderr, '');
			const misspelt = cutover(target, ['snapshot', 'diff', a, b, '--allow', 'users.created', '--allow', 'meters']);
			assert.equal(misspelt.code, 1);
			assert.match(misspelt.stderr, /^cutover: --allow users\.created names no changed object or table in these snapshots$/m);
			assert.doesNotMatch(misspelt.stderr, /--allow meters/);

			const json = cutover(target, ['snapshot', 'diff', a, b, '--json']);
			assert.equal(json.code, 1);
			const parsed = JSON.parse(json.stdout) as {unexpected: string[]; objects: Array<{kind: string; name: string; change: string}>};
			assert.deepEqual(parsed.unexpected, ['column users.created_at was removed', 'table meters lost 3 rows (40 → 37)']);
			assert.equal(parsed.objects.length, 3);
		}));
	});
}

describe('cutover snapshot diff: files that are no snapshot', () => {
	it('names each and what to do, with exit 2, whichever side it is on', async () => withTarget('sqlite', async target => {
		const good = path.join(target.dir, 'good.json');
		assert.equal(cutover(target, ['snapshot', '--db', target.db, '--out', good]).code, 0);
		const write = (name: string, text: string) => {
			const file = path.join(target.dir, name);
			writeFileSync(file, text);
			return file;
		};

		const snapshot = JSON.parse(readFileSync(good, 'utf8')) as {version: number; snapshot: {tables: Array<{rows: unknown}>}};
		const damaged = structuredClone(snapshot);
		damaged.snapshot.tables[1]!.rows = 'eight';
		const newer = {...structuredClone(snapshot), version: 2};
		const copy = path.join(target.dir, 'copy.db');
		copyFileSync(target.db.slice('sqlite:'.length), copy);
		const cases: Array<[string, RegExp]> = [
			[path.join(target.dir, 'missing.json'), /missing\.json: no such file\n {2}→ check the path; make one with cutover snapshot --db <target> --out <file\.json>/],
			[target.dir, /: is a directory\n/],
			[write('text.json', 'not json at all'), /text\.json: is not JSON \(.+\)\n {2}→ pass a file written by cutover snapshot --out/],
			[write('other.json', '{"name": "some package", "version": "1.0.0"}'), /other\.json: is JSON but not a cutover snapshot \(no "format": "cutover snapshot"\)/],
			[write('record.jsonl', '{"seq":0,"kind":"run.started","at":1,"event":{"type":"run.started"}}\n{"seq":1,"kind":"x","at":2,"event":{}}\n'), /record\.jsonl: is a change record, not a snapshot\n {2}→ a run's record holds its snapshots \(snapshot\.taken\)/],
			[copy, /copy\.db: is a SQLite database, not a snapshot of one\n {2}→ cutover snapshot --db sqlite:.+copy\.db --out <file\.json> takes its snapshot/],
			[write('damaged.json', JSON.stringify(damaged)), /damaged\.json: is a damaged snapshot: snapshot\.tables\[1\]\.rows is not what it should be \("eight"\)\n {2}→ take the snapshot again/],
			[write('newer.json', JSON.stringify(newer)), /newer\.json: is a snapshot of format version 2; this cutover reads version 1\n {2}→ diff it with the cutover that made it/],
		];
		for (const [file, message] of cases) {
			for (const args of [[good, file], [file, good]]) {
				const result = cutover(target, ['snapshot', 'diff', ...args]);
				assert.equal(result.code, 2, `${file}: ${result.stdout}${result.stderr}`);
				assert.match(result.stderr, message);
				assert.equal(result.stdout, '');
			}
		}

		const one = cutover(target, ['snapshot', 'diff', good]);
		assert.equal(one.code, 2);
		assert.match(one.stderr, /snapshot diff needs two snapshot files, got 1\n {2}→ cutover snapshot diff <before\.json> <after\.json>/);
		const noDb = cutover(target, ['snapshot']);
		assert.equal(noDb.code, 2);
		assert.match(noDb.stderr, /--db is required/);
		const stray = cutover(target, ['snapshot', 'compare', good]);
		assert.equal(stray.code, 2);
		assert.match(stray.stderr, /unknown snapshot subcommand "compare"/);
	}));
});
