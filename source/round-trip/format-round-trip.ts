import type {MigrationRoundTrip, RoundTripReport, RoundTripStep} from '../engine/round-trip.js';

const width = 80;
/** up, down, after down, re-up: the widths of the four result columns, a space before each. */
const columns = [['up', 6], ['down', 8], ['after down', 11], ['re-up', 8]] as const;

/** The report as a table per migration at 80 columns, then the checks, the failures in words and a last status line. */
export function formatRoundTrip(report: RoundTripReport): string {
	const nameWidth = width - columns.reduce((sum, [, w]) => sum + w + 1, 0);
	const lines = [
		`round trip of ${report.migrationsDirectory} on ${report.source}`,
		...wrap(`copy: ${report.scratch}; removed at the end`, '      '),
		`${report.migrations.length} pending migration${report.migrations.length === 1 ? '' : 's'}${report.appliedBefore > 0 ? `, ${report.appliedBefore} applied on the source already` : ''}`,
		...report.notes.flatMap(note => wrap(`note: ${note}`, '      ')),
	];
	if (report.migrations.length > 0) {
		lines.push('', row(nameWidth, 'migration', columns.map(([title]) => title)));
		for (const m of report.migrations) {
			lines.push(row(nameWidth, m.name, cellsOf(m)));
		}

		if (report.migrations.some(m => (m.down.carried?.length ?? 0) > 0 || (m.reUp.carried?.length ?? 0) > 0)) {
			lines.push('* equal but for what a step before left behind (its failure names it)');
		}
	}

	if (report.checks.length > 0) {
		lines.push('', 'post checks on the copy after the upgrade');
		for (const check of report.checks) {
			lines.push(cut(`  ${check.verdict.padEnd(14)} ${check.id}${check.verdict === 'passed' ? '' : `: ${check.detail}`}`, width));
		}
	}

	if (report.failures.length > 0) {
		lines.push('', 'failures');
		lines.push(...report.failures.map(failure => `  ${failure}`));
		// What "defined otherwise" means, object by object: expected, then found (the whole text is in --json).
		const changed = report.migrations.flatMap(m => [['down', m.down], ['re-up', m.reUp]] as const).flatMap(([, step]) => step.differences.filter(d => d.change === 'changed'));
		if (changed.length > 0) {
			lines.push('', 'defined otherwise (expected → found)');
			for (const d of changed) {
				lines.push(cut(`  ${d.kind} ${d.name}: ${oneLine(d.expected)} → ${oneLine(d.found)}`, width));
			}
		}
	}

	const round = report.migrations.filter(m => m.reUp.status === 'passed').length;
	lines.push('', report.passed
		? `passed: ${round} migration${round === 1 ? '' : 's'} up, down to the same schema and up again (exit 0)`
		: `failed: ${report.failures.length} failure${report.failures.length === 1 ? '' : 's'} (exit 1)`);
	return `${lines.join('\n')}\n`;
}

function cellsOf(m: MigrationRoundTrip): string[] {
	const ran = (step: RoundTripStep) => step.status === 'not-run' ? '–' : step.status === 'passed' ? 'ok' : 'FAILED';
	const downFailed = m.down.status !== 'not-run' && m.down.differences.length === 0 && m.down.error !== null;
	const down = !m.reversible && m.up.status === 'passed' ? 'NO DOWN' : m.down.status === 'not-run' ? '–' : downFailed ? 'FAILED' : 'ok';
	// same*: equal but for what a step before left (named on that step's line).
	const star = (step: RoundTripStep) => (step.carried?.length ?? 0) > 0 ? '*' : '';
	const after = m.down.differences.length > 0 ? 'DIFFERS' : m.down.status === 'passed' ? `same${star(m.down)}` : '–';
	const reUp = m.reUp.differences.length > 0 ? 'DIFFERS' : `${ran(m.reUp)}${m.reUp.status === 'passed' ? star(m.reUp) : ''}`;
	return [ran(m.up), down, after, reUp];
}

function row(nameWidth: number, name: string, cells: readonly string[]): string {
	return [cut(name, nameWidth).padEnd(nameWidth), ...cells.map((cell, i) => cell.padEnd(columns[i]![1]))].join(' ').trimEnd();
}

/** Words to lines of at most 80 columns, the lines after the first indented; a word longer than a line stays whole. */
function wrap(text: string, indent: string): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		if (line !== '' && line.length + 1 + word.length > width) {
			lines.push(line);
			line = indent + word;
		} else {
			line = line === '' ? word : `${line} ${word}`;
		}
	}

	return [...lines, line];
}

const oneLine = (text: string | null) => (text ?? '').replaceAll(/\s+/g, ' ');

/** Cut to fit, the cut marked. */
function cut(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** For CI: the whole report, with the status and exit code. */
export function roundTripJson(report: RoundTripReport): string {
	return `${JSON.stringify({status: report.passed ? 'passed' : 'failed', exitCode: report.passed ? 0 : 1, ...report}, null, 2)}\n`;
}
