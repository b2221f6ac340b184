import {formatBytes} from '../engine/bytes.js';
import {LARGE_TABLE_BYTES, LARGE_TABLE_ROWS, shortMode, SMALL_TABLE_BYTES, SMALL_TABLE_ROWS} from '../engine/lock-impact.js';
import {traceExitCode, type JudgedMigration, type JudgedStatement, type LockTraceReport} from '../engine/lock-trace.js';

const width = 80;
/** #, statement, lock, table, blocks, rewrite, size: 3+21+21+12+7+8+7 = 79 with the spaces between. */
const columns = {index: 2, statement: 20, lock: 20, table: 11, blocks: 6, rewrite: 7, size: 7} as const;

/** The trace as a table per migration at 80 columns, each statement's verdict in words under its row. */
export function formatLockTrace(report: LockTraceReport): string {
	const pending = report.migrations.length;
	const lines = [
		...wrap(`lock trace of ${report.migrationsDirectory} for ${report.target}`, '  '),
		...wrap(`copy: ${report.scratch}; removed at the end`, '      '),
		`${pending} pending migration${pending === 1 ? '' : 's'}${report.appliedBefore > 0 ? `, ${report.appliedBefore} applied on the target already` : ''}`,
	];
	for (const migration of report.migrations) {
		lines.push('', ...migrationLines(migration));
	}

	lines.push(
		'',
		'blocks: R reads (SELECT) and W writes (INSERT, UPDATE, DELETE) would wait',
		'lock #n: held since statement n of the same migration, until it commits',
		...wrap(`size: the target's (pg_total_relation_size, pg_class.reltuples); small: under ${formatBytes(SMALL_TABLE_BYTES)} and ${SMALL_TABLE_ROWS.toLocaleString('en-US')} rows; large: ${formatBytes(LARGE_TABLE_BYTES)} or ${LARGE_TABLE_ROWS.toLocaleString('en-US')} rows and over. A lock also waits for the sessions holding one it conflicts with, and queues every later one behind it.`, ''),
		'',
		summary(report),
	);
	return `${lines.join('\n')}\n`;
}

function migrationLines(migration: JudgedMigration): string[] {
	const count = migration.statements.length;
	const how = migration.transaction ? 'one transaction, rolled back after the trace' : 'no-transaction: not run to trace';
	const lines = [cut(`${migration.name} (${count} statement${count === 1 ? '' : 's'}, ${how})`, width)];
	if (migration.problem !== null && count === 0) {
		return [...lines, ...wrap(`  ${migration.problem}`, '  ')];
	}

	lines.push(row(['#', 'statement', 'lock', 'table', 'blocks', 'rewrite', 'size']));
	for (const statement of migration.statements) {
		lines.push(...statementLines(statement));
	}

	if (migration.problem !== null) {
		lines.push(...wrap(`  ${migration.problem}`, '  '));
	}

	return lines;
}

/** One statement's rows (one per relation it locks) and its verdict in words under them. */
export function statementLines(statement: JudgedStatement): string[] {
	const first = firstLine(statement.text);
	const lines: string[] = [];
	if (statement.status !== 'traced' || statement.judged.length === 0) {
		const lock = statement.status === 'not-traced' && statement.mode !== null ? shortMode(statement.mode) : '-';
		const table = statement.status === 'not-traced' ? statement.relation ?? '-' : '-';
		lines.push(row([String(statement.index), first, lock, table, statement.status === 'not-traced' && statement.mode !== null ? '-' : statement.status === 'traced' ? '-' : '?', statement.status === 'traced' ? 'no' : '?', '']));
	} else {
		for (const [i, lock] of statement.judged.entries()) {
			const blocks = lock.blocksReads ? 'R W' : lock.blocksWrites ? 'W' : '-';
			const size = lock.size === 'new' ? 'new' : lock.size === null ? '?' : formatBytes(lock.size.bytes);
			lines.push(row([i === 0 ? String(statement.index) : '', i === 0 ? first : '', `${shortMode(lock.mode)}${lock.heldSince < statement.index ? ` #${lock.heldSince}` : ''}${lock.granted ? '' : ' (wait)'}`, lock.relation, blocks, lock.rewrite ? 'yes' : 'no', size]));
		}
	}

	lines.push(...wrap(`   ${statement.verdict.text}`, '     '));
	return lines;
}

/** Cells cut and padded to the table's columns. */
export function row(cells: readonly string[]): string {
	const widths = [columns.index, columns.statement, columns.lock, columns.table, columns.blocks, columns.rewrite, columns.size];
	return cells.map((cell, i) => cut(cell, widths[i]!).padEnd(widths[i]!)).join(' ').trimEnd();
}

/** The last line, as the lint's ends with its own: the worst verdict, then the counts. */
function summary(report: LockTraceReport): string {
	if (report.failed) {
		// The first migration that stopped the trace, in its own words: a failed statement, or why it was not traced.
		const first = report.migrations.find(m => m.problem !== null || m.statements.some(s => s.status === 'failed'));
		const failed = first?.statements.find(s => s.status === 'failed');
		const why = first === undefined ? 'a migration did not run on the scratch copy' : failed?.status === 'failed' ? `${first.name} statement ${failed.index} failed on the scratch copy: ${failed.error}` : `${first.name}: ${first.problem ?? ''}`;
		return `trace: failed: ${why}`;
	}

	const statements = report.migrations.flatMap(m => m.statements);
	const count = (level: string) => statements.filter(s => s.verdict.level === level).length;
	if (statements.length === 0) {
		return 'trace: ok: nothing pending, no migration to trace';
	}

	return `trace: ${report.level}: ${count('danger')} danger, ${count('caution')} caution, ${count('ok')} ok of ${statements.length} statement${statements.length === 1 ? '' : 's'}`;
}

/** The statement's first line that holds something besides a comment. */
function firstLine(text: string): string {
	return text.split('\n').map(line => line.trim()).find(line => line !== '' && !line.startsWith('--')) ?? text.trim();
}

function cut(text: string, limit: number): string {
	return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function wrap(text: string, indent: string): string[] {
	const lines: string[] = [];
	let current = '';
	for (const word of text.split(/(?<=\S) (?=\S)/)) {
		if (current !== '' && current.length + 1 + word.length > width) {
			lines.push(current);
			current = indent + word;
		} else {
			current = current === '' ? word : `${current} ${word}`;
		}
	}

	lines.push(current);
	return lines.map(line => cut(line, width));
}

/** The whole report for CI: every statement's locks, sizes and verdict, and the exit status. */
export function lockTraceJson(report: LockTraceReport): string {
	return `${JSON.stringify(lockTraceObject(report), null, 2)}\n`;
}

/** lockTraceJson's object, for a command that puts it beside more. Each statement's locks once: as judged, with sizes. */
export function lockTraceObject(report: LockTraceReport): Record<string, unknown> {
	const migrations = report.migrations.map(m => ({...m, statements: m.statements.map(({locks: _locks, ...statement}: JudgedStatement & {locks?: unknown}) => statement)}));
	return {status: report.failed ? 'failed' : report.level, exitCode: traceExitCode(report), thresholds: {smallTableBytes: SMALL_TABLE_BYTES, smallTableRows: SMALL_TABLE_ROWS, largeTableBytes: LARGE_TABLE_BYTES, largeTableRows: LARGE_TABLE_ROWS}, ...report, migrations};
}
