// How much slower cutover's backup and verify are than the bare tools they wrap, measured in
// one process on one machine. Figures are ratios, never absolute promises: `npm run bench`.
import {cpus} from 'node:os';
import {cleanUp} from './cleanup.js';
import {benchPostgres} from './postgres-backup.js';
import {formatReport} from './report.js';
import {benchSqlite, type SectionResult} from './sqlite-backup.js';

const rounds = Number(process.env['CUTOVER_BENCH_ROUNDS'] ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) {
	throw new Error(`CUTOVER_BENCH_ROUNDS must be a whole number of at least 1, not ${process.env['CUTOVER_BENCH_ROUNDS']}`);
}

const started = Date.now();
const sections: SectionResult[] = [];
try {
	console.error(`node ${process.version}, ${cpus().length} cores, ${rounds} rounds each after one warm-up`);
	console.error('SQLite: seeding and measuring…');
	sections.push(await benchSqlite(rounds));
	console.error('PostgreSQL: seeding and measuring…');
	sections.push(await benchPostgres(rounds));
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
