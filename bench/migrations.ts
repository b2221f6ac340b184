// How much longer cutover takes to apply (and revert) a long set of small migrations than the
// bare shell applying the same files one transaction each: `npm run bench:migrations [-- --size N]`.
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {cpus, tmpdir} from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import {createThrowawayDatabase} from '../test/support/postgres.js';
import {cleanUp, onCleanup} from './cleanup.js';
import {median} from './measure.js';
import {downFiles, runBare, runCutover, upFiles, type CutoverTimes} from './migration-runs.js';
import {timeParts, type UpgradeParts} from './migration-parts.js';
import {writeMigrationSet} from './migration-set.js';
import {table} from './report.js';

type Engine = 'sqlite' | 'postgres';
type Round = {cutover: CutoverTimes; bareUpMs: number; bareDownMs: number; parts: UpgradeParts};

const {values} = parseArgs({options: {
	size: {type: 'string', default: '700'},
	rounds: {type: 'string', default: process.env['CUTOVER_BENCH_ROUNDS'] ?? '1'},
	engine: {type: 'string', multiple: true},
}});
const size = wholeNumber('--size', values.size);
const rounds = wholeNumber('--rounds', values.rounds);
const engines = (values.engine ?? ['sqlite', 'postgres']).map(engine => {
	if (engine !== 'sqlite' && engine !== 'postgres') {
		throw new Error(`--engine ${engine} is not sqlite or postgres`);
	}

	return engine;
});

const root = mkdtempSync(path.join(tmpdir(), 'cutover-bench-migrations-'));
onCleanup(root, () => rmSync(root, {recursive: true, force: true}));
const set = writeMigrationSet(path.join(root, 'migrations'), size);
const results = new Map<Engine, Round[]>();
const started = Date.now();
try {
	console.error(`node ${process.version}, ${cpus().length} cores, ${size} migrations, ${rounds} round(s) per engine`);
	for (const engine of engines) {
		const done: Round[] = [];
		results.set(engine, done);
		for (let round = 0; round < rounds; round++) {
			console.error(`${engine}: round ${round + 1} of ${rounds}…`);
			// eslint-disable-next-line no-await-in-loop -- rounds must not overlap, or they would time each other
			done.push(await measureRound(engine, round));
		}
	}

	console.log(report());
	console.log(`\nwhole bench: ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
	process.exitCode = 1;
	if ([...results.values()].some(done => done.length > 0)) {
		console.log(report());
	}

	console.error(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
} finally {
	await cleanUp();
}

/** One round on fresh databases: cutover's whole run (up, then the downgrade), and the shell's ups and downs. Sides alternate first. */
async function measureRound(engine: Engine, round: number): Promise<Round> {
	const work = path.join(root, `${engine}-${round}`);
	mkdirSync(work, {recursive: true});
	const cutoverDb = await freshDatabase(engine, work, 'cutover');
	const bareDb = await freshDatabase(engine, work, 'bare');
	const cutover = async () => runCutover({db: cutoverDb.db, name: cutoverDb.name, migrations: path.join(root, 'migrations'), workDir: path.join(work, 'cutover'), size});
	const bare = async () => {
		const upMs = await runBare(engine, bareDb.db, upFiles(set), path.join(work, 'bare-up.sql'));
		const downMs = await runBare(engine, bareDb.db, downFiles(set), path.join(work, 'bare-down.sql'));
		return {upMs, downMs};
	};

	const partsDb = await freshDatabase(engine, work, 'parts');
	const parts = async () => timeParts(partsDb.db, path.join(root, 'migrations'), set.map(m => m.name), work);
	if (round % 2 === 0) {
		const times = await cutover();
		const {upMs, downMs} = await bare();
		return {cutover: times, bareUpMs: upMs, bareDownMs: downMs, parts: await parts()};
	}

	const {upMs, downMs} = await bare();
	const measured = await parts();
	return {cutover: await cutover(), bareUpMs: upMs, bareDownMs: downMs, parts: measured};
}

/** An empty database: a SQLite file (a valid one, as cutover never creates a target), or a throwaway PostgreSQL database. */
async function freshDatabase(engine: Engine, work: string, side: string): Promise<{db: string; name: string}> {
	if (engine === 'sqlite') {
		const file = path.join(work, `${side}.db`);
		const db = new BetterSqlite3(file);
		db.exec('VACUUM');
		db.close();
		return {db: file, name: side};
	}

	const database = await createThrowawayDatabase(`cutover_bench_i9_${side}`);
	onCleanup(`database ${database.name}`, async () => database.drop());
	return {db: database.url, name: database.name};
}

function report(): string {
	const header = ['engine', 'direction', 'migrations', 'cutover ms', 'bare ms', 'ratio', 'cutover ms/migration', 'bare ms/migration'];
	const rows: string[][] = [];
	const around: string[][] = [];
	const parts: string[][] = [];
	for (const [engine, done] of results) {
		if (done.length === 0) {
			continue;
		}

		for (const direction of ['up', 'down'] as const) {
			const cutover = median(done.map(r => direction === 'up' ? r.cutover.upMs : r.cutover.downMs));
			const bare = median(done.map(r => direction === 'up' ? r.bareUpMs : r.bareDownMs));
			rows.push([engine, direction, String(size), cutover.toFixed(0), bare.toFixed(0), `${(cutover / bare).toFixed(2)}×`, (cutover / size).toFixed(2), (bare / size).toFixed(2)]);
		}

		around.push([engine, String(done.length), median(done.map(r => r.cutover.planMs)).toFixed(0), median(done.map(r => r.cutover.wallMs)).toFixed(0)]);
		const perMigration = (pick: (parts: UpgradeParts) => number) => (median(done.map(r => pick(r.parts))) / size).toFixed(2);
		parts.push([engine, perMigration(p => p.migratorUpMs), perMigration(p => p.migratorDownMs), perMigration(p => p.journalMs), perMigration(p => p.journaledUpMs)]);
	}

	return [
		`cutover: \`cutover run --plain --yes --at-end downgrade\` end to end; up is upgrade.started → upgrade.finished, down the downgrade, both from its record.`,
		'bare: one sqlite3 / psql process reading BEGIN; .read / \\i <file>; COMMIT; for each file (downs in reverse).',
		'',
		...table([header, ...rows]),
		'',
		...table([['cutover\'s run around it', 'rounds', 'plan ms (read, hash, drift: once)', 'whole run ms (backup, checks, signing)'], ...around]),
		'',
		...table([['parts timed alone, ms/migration', 'migrator up (+ log row)', 'migrator down', 'one journal line + fsync', 'migrator up between its journal lines'], ...parts]),
		'',
		'A run journals two lines per migration (its start and end); a migration in a transaction, up or down, fsyncs them with its group (at most',
		'every 250 ms: its log row, written or removed, is its proof).',
	].join('\n');
}

function wholeNumber(flag: string, value: string): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1) {
		throw new Error(`${flag} must be a whole number of at least 1, not ${value}`);
	}

	return n;
}
