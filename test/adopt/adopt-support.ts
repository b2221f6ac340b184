import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {cli} from '../support/demo-targets.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

/** A scratch directory with a migrations folder, settings, and the CLI run off a terminal with them. */
export type Scratch = {
	dir: string;
	migrations: string;
	records: string;
	checklist: string;
	write(files: Record<string, string>): void;
	cutover(args: string[]): {code: number | null; stdout: string; stderr: string};
	/** The records written so far, oldest first. */
	recordFiles(): string[];
	cleanup(): void;
};

export function scratch(): Scratch {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-i9-adopt-'));
	const migrations = path.join(dir, 'migrations');
	const records = path.join(dir, 'config', 'records');
	mkdirSync(migrations);
	const checklist = path.join(dir, 'no-checks.yaml');
	writeFileSync(checklist, 'name: no-checks\nwindow:\n  expected-minutes: 10\nchecks: {}\n');
	return {
		dir,
		migrations,
		records,
		checklist,
		write(files) {
			for (const [name, text] of Object.entries(files)) {
				writeFileSync(path.join(migrations, name), text);
			}
		},
		cutover(args) {
			const result = spawnSync(process.execPath, [cli, ...args], {
				encoding: 'utf8',
				env: {...process.env, CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'},
				stdio: ['ignore', 'pipe', 'pipe'],
				timeout: 120_000,
			});
			return {code: result.status, stdout: result.stdout, stderr: result.stderr};
		},
		recordFiles() {
			try {
				return readdirSync(records).filter(f => f.endsWith('.jsonl')).sort().map(f => path.join(records, f));
			} catch {
				return [];
			}
		},
		cleanup() {
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

/** A throwaway PostgreSQL database whose schema is built by psql, as an operator's other tool would have left it. */
export async function psqlDatabase(sql: string): Promise<ThrowawayDatabase> {
	const db = await createThrowawayDatabase('cutover_i9_adopt');
	try {
		await execa('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-c', sql]);
	} catch (error) {
		await db.drop();
		throw error;
	}

	return db;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
