import path from 'node:path';
import {readMigrationFolder, type FormatName} from '../adapters/migrator/migration-files.js';
import type {Engine} from '../engine/model.js';
import {lintScripts, type LintFailure, type LintReport, type LintScript} from './lint-migrations.js';
import {loadPostgresParser} from './postgres-parser.js';

export type FolderLint = LintReport & {
	directory: string;
	engine: Engine;
	format: FormatName;
	/** Migrations whose up was linted. */
	linted: string[];
	/** JS/TS module migrations: code, not SQL, so not read by the rules. */
	modules: string[];
};

export type FolderLintOptions = {
	format?: FormatName | null;
	/** The live database's tables; with it, a table is existing when it is there now. */
	liveTables?: ReadonlySet<string> | null;
	/** Lint only these migrations (the pending ones of a target); all when absent. */
	only?: ReadonlySet<string>;
};

/**
 * Reads a migrations folder with the migrator's own loader (every format it reads, ups and downs
 * checked as a run would) and lints the ups in order. A folder that cannot be read throws the
 * loader's error; a statement that does not parse comes back as a failure naming file and line.
 */
export async function lintFolder(directory: string, engine: Engine, options: FolderLintOptions = {}): Promise<FolderLint | {failure: LintFailure}> {
	// CONCURRENTLY inside a transaction becomes a finding here instead of stopping the read.
	const folder = await readMigrationFolder(directory, engine, {format: options.format ?? null, refuseNonTransactional: false});
	const scripts: LintScript[] = [];
	const modules: string[] = [];
	for (const source of folder.sources.filter(s => options.only === undefined || options.only.has(s.name))) {
		if (source.up.kind !== 'sql') {
			modules.push(source.name);
			continue;
		}

		scripts.push({migration: source.name, file: path.relative(directory, source.up.file) || path.basename(source.up.file), text: source.up.text, statements: source.up.statements, transaction: source.up.transaction});
	}

	const report = lintScripts(scripts, {engine, liveTables: options.liveTables ?? null, ...(engine === 'postgres' ? {parse: await loadPostgresParser()} : {})});
	if ('failure' in report) {
		return report;
	}

	return {...report, directory, engine, format: folder.format, linted: scripts.map(s => s.migration), modules};
}
