import {mkdtempSync, rmSync, statSync} from 'node:fs';
import {availableParallelism, tmpdir} from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {createPostgresBackupTool} from '../source/adapters/postgres/backup-tool.js';
import {directoryBytes} from '../source/adapters/postgres/dump-progress.js';
import {connectPostgres} from '../source/adapters/postgres/connect.js';
import {sha256File} from '../source/adapters/postgres/file-digest.js';
import {countRows} from '../source/adapters/postgres/user-tables.js';
import type {BackupArtifact} from '../source/engine/model.js';
import {parseTarget} from '../source/target.js';
import {createThrowawayDatabase} from '../test/support/postgres.js';
import {onCleanup} from './cleanup.js';
import {interleave, sample} from './measure.js';
import {fullMeterRows, seedMeters} from './meters.js';
import {createProgressMeter, watchStall} from './progress-meter.js';
import type {SectionResult} from './sqlite-backup.js';

const customersAt = 50_000;
const productsAt = 5000;
const ordersAt = 250_000;
/** Rows the bench's database holds at full size. */
export const seededRows = customersAt + productsAt + ordersAt;

/** The full size: pgbench's tables at scale 130 and 5M meters, about 2 GB. */
const fullPgbenchScale = 130;

/** What the database holds: the bench's three tables at a scale, or the full size. */
export type PostgresData = {scale: number} | 'full';

/** cutover's pg_dump backup (preflight counts, progress, checksum) against a bare pg_dump run from this process. */
export async function benchPostgres(rounds: number, data: PostgresData = {scale: 1}): Promise<SectionResult> {
	const directory = mkdtempSync(path.join(tmpdir(), 'cutover-bench-pg-'));
	onCleanup(directory, () => rmSync(directory, {recursive: true, force: true}));
	const database = await createThrowawayDatabase('cutover_bench');
	onCleanup(`database ${database.name}`, async () => database.drop());
	let described: string;
	if (data === 'full') {
		await execa('pgbench', ['--initialize', '--quiet', `--scale=${fullPgbenchScale}`, database.url], {stdin: 'ignore'});
		const groups = await seedMeters(database.sql, fullMeterRows);
		await database.sql('ANALYZE');
		described = `pgbench -i -s ${fullPgbenchScale} (${(fullPgbenchScale * 100_000).toLocaleString('en')} accounts) and meters (${fullMeterRows.toLocaleString('en')} rows, ${groups.toLocaleString('en')} duplicate groups)`;
	} else {
		await seed(database.sql, data.scale);
		described = `3 tables at scale ${data.scale}, ${Math.round(seededRows * data.scale).toLocaleString('en')} rows`;
	}

	const target = parseTarget(database.url);
	if (target.engine !== 'postgres') {
		throw new Error(`${database.url} did not parse as a PostgreSQL target`);
	}

	// cutover's own choice of format (by size: the directory format at the full size), and the custom format alone.
	const tool = createPostgresBackupTool(target);
	const customTool = createPostgresBackupTool(target, {policy: {format: 'custom'}});
	const meter = createProgressMeter();
	const bare = {longestStallMs: 0};
	let dumps = 0;
	const nextName = (side: string): string => `${side}-${++dumps}.dump`;

	const backup = await interleave({
		what: 'postgres backup (cutover\'s choice of format) / pg_dump -Fc',
		rounds,
		async cutover() {
			const artifact = await meter.watch(async onProgress => tool.backup({directory, fileName: nextName('cutover'), onProgress}));
			rmSync(artifact.path, {recursive: true, force: true});
		},
		async bare() {
			const file = path.join(directory, nextName('bare'));
			await watchStall(async () => execa('pg_dump', ['--format=custom', `--file=${file}`, `--dbname=${database.url}`], {stdin: 'ignore'}), bare);
			rmSync(file);
		},
	});

	// The whole of what a run spends before its upgrade (preflight counts, progress, checksum, verification), per format, against the bare default.
	const bareCustom = async () => {
		const file = path.join(directory, nextName('bare'));
		await execa('pg_dump', ['--format=custom', `--file=${file}`, `--dbname=${database.url}`], {stdin: 'ignore'});
		rmSync(file);
	};

	const backupAndVerify = (backupTool: typeof tool) => async () => {
		const made = await meter.watch(async onProgress => backupTool.backup({directory, fileName: nextName('cutover'), onProgress}));
		await verifyOk(backupTool.verify(made));
		rmSync(made.path, {recursive: true});
	};

	const jobs = Math.min(availableParallelism(), 4);
	const directoryTool = createPostgresBackupTool(target, {policy: {format: 'directory'}});
	const customWhole = await interleave({what: 'postgres custom backup + verify / pg_dump -Fc', goal: 1.05, rounds, cutover: backupAndVerify(customTool), bare: bareCustom});
	const directoryWhole = await interleave({what: `postgres directory backup (-j ${jobs}) + verify / pg_dump -Fc`, goal: 0.75, rounds, cutover: backupAndVerify(directoryTool), bare: bareCustom});
	// The same format and level by hand: what cutover's own work costs, apart from the format's gain.
	const directorySame = await interleave({
		what: `postgres directory backup + verify / pg_dump -Fd -j ${jobs} -Z1`,
		rounds,
		cutover: backupAndVerify(directoryTool),
		async bare() {
			const at = path.join(directory, nextName('bare'));
			await execa('pg_dump', ['--format=directory', `--jobs=${jobs}`, '--compress=1', `--file=${at}`, `--dbname=${database.url}`], {stdin: 'ignore'});
			rmSync(at, {recursive: true});
		},
	});
	// pg_dump's gzip levels on this machine, bare, the directory format with the same jobs.
	const levels = [];
	for (const level of [0, 1, 3, 6]) {
		const at = path.join(directory, `level-${level}`);
		let bytes = 0;
		// eslint-disable-next-line no-await-in-loop -- one level at a time, or they would time each other
		levels.push(await sample(`pg_dump -Fd -j ${jobs} -Z${level}`, rounds, async () => {
			rmSync(at, {recursive: true, force: true});
			await execa('pg_dump', ['--format=directory', `--jobs=${jobs}`, `--compress=${level}`, `--file=${at}`, `--dbname=${database.url}`], {stdin: 'ignore'});
			bytes = await directoryBytes(at);
		}));
		levels.at(-1)!.what += ` (${(bytes / 1024 / 1024).toFixed(1)} MB)`;
		rmSync(at, {recursive: true, force: true});
	}

	const artifact: BackupArtifact = await customTool.backup({directory, fileName: 'verified.dump', onProgress() {}});
	const list = await interleave({
		what: 'postgres verify / pg_restore --list',
		rounds,
		async cutover() {
			await verifyOk(customTool.verify(artifact));
		},
		async bare() {
			await execa('pg_restore', ['--list', artifact.path], {stdin: 'ignore'});
		},
	});
	// cutover's verify also reads every data block; this pairing shows what that part costs on its own.
	const fullRead = await interleave({
		what: 'postgres verify / pg_restore --list + -f /dev/null',
		rounds,
		async cutover() {
			await verifyOk(customTool.verify(artifact));
		},
		async bare() {
			await execa('pg_restore', ['--list', artifact.path], {stdin: 'ignore'});
			await execa('pg_restore', ['--file=/dev/null', artifact.path], {stdin: 'ignore'});
		},
	});

	const parts = [
		await sample('postgres: sha256 of the dump', rounds, async () => sha256File(artifact.path)),
		await sample('postgres: preflight row counts (connect, count, end)', rounds, async () => {
			const client = await connectPostgres(target);
			try {
				await countRows(client);
			} finally {
				await client.end();
			}
		}),
	];

	const size = await database.sql('SELECT pg_database_size(current_database())::bigint AS bytes');
	const megabytes = (Number(size.rows[0]?.bytes ?? 0) / 1024 / 1024).toFixed(0);
	const dumpMegabytes = (statSync(artifact.path).size / 1024 / 1024).toFixed(0);
	return {
		engine: 'PostgreSQL',
		subject: `${megabytes} MB database (${dumpMegabytes} MB dump), ${described}; bare = pg_dump / pg_restore via execa`,
		comparisons: [backup, customWhole, directoryWhole, directorySame, list, fullRead],
		parts: [...parts, ...levels],
		progress: meter.summary(),
		bareStallMs: bare.longestStallMs,
	};
}

async function verifyOk(pending: ReturnType<ReturnType<typeof createPostgresBackupTool>['verify']>): Promise<void> {
	const result = await pending;
	if (!result.ok) {
		throw new Error(`cutover's verify rejected a good dump: ${JSON.stringify(result.items)}`);
	}
}

/** The bench's three tables; `scale` below 1 seeds fewer rows (the smoke runs), the same shapes. */
export async function seed(sql: (text: string) => Promise<unknown>, scale = 1): Promise<void> {
	const [customers, products, orders] = [customersAt, productsAt, ordersAt].map(rows => Math.max(10, Math.round(rows * scale)));
	await sql(`
		CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL);
		CREATE TABLE products (id int PRIMARY KEY, title text NOT NULL, price numeric(10, 2) NOT NULL);
		CREATE TABLE orders (
			id bigint PRIMARY KEY,
			customer_id int NOT NULL REFERENCES customers(id),
			product_id int NOT NULL REFERENCES products(id),
			quantity int NOT NULL,
			note text
		);
		INSERT INTO customers SELECT i, 'customer ' || i, 'c' || i || '@' || md5(i::text) || '.example', timestamptz '2020-01-01' + i * interval '1 minute' FROM generate_series(1, ${customers}) i;
		INSERT INTO products SELECT i, 'product ' || md5(i::text), (i % 9999) / 100.0 + 1 FROM generate_series(1, ${products}) i;
		INSERT INTO orders SELECT i, 1 + (i::bigint * 7919) % ${customers}, 1 + i % ${products}, 1 + i % 7, md5(i::text) || md5((i + 1)::text) FROM generate_series(1, ${orders}) i;
		CREATE INDEX orders_customer ON orders(customer_id);
		ANALYZE;
	`);
}
