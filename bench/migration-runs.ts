import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {packageRoot} from '../source/package-root.js';
import type {GeneratedMigration} from './migration-set.js';
import {timed} from './measure.js';

const cli = path.join(packageRoot, 'dist/source/cli/main.js');

/** What one whole `cutover run` took, read from its own record: the upgrade and the downgrade windows. */
export type CutoverTimes = {
	/** upgrade.started → upgrade.finished: every migration with its journaling, as the operator waits for it. */
	upMs: number;
	/** The first down's migration.started → rollback.finished: the downgrade chosen at the end. */
	downMs: number;
	/** run.started → migrations.planned: reading the folder, hashing it, checking drift (once). */
	planMs: number;
	/** The whole process, backup, checks and signing included. */
	wallMs: number;
};

export type CutoverRun = {
	db: string;
	/** The name the operator types to confirm the database. */
	name: string;
	migrations: string;
	/** Records, backups, settings and the runbook go here. */
	workDir: string;
	/** Migrations expected on each side. */
	size: number;
};

type Line = {seq: number; at: number; kind: string; event: Record<string, unknown>};

/**
 * A plain run end to end, as an operator starts it off a terminal, choosing the downgrade at
 * the end: `cutover run --plain --yes --at-end downgrade`. Its output goes nowhere (as in CI
 * logs, the lines are written but not read back); the times come from the record.
 */
export async function runCutover(run: CutoverRun): Promise<CutoverTimes> {
	mkdirSync(run.workDir, {recursive: true});
	const checklist = path.join(run.workDir, 'bench.yaml');
	writeFileSync(checklist, 'name: bench\nwindow:\n  expected-minutes: 60\nchecks: {}\n');
	const records = path.join(run.workDir, 'records');
	const args = [
		cli, 'run', '--db', run.db, '--migrations', run.migrations, '--checklist', checklist,
		'--records', records, '--backups', path.join(run.workDir, 'backups'),
		'--plain', '--yes', '--confirm-db', run.name, '--at-end', 'downgrade',
	];
	let result: {exitCode?: number | undefined; stderr: unknown; stdout: unknown} | undefined;
	const wallMs = await timed(async () => {
		result = await execa(process.execPath, args, {
			env: {CUTOVER_CONFIG_DIR: path.join(run.workDir, 'config'), NO_COLOR: '1'},
			stdin: 'ignore',
			reject: false,
		});
	});
	const record = readdirSync(records).filter(file => file.endsWith('.jsonl')).sort().at(-1);
	// A run that ends rolled back exits 1 by design; the record says whether it did what was asked.
	if (record === undefined) {
		throw new Error(`cutover run on ${run.db} exited with ${String(result?.exitCode)}: ${String(result?.stderr)}\n${String(result?.stdout).slice(-2000)}`);
	}

	const lines = readFileSync(path.join(records, record), 'utf8').split('\n').filter(Boolean).map(line => JSON.parse(line) as Line);
	const at = (match: (line: Line) => boolean, what: string): number => {
		const line = lines.find(match);
		if (line === undefined) {
			throw new Error(`${record} has no ${what}`);
		}

		return line.at;
	};

	const applied = lines.filter(line => line.kind === 'migration.finished' && line.event['direction'] === 'up').length;
	const reverted = lines.filter(line => line.kind === 'migration.finished' && line.event['direction'] === 'down').length;
	const rollback = lines.find(line => line.kind === 'rollback.finished');
	const finished = lines.find(line => line.kind === 'run.finished');
	if (applied !== run.size || reverted !== run.size || rollback?.event['ok'] !== true || finished?.event['outcome'] !== 'rolled-back') {
		throw new Error(`${record}: ${applied} applied and ${reverted} reverted of ${run.size} (rollback: ${JSON.stringify(rollback?.event ?? null)}; exit ${String(result?.exitCode)}): ${String(result?.stderr).slice(-2000)}`);
	}

	const isDown = (line: Line) => line.kind === 'migration.started' && line.event['direction'] === 'down';
	return {
		upMs: at(line => line.kind === 'upgrade.finished', 'upgrade.finished') - at(line => line.kind === 'upgrade.started', 'upgrade.started'),
		downMs: at(line => line.kind === 'rollback.finished', 'rollback.finished') - at(isDown, 'down migration'),
		planMs: at(line => line.kind === 'migrations.planned', 'migrations.planned') - at(line => line.kind === 'run.started', 'run.started'),
		wallMs,
	};
}

/**
 * The bare shell applying the same files, one transaction each, in ONE process and session
 * (as cutover holds one connection): a script of `BEGIN; <read file>; COMMIT;` per file, the
 * downs in reverse order. sqlite3 reads a file with `.read`, psql with `\i`.
 */
export async function runBare(engine: 'sqlite' | 'postgres', db: string, files: string[], scriptFile: string): Promise<number> {
	const read = (file: string) => engine === 'sqlite' ? `.read '${file}'` : `\\i '${file}'`;
	writeFileSync(scriptFile, files.map(file => `BEGIN;\n${read(file)}\nCOMMIT;\n`).join(''));
	return timed(async () => {
		await (engine === 'sqlite'
			? execa('sqlite3', ['-bail', db], {inputFile: scriptFile})
			: execa('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-f', scriptFile], {stdin: 'ignore'}));
	});
}

export const upFiles = (set: GeneratedMigration[]) => set.map(m => m.up);
export const downFiles = (set: GeneratedMigration[]) => set.map(m => m.down).reverse();
