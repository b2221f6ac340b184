import path from 'node:path';
import {pathToFileURL} from 'node:url';
import type {Engine} from '../../engine/model.js';
import {MigrationError} from '../../errors/index.js';

/** What a JS migration receives: query runs inside the migration's transaction. */
export type ModuleContext = {
	engine: Engine;
	name: string;
	query(sql: string, params?: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
};

export type ModuleMigration = (context: ModuleContext) => Promise<unknown>;

/** Imports a migration module. The checksum in the URL makes an edited file load afresh instead of from the module cache. */
export async function loadModule(name: string, file: string, checksum: string): Promise<{up: ModuleMigration; down: ModuleMigration | null}> {
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
	const {up, down} = exports;
	if (typeof up !== 'function') {
		throw new MigrationError(`${file} does not export an up function`, {migration: name, direction: 'up', statement: null, hint: 'export async function up({query}) { … }'});
	}

	if (down !== undefined && typeof down !== 'function') {
		throw new MigrationError(`${file} exports a down that is not a function`, {migration: name, direction: 'down', statement: null, hint: 'export async function down({query}) { … }, or remove it'});
	}

	return {up: up as ModuleMigration, down: (down as ModuleMigration | undefined) ?? null};
}
