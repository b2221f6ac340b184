// A SQLite statement holds the main thread until it ends; between the statements of a migration
// the event loop must turn, so the console sees a key (the quit question) or a signal after each.
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {openMigrator} from '../../source/adapters/migrator/index.js';

test('timers run between the statements of a long SQLite migration', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-yields-'));
	try {
		const file = path.join(dir, 'app.db');
		// A valid database with no table: a 0-byte file is refused as not a database.
		const empty = new BetterSqlite3(file);
		empty.exec('VACUUM');
		empty.close();
		const migrations = path.join(dir, 'migrations');
		const slow = (name: string) => `CREATE TABLE ${name} AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 400000) SELECT x FROM c;`;
		mkdirSync(migrations);
		writeFileSync(path.join(migrations, '0001_slow.up.sql'), [slow('a'), slow('b'), slow('c'), slow('d')].join('\n'));
		const migrator = await openMigrator({target: {engine: 'sqlite', path: file, display: `sqlite:${file}`}, directory: migrations});
		try {
			const ticks: number[] = [];
			const timer = setInterval(() => ticks.push(Date.now()), 5);
			const started = Date.now();
			try {
				await migrator.up('0001_slow', {runId: 'r', appliedBy: 't'});
			} finally {
				clearInterval(timer);
			}

			const ended = Date.now();
			const during = ticks.filter(at => at < ended);
			assert.ok(during.length >= 4, `${during.length} ticks during ${ended - started} ms of migration`);
		} finally {
			await migrator.close();
		}
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
