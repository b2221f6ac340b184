// What the checklist's duplicate check costs through cutover over the same SQL through psql (goal:
// at most 1.05×): `npm run bench:duplicates` (`--rows N`, default the 5,000,000; `--rounds N`).
// The check is meter-unique-index.yaml's `duplicates-to-archive`, compiled by cutover's checklist
// loader; cutover's side runs it through the check runner a run uses (a connection of its own,
// the statement, the verdict and its evidence); the bare side is psql printing the same rows.
// Both sides connect afresh each round. The table is dropped with its database afterwards.
import path from 'node:path';
import {cpus, loadavg} from 'node:os';
import {execa} from 'execa';
import {openPostgresDatabase} from '../source/adapters/postgres/database.js';
import {systemClock} from '../source/adapters/system-clock.js';
import {loadChecklist, sqlFor} from '../source/checklist/index.js';
import {packageRoot} from '../source/package-root.js';
import {runCheck} from '../source/run/checks.js';
import {parseTarget} from '../source/target.js';
import {createThrowawayDatabase} from '../test/support/postgres.js';
import {cleanUp, onCleanup} from './cleanup.js';
import {interleave, median} from './measure.js';
import {fullMeterRows, seedMeters} from './meters.js';
import {judged, table} from './report.js';

const at = (name: string) => process.argv.indexOf(name);
const rows = at('--rows') === -1 ? fullMeterRows : Number(process.argv[at('--rows') + 1]);
if (!Number.isInteger(rows) || rows < 1000) {
	throw new Error(`--rows takes a whole number of at least 1000, not ${process.argv[at('--rows') + 1]}`);
}

const rounds = at('--rounds') === -1 ? Number(process.env['CUTOVER_BENCH_ROUNDS'] ?? 3) : Number(process.argv[at('--rounds') + 1]);
if (!Number.isInteger(rounds) || rounds < 1) {
	throw new Error(`--rounds takes a whole number of at least 1, not ${process.argv[at('--rounds') + 1]}`);
}

const goal = 1.05;

try {
	console.error(`node ${process.version}, ${cpus().length} cores, load ${loadavg().map(l => l.toFixed(2)).join(' ')}, ${rows.toLocaleString('en')} rows, ${rounds} rounds after one warm-up`);
	const checklist = await loadChecklist(path.join(packageRoot, 'checklists', 'meter-unique-index.yaml'));
	const check = checklist.checks.pre.find(c => c.id === 'duplicates-to-archive');
	if (check === undefined) {
		throw new Error('meter-unique-index.yaml has no pre check duplicates-to-archive');
	}

	const sql = sqlFor(check, 'postgres');
	if (sql === null) {
		throw new Error('duplicates-to-archive gives no SQL for PostgreSQL');
	}

	const database = await createThrowawayDatabase('cutover_bench');
	onCleanup(`database ${database.name}`, async () => database.drop());
	console.error('seeding…');
	const groups = await seedMeters(database.sql, rows);
	const target = parseTarget(database.url);
	if (target.engine !== 'postgres') {
		throw new Error(`${database.url} did not parse as a PostgreSQL target`);
	}

	const comparison = await interleave({
		what: 'duplicate check through cutover / the same SQL through psql',
		goal,
		rounds,
		async cutover() {
			const connection = await openPostgresDatabase(target);
			try {
				const result = await runCheck(connection, check, 'pre', [], systemClock);
				// Duplicates fail the check (a warning: it blocks nothing); any other verdict means it did not see them.
				if (result.verdict !== 'failed' || result.evidence.total !== groups) {
					throw new Error(`the check said ${result.verdict} with ${result.evidence.total} groups (${result.detail}); the table has ${groups}`);
				}
			} finally {
				await connection.close();
			}
		},
		async bare() {
			const {stdout} = await execa('psql', ['--no-psqlrc', '--no-align', '--tuples-only', '--set=ON_ERROR_STOP=1', `--dbname=${database.url}`, `--command=${sql}`], {stdin: 'ignore'});
			const lines = stdout.split('\n').filter(line => line !== '').length;
			if (lines !== groups) {
				throw new Error(`psql printed ${lines} groups; the table has ${groups}`);
			}
		},
	});

	const cutover = median(comparison.cutoverMs);
	const bare = median(comparison.bareMs);
	console.log(`meters: ${rows.toLocaleString('en')} rows, ${groups.toLocaleString('en')} duplicate (unit_id, kind, slot) groups, no index on the key`);
	console.log(`check: ${sql}`);
	console.log('');
	console.log(table([
		['what', 'rounds', 'median ms (cutover)', 'median ms (bare)', 'ratio', 'goal'],
		[comparison.what, String(rounds), cutover.toFixed(0), bare.toFixed(0), `${(cutover / bare).toFixed(2)}×`, judged(cutover / bare, goal)],
	]).join('\n'));
	console.log(`cutover rounds ms: ${comparison.cutoverMs.map(ms => ms.toFixed(0)).join(' ')}; psql rounds ms: ${comparison.bareMs.map(ms => ms.toFixed(0)).join(' ')}`);
} catch (error) {
	process.exitCode = 1;
	console.error(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
} finally {
	await cleanUp();
}
