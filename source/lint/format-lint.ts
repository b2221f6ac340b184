import {fit, plural, wrapWords} from '../../screens/format.js';
import type {FolderLint} from './lint-folder.js';
import type {Finding} from './lint-migrations.js';

const width = 80;
const fileWidth = 36;

/** Exit status for CI: 0 clean, 1 warnings only, 2 errors (allowed findings count for neither). */
export function lintExitCode(report: Pick<FolderLint, 'errors' | 'warnings'>): 0 | 1 | 2 {
	return report.errors > 0 ? 2 : (report.warnings > 0 ? 1 : 0);
}

function indented(label: string, text: string): string[] {
	return wrapWords(`${label}${text}`, width - 4).map(line => `    ${line}`);
}

/** One finding as rows of the table: where, how bad, which rule; then what, the risk and the fix, wrapped at 80 columns. */
export function formatFinding(finding: Finding): string[] {
	const where = `${finding.file}:${finding.line}`;
	const severity = finding.allowed === null ? finding.severity : 'allowed';
	// A long file name is the one thing an operator needs whole (to find the file, to write --ack-lint file:line): it gets a line of its own.
	const head = where.length > fileWidth
		? [where, `${' '.repeat(fileWidth)}  ${fit(severity, 8)} ${finding.rule}`.trimEnd()]
		: [`${fit(where, fileWidth)}  ${fit(severity, 8)} ${finding.rule}`.trimEnd()];
	return [
		...head,
		...indented('', finding.detail),
		...(finding.allowed === null ? [...indented('risk: ', finding.risk), ...indented('fix: ', finding.fix)] : indented('allowed: ', finding.allowed)),
	];
}

export function lintSummary(report: FolderLint): string {
	const counts = [plural(report.errors, 'error'), plural(report.warnings, 'warning'), ...(report.allowed > 0 ? [`${report.allowed} allowed`] : [])].join(', ');
	const modules = report.modules.length > 0 ? `; ${plural(report.modules.length, 'migration')} written as code (a JS module, goose Go) not linted (${report.modules.join(', ')})` : '';
	const verdict = report.errors + report.warnings === 0 ? 'clean' : (report.errors > 0 ? 'errors' : 'warnings');
	return `${verdict}: ${counts} in ${plural(report.linted.length, 'migration')}${modules}`;
}

/** The findings as a table at 80 columns, then one summary line. */
export function formatLint(report: FolderLint): string {
	const engine = report.engine === 'postgres' ? 'PostgreSQL' : 'SQLite';
	const lines = [`lint of ${report.directory} (${report.format}, ${engine})`];
	if (report.findings.length > 0) {
		lines.push(`${fit('FILE:LINE', fileWidth)}  ${fit('SEVERITY', 8)} RULE`, ...report.findings.flatMap(formatFinding));
	}

	lines.push(lintSummary(report));
	return `${lines.join('\n')}\n`;
}

/** The report for CI: every finding with its rule, risk, fix and allowance, the counts and the exit code. */
export function lintJson(report: FolderLint): string {
	const {findings, errors, warnings, allowed, directory, engine, format, linted, modules} = report;
	return `${JSON.stringify({status: lintExitCode(report) === 0 ? 'clean' : (errors > 0 ? 'errors' : 'warnings'), exitCode: lintExitCode(report), directory, engine, format, migrations: linted, notLinted: modules, errors, warnings, allowed, findings}, null, 2)}\n`;
}
