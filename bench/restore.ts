// What cutover's rollback by restore costs over a bare pg_restore of the same dump (goal: at most
// 1.05×): `npm run bench:restore` (`--scale F` seeds a fraction of the rows, `--rounds N`). The
// database is the backup bench's; cutover's side is the adapter a rollback uses (checksum, listing,
// a new database, pg_restore, table check, rename swap); the bare side is createdb and pg_restore
// of the same file into a fresh database. Everything made is dropped afterwards.
import {mkdtempSync, rmSync, statSync} from 'node:fs';
import {cpus, loadavg, tmpdir} from 'node:os';
import path from 'node:path';
import {randomBytes} from 'node:crypto';
import {execa} from 'execa';
import {createPostgresBackupTool} from '../source/adapters/postgres/backup-tool.js';
import {parseTarget} from '../source/target.js';
import {adminUrl, createThrowawayDatabase} from '../test/support/postgres.js';
import {cleanUp, onCleanup} from './cleanup.js';
import {interleave, median} from './measure.js';
import {seed} from './postgres-backup.js';
import {table} from './report.js';

const at = (name: string) => process.argv.indexOf(name);
const scale = at('--scale') === -1 ? 1 : Number(process.argv[at('--scale') + 1]);
if (!(scale > 0 && scale <= 10)) {
	throw new Error(`--scale takes a fraction of the bench's rows above 0 and at most 10, not ${process.argv[at('--scale') + 1]}`);
}

const rounds = at('--rounds') === -1 ? Number(process.env['CUTOVER_BENCH_ROUNDS'] ?? 3) : Number(process.argv[at('--rounds') + 1]);
if (!Number.isInteger(rounds) || rounds < 1) {
	throw new Error(`--rounds takes a whole number of at least 1, not ${process.argv[at('--rounds') + 1]}`);
}

const goal = 1.05;
const budgetSeconds = 300;

/** Runs one statement as the admin on the maintenance database, through psql (the bench holds no session of its own). */
async function admin(sql: string): Promise<void> {
	const url = new URL(adminUrl);
	url.pathname = '/postgres';
	await execa('psql', ['--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1', `--dbname=${url.toString()}`, `--command=${sql}`], {stdin: 'ignore'});
}

try {
	console.error(`node ${process.version}, ${cpus().length} cores, load ${loadavg().map(l => l.toFixed(2)).join(' ')}, scale ${scale}, ${rounds} rounds after one warm-up`);
	const directory = mkdtempSync(path.join(tmpdir(), 'cutover-bench-restore-'));
	onCleanup(directory, () => rmSync(directory, {recursive: true, force: true}));
	const database = await createThrowawayDatabase('cutover_bench');
	// Drops the target and every replaced copy a restore kept aside under its name.
	onCleanup(`database ${database.name}`, async () => database.drop());
	console.error('seeding…');
	await seed(database.sql, scale);

	const target = parseTarget(database.url);
	if (target.engine !== 'postgres') {
		throw new Error(`${database.url} did not parse as a PostgreSQL target`);
	}

	// The default policy: what a run's backup and its rollback would use.
	const tool = createPostgresBackupTool(target);
	const artifact = await tool.backup({directory, fileName: 'rollback.dump', onProgress() {}});
	const formatFlag = artifact.format === 'pg-directory' ? '--format=directory' : '--format=custom';
	const size = await database.sql('SELECT pg_database_size(current_database())::bigint AS bytes');
	const databaseBytes = Number(size.rows[0]?.bytes ?? 0);

	const comparison = await interleave({
		what: `cutover restore (${artifact.format}) / createdb + pg_restore`,
		rounds,
		async cutover() {
			const outcome = await tool.restore(artifact);
			if (outcome.replaced === undefined) {
				throw new Error(`the restore did not replace the database: ${outcome.detail}`);
			}

			// The replaced copy is what a rollback keeps; the bench has no use for it.
			await admin(`DROP DATABASE "${outcome.replaced.keptAs}" WITH (FORCE)`);
		},
		async bare() {
			const fresh = `${database.name}_bare_${randomBytes(3).toString('hex')}`;
			const url = new URL(adminUrl);
			url.pathname = `/${fresh}`;
			try {
				await execa('createdb', [`--maintenance-db=${new URL('/postgres', adminUrl).toString()}`, fresh], {stdin: 'ignore'});
				// The same mode cutover uses for this format: one transaction, stop at the first error.
				const mode = artifact.format === 'pg-directory' ? [] : ['--single-transaction'];
				await execa('pg_restore', [formatFlag, ...mode, '--exit-on-error', `--dbname=${url.toString()}`, artifact.path], {stdin: 'ignore'});
			} finally {
				await admin(`DROP DATABASE IF EXISTS "${fresh}" WITH (FORCE)`);
			}
		},
	});

	const restore = median(comparison.cutoverMs);
	const bare = median(comparison.bareMs);
	const ratio = restore / bare;
	const bytesPerSecond = databaseBytes / (restore / 1000);
	const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
	console.log(`PostgreSQL: ${mb(databaseBytes)} database (${mb(statSync(artifact.path).size)} dump, ${artifact.format}), the backup bench's 3 tables at scale ${scale}`);
	console.log('');
	console.log(table([
		['what', 'rounds', 'median ms (cutover)', 'median ms (bare)', 'ratio', 'goal'],
		[comparison.what, String(rounds), restore.toFixed(0), bare.toFixed(0), `${ratio.toFixed(2)}×`, `${ratio <= goal ? 'met' : 'missed'} (≤ ${goal}×)`],
	]).join('\n'));
	console.log('');
	console.log(`restore throughput: ${mb(bytesPerSecond)}/s of database (its size on disk over cutover's median restore)`);
	console.log(`largest database whose rollback by restore stays under ${budgetSeconds / 60} minutes on this machine: about ${(bytesPerSecond * budgetSeconds / 1024 / 1024 / 1024).toFixed(1)} GB (an extrapolation from this ${mb(databaseBytes)} database at a constant rate, not a measurement: indexes, compression and disk make large restores slower or faster)`);
} catch (error) {
	process.exitCode = 1;
	console.error(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
} finally {
	await cleanUp();
}
