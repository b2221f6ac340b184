// How much slower cutover's backup and verify are than the bare tools they wrap, measured in
// one process on one machine. Figures are ratios, never absolute promises: `npm run bench`.
import {cpus, loadavg} from 'node:os';
import {cleanUp} from './cleanup.js';
import {benchPostgres} from './postgres-backup.js';
import {formatReport} from './report.js';
import {benchSqlite, type SectionResult} from './sqlite-backup.js';

// --full: the issue's sizes (PostgreSQL about 2 GB: pgbench -i -s 130 and 5M meters; SQLite about
// 1 GB), for minutes per round. Without it, the quick look (about 90 MB each); --scale F seeds a
// fraction of that (the smoke run in the tests). --rounds N, or CUTOVER_BENCH_ROUNDS.
const at = (name: string) => process.argv.indexOf(name);
const full = at('--full') !== -1;
const scale = at('--scale') === -1 ? 1 : Number(process.argv[at('--scale') + 1]);
if (!(scale > 0 && scale <= 1)) {
	throw new Error(`--scale takes a fraction of the quick look's rows above 0 and at most 1 (--full for the issue's sizes), not ${process.argv[at('--scale') + 1]}`);
}

if (full && at('--scale') !== -1) {
	throw new Error('--full and --scale do not go together');
}

const roundsText = at('--rounds') === -1 ? process.env['CUTOVER_BENCH_ROUNDS'] ?? (full ? '3' : '5') : process.argv[at('--rounds') + 1];
const rounds = Number(roundsText);
if (!Number.isInteger(rounds) || rounds < 1) {
	throw new Error(`--rounds (or CUTOVER_BENCH_ROUNDS) takes a whole number of at least 1, not ${roundsText}`);
}

// --engine sqlite|postgres: one section alone (both by default).
const engine = at('--engine') === -1 ? 'both' : process.argv[at('--engine') + 1];
if (engine !== 'both' && engine !== 'sqlite' && engine !== 'postgres') {
	throw new Error(`--engine takes sqlite or postgres, not ${engine}`);
}

/** The SQLite file at scale 11 is about 1 GB. */
const fullSqliteScale = 11;

const started = Date.now();
const sections: SectionResult[] = [];
try {
	console.error(`node ${process.version}, ${cpus().length} cores, load ${loadavg().map(l => l.toFixed(2)).join(' ')}, ${full ? 'full size' : `scale ${scale}`}, ${rounds} rounds each after one warm-up`);
	if (engine !== 'postgres') {
		console.error('SQLite: seeding and measuring…');
		sections.push(await benchSqlite(rounds, full ? fullSqliteScale : scale));
	}

	if (engine !== 'sqlite') {
		console.error('PostgreSQL: seeding and measuring…');
		sections.push(await benchPostgres(rounds, full ? 'full' : {scale}));
	}
	console.log(formatReport(sections, rounds));
	console.log(`\nwhole bench: ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
	process.exitCode = 1;
	if (sections.length > 0) {
		console.log(formatReport(sections, rounds));
	}

	console.error(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
} finally {
	await cleanUp();
}
