import type {FormatName} from '../adapters/migrator/formats/types.js';
import type {LintFinding} from '../engine/events.js';
import type {Engine} from '../engine/model.js';
import {lintFolder} from './lint-folder.js';

/**
 * The lint of a run's pending migrations against the live tables, as the record keeps it. Never
 * throws: a folder or statement it cannot read is a failure in words (the run's own reading of
 * the folder reports a folder that does not load).
 */
export async function lintForRun(directory: string, engine: Engine, format: FormatName | null, pending: readonly string[], liveTables: ReadonlySet<string>): Promise<{findings: LintFinding[]; failure: string | null}> {
	try {
		const report = await lintFolder(directory, engine, {format, liveTables, only: new Set(pending)});
		if ('failure' in report) {
			return {findings: [], failure: `${report.failure.file}:${report.failure.line}: ${report.failure.problem}`};
		}

		return {
			findings: report.findings.map(f => ({migration: f.migration, file: f.file, line: f.line, rule: f.rule, severity: f.severity, detail: f.detail, statement: f.statement, fix: f.fix, allowed: f.allowed})),
			failure: null,
		};
	} catch (error) {
		return {findings: [], failure: error instanceof Error ? error.message : String(error)};
	}
}
