import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import {cutover, demoMigrations, prepareDemoTarget, productionChecklist, type DemoTarget} from '../support/demo-targets.js';
import {checkChain} from '../../source/verify/chain.js';

// Fills the records directory when the maintenance-on hook runs, leaving room for about FILL_ROOM more bytes of journal.
const fillScript = `
import {readdirSync, statSync, statfsSync, writeFileSync} from 'node:fs';
import path from 'node:path';
const [dir, room] = [process.argv[2], Number(process.env.FILL_ROOM)];
if (Number.isFinite(room)) {
	const journal = readdirSync(dir).find(f => f.endsWith('.jsonl'));
	const size = statSync(path.join(dir, journal)).size;
	const fs = statfsSync(dir);
	const page = fs.bsize;
	const cap = Math.ceil(size / page) * page + fs.bavail * fs.bsize;
	const filler = Math.floor((cap - size - room) / page) * page;
	writeFileSync(path.join(dir, 'filler'), Buffer.alloc(Math.max(0, filler)));
}
`;

function mountTmpfs(dir: string, size: string): boolean {
	mkdirSync(dir, {recursive: true});
	return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status === 0;
}

const migrationsApplied = async (target: DemoTarget) => (await target.rows('SELECT name FROM cutover_migrations ORDER BY name')).map(r => String(r['name']));

// tmpfs hands out whole pages, so the room left is known to a page: enough small migrations make the upgrade longer than that.
const extra = Array.from({length: 24}, (_, i) => `${String(i + 5).padStart(4, '0')}_extra_${i + 5}`);

/** Each migration is either wholly applied with its log row or not at all. */
async function assertWholeMigrations(target: DemoTarget) {
	const applied = new Set(await migrationsApplied(target));
	const tableNames = new Set((await target.rows(`SELECT name FROM sqlite_master WHERE type = 'table'`)).map(r => String(r['name'])));
	for (const name of extra) {
		assert.equal(tableNames.has(name), applied.has(name), `${name} and its log row go together`);
	}

	const columns = (await target.rows('PRAGMA table_info(users)')).map(r => String(r['name']));
	assert.equal(columns.includes('status'), applied.has('0002_users_status'), '0002 and its log row go together');
	const tables = (await target.rows(`SELECT name FROM sqlite_master WHERE type = 'table'`)).map(r => String(r['name']));
	assert.equal(tables.includes('meters_archive'), applied.has('0003_archive_duplicate_meters'), '0003 and its log row go together');
	const indexes = (await target.rows(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'meters' AND sql IS NOT NULL`)).length;
	assert.equal(indexes > 0, applied.has('0004_meters_unique_slot'), '0004 and its log row go together');
	return applied;
}

for (const signed of [false, true]) describe(`a records directory that fills up mid-run (a small tmpfs), ${signed ? 'signed' : 'unsigned'}`, () => {
	it('stops the run with a clear message, leaves a valid record that verify accepts, and resume finishes it once there is room', async t => {
		const scratch = mkdtempSync(path.join(os.tmpdir(), 'cutover-full-'));
		const fill = path.join(scratch, 'fill.mjs');
		writeFileSync(fill, fillScript);
		const checklist = path.join(scratch, 'checklist.yaml');
		const records = path.join(scratch, 'records');
		const migrations = path.join(scratch, 'migrations');
		cpSync(demoMigrations, migrations, {recursive: true});
		for (const name of extra) {
			writeFileSync(path.join(migrations, `${name}.up.sql`), `CREATE TABLE "${name}" (id INTEGER PRIMARY KEY);\n`);
			writeFileSync(path.join(migrations, `${name}.down.sql`), `DROP TABLE "${name}";\n`);
		}

		writeFileSync(checklist, readFileSync(productionChecklist, 'utf8').replace(/ {2}on: .*\n/, `  on: 'node ${fill} ${records}'\n`));
		if (!mountTmpfs(records, '16m')) {
			rmSync(scratch, {recursive: true, force: true});
			t.skip('mount -t tmpfs is not allowed here (needs root)');
			return;
		}

		const reference = await prepareDemoTarget('sqlite');
		const target = await prepareDemoTarget('sqlite');
		try {
			if (signed) {
				for (const t of [reference, target]) {
					const keygen = cutover(t, ['keygen']);
					assert.equal(keygen.code, 0, keygen.stdout + keygen.stderr);
				}
			}

			const verifyArgs = (record: string) => signed ? ['verify', record] : ['verify', '--allow-unsigned', record];
			const args = (t: DemoTarget, recordsDir: string) => ['run', '--db', t.db, '--plain', '--yes', '--confirm-db', t.name, '--checklist', checklist, '--migrations', migrations, '--records', recordsDir, '--backups', path.join(t.dir, 'backups'), ...(signed ? [] : ['--unsigned'])];
			// The same run with room to spare: where in the journal the upgrade begins.
			const full = cutover(reference, args(reference, path.join(reference.dir, 'records')));
			assert.equal(full.code, 0, full.stdout + full.stderr);
			const refFile = path.join(reference.dir, 'records', readdirSync(path.join(reference.dir, 'records'))[0]!);
			const refLines = checkChain(readFileSync(refFile)).lines;
			const hookOutputEnd = refLines.findLast(l => l.line.kind === 'command.started' && l.line.event.type === 'command.started' && l.line.event.id === 'maintenance-on')!.end;
			const upgradeStart = refLines.find(l => l.line.kind === 'upgrade.started')!.end;
			const upgradeEnd = refLines.find(l => l.line.kind === 'upgrade.finished')!.end;
			// The room is known to a page (it may be up to a page more): aim at the middle of the upgrade.
			assert.ok(upgradeEnd - upgradeStart > 8192, `the upgrade takes ${upgradeEnd - upgradeStart} bytes of journal`);
			const room = Math.round((upgradeStart + upgradeEnd) / 2) - hookOutputEnd - 2048;

			const run = spawnSync(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), '../../source/cli/main.js'), ...args(target, records)], {
				encoding: 'utf8',
				env: {...process.env, CUTOVER_CONFIG_DIR: path.join(target.dir, 'config'), NO_COLOR: '1', FILL_ROOM: String(room)},
				timeout: 120_000,
			});
			const [file, ...others] = readdirSync(records).filter(f => f.endsWith('.jsonl'));
			assert.ok(file !== undefined && others.length === 0);
			const record = path.join(records, file);
			const bytes = readFileSync(record);
			t.diagnostic(`stopped after ${checkChain(bytes).lines.slice(-3).map(l => l.line.kind).join(", ")} (room ${room})`);
			const chain = checkChain(bytes);

			assert.equal(run.status, 1, run.stdout + run.stderr);
			assert.match(run.stderr, new RegExp(`cutover: the records directory ${records} is full \\(ENOSPC\\): the record is intact up to line ${chain.lines.length}\\n  → free space and run cutover resume ${record}\\n`));
			assert.doesNotMatch(run.stderr + run.stdout, /\n\s+at |unexpected error/, 'no stack trace');
			assert.doesNotMatch(run.stdout, /run finished/, 'the run did not go on to the end');

			// The journal ends on a complete line, every line chained; the lost line and nothing after it.
			assert.equal(chain.problem, null);
			assert.equal(chain.torn, false);
			assert.equal(bytes.at(-1), 0x0A);
			const kinds = chain.lines.map(l => l.line.kind);
			assert.ok(kinds.includes('upgrade.started') && !kinds.includes('upgrade.finished'), 'it stopped in the upgrade');
			assert.ok(!kinds.includes('run.finished') && !kinds.includes('run.interrupted'), 'the stop itself could not be journaled');

			const verify = cutover(target, verifyArgs(record));
			if (signed) {
				// A signed record that stopped without its end sealed is reported unfinished, cleanly, with how far it is sealed.
				assert.equal(verify.code, 1, verify.stdout + verify.stderr);
				assert.match(verify.stdout, new RegExp(`FAIL ${file}: the record ends at line ${chain.lines.length} \\(migration\\.\\w+\\) without run\\.finished or run\\.interrupted: .*; lines 1–\\d+ are sealed and verify`));
				assert.doesNotMatch(verify.stdout + verify.stderr, /\n\s+at /);
			} else {
				assert.equal(verify.code, 0, verify.stdout + verify.stderr);
				assert.match(verify.stdout, new RegExp(`ok {3}${file}: ${chain.lines.length} lines, chain intact`));
			}

			const applied = await assertWholeMigrations(target);
			const loggedInRecord = chain.lines.filter(l => l.line.kind === 'migration.finished').length;
			assert.ok(applied.size - 1 >= loggedInRecord, 'every migration the record says finished is applied');
			assert.ok(applied.size - 1 <= loggedInRecord + 1, 'at most the migration in flight is applied beyond the record');

			// Room again: the same run goes on from where its record ends.
			rmSync(path.join(records, 'filler'));
			const resumed = spawnSync(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), '../../source/cli/main.js'), 'resume', record, '--plain', '--yes', '--confirm-db', target.name, '--backups', path.join(target.dir, 'backups')], {
				encoding: 'utf8',
				env: {...process.env, CUTOVER_CONFIG_DIR: path.join(target.dir, 'config'), NO_COLOR: '1'},
				timeout: 120_000,
			});
			assert.equal(resumed.status, 0, resumed.stdout + resumed.stderr);
			assert.match(resumed.stdout, /run finished: upgraded/);
			assert.deepEqual([...await assertWholeMigrations(target)].sort(), ['0001_create_users_and_meters', '0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot', ...extra]);
			const after = cutover(target, verifyArgs(record));
			assert.equal(after.code, 0, after.stdout + after.stderr);
			assert.match(after.stdout, signed ? /checkpoints and the SSH signature by/ : /unsigned/);
		} finally {
			spawnSync('umount', [records]);
			await reference.cleanup();
			await target.cleanup();
			rmSync(scratch, {recursive: true, force: true});
		}
	});
});
