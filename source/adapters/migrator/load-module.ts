import path from 'node:path';
import {pathToFileURL} from 'node:url';
import type {Engine} from '../../engine/model.js';
import {MigrationError} from '../../errors/index.js';
import type {BackfillOptions, BackfillResult} from './backfill.js';
import {maxLockTimeoutMs} from './lock-policy.js';

/**
 * What a JS migration receives: query runs inside the migration's transaction (or, with
 * `transaction = false`, each query on its own); backfill, outside a transaction only, updates a
 * table in short batches of its own.
 */
export type ModuleContext = {
	engine: Engine;
	name: string;
	query(sql: string, params?: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
	backfill(options: BackfillOptions): Promise<BackfillResult>;
};

export type ModuleMigration = (context: ModuleContext) => Promise<unknown>;

export type LoadedModule = {up: ModuleMigration; down: ModuleMigration | null; lockTimeoutMs: number | null; transaction: boolean};

/** Imports a migration module. The checksum in the URL makes an edited file load afresh instead of from the module cache. */
export async function loadModule(name: string, file: string, checksum: string): Promise<LoadedModule> {
	let module: Record<string, unknown>;
	try {
		module = await import(`${pathToFileURL(file).href}?sha256=${checksum}`) as Record<string, unknown>;
	} catch (error) {
		const typescript = /\.m?ts$/.test(file);
		throw new MigrationError(`cannot load migration module ${file}: ${error instanceof Error ? error.message : String(error)}`, {
			migration: name,
			direction: 'up',
			statement: null,
			hint: typescript
				? `${path.basename(file)} is TypeScript and this node has no TypeScript loader: compile it to .js, or start cutover with one (node --import tsx …)`
				: `fix ${path.basename(file)} so that node can import it`,
			cause: error,
		});
	}

	// A CommonJS module (a .js file outside a "type": "module" package) arrives as its default export.
	const exports = typeof module['up'] !== 'function' && typeof module['default'] === 'object' && module['default'] !== null
		? module['default'] as Record<string, unknown>
		: module;
	const {up, down, lockTimeoutMs, transaction} = exports;
	if (typeof up !== 'function') {
		throw new MigrationError(`${file} does not export an up function`, {migration: name, direction: 'up', statement: null, hint: 'export async function up({query}) { … }'});
	}

	if (down !== undefined && typeof down !== 'function') {
		throw new MigrationError(`${file} exports a down that is not a function`, {migration: name, direction: 'down', statement: null, hint: 'export async function down({query}) { … }, or remove it'});
	}

	if (lockTimeoutMs !== undefined && (typeof lockTimeoutMs !== 'number' || !Number.isInteger(lockTimeoutMs) || lockTimeoutMs < 1 || lockTimeoutMs > maxLockTimeoutMs)) {
		throw new MigrationError(`${file} exports a lockTimeoutMs that is not a whole number of milliseconds from 1 to ${maxLockTimeoutMs}`, {
			migration: name,
			direction: 'up',
			statement: null,
			hint: 'export const lockTimeoutMs = 30_000; or remove it to use the checklist\'s lock timeout',
		});
	}

	if (transaction !== undefined && typeof transaction !== 'boolean') {
		throw new MigrationError(`${file} exports a transaction that is not true or false`, {
			migration: name,
			direction: 'up',
			statement: null,
			hint: 'export const transaction = false; to run outside a transaction, or remove it',
		});
	}

	return {up: up as ModuleMigration, down: (down as ModuleMigration | undefined) ?? null, lockTimeoutMs: (lockTimeoutMs as number | undefined) ?? null, transaction: transaction !== false};
}
