import {Box, Text} from 'ink';
import {isSatisfied} from '../../source/engine/judge.js';
import type {CheckResult, Verdict} from '../../source/engine/model.js';
import type {RunState} from '../../source/engine/state.js';
import {firstLines, fit, formatDuration, truncate} from '../format.js';
import {EvidenceTable} from './evidence-table.js';

const VERDICT: Record<Verdict, string> = {
	passed: '✓ passed',
	failed: '✗ FAILED',
	error: '! error',
	'not-applicable': '– n/a',
	'timed-out': '✗ TIMEOUT',
	cancelled: '✗ CANCEL',
};

type Props = {
	checks: CheckResult[];
	overrides: RunState['overrides'];
	selected: number;
	showSql: boolean;
	width: number;
	/** Check rows drawn at most; the list scrolls with the selection. */
	maxVisible: number;
	evidenceRows: number;
};

/** A window of `size` items that keeps `selected` in view. */
export function scrollWindow(length: number, selected: number, size: number): {start: number; end: number} {
	if (length <= size) {
		return {start: 0, end: length};
	}

	const start = Math.min(Math.max(0, selected - Math.floor(size / 2)), length - size);
	return {start, end: start + size};
}

export function checkRow(check: CheckResult, width: number): string {
	const kind = check.blocking ? 'block' : 'warn';
	const titleWidth = Math.min(30, Math.max(12, Math.floor(width * 0.35)));
	return truncate(`${fit(VERDICT[check.verdict], 9)} ${fit(kind, 5)}  ${fit(check.title, titleWidth)}  ${check.detail}`, width);
}

/** Each check as a row, and the selected one's evidence (or its SQL) below. */
export function CheckList({checks, overrides, selected, showSql, width, maxVisible, evidenceRows}: Props) {
	if (checks.length === 0) {
		return <Text dimColor>(no checks have finished yet)</Text>;
	}

	const {start, end} = scrollWindow(checks.length, selected, maxVisible);
	const current = checks[selected];
	return (
		<Box flexDirection='column'>
			{start > 0 ? <Text dimColor>  ↑ {start} more</Text> : null}
			{checks.slice(start, end).map((check, offset) => {
				const index = start + offset;
				const override = overrides.find(o => o.checkId === check.id);
				const failing = !isSatisfied(check.verdict);
				return (
					<Box key={check.id} flexDirection='column'>
						<Text bold={index === selected} {...(failing && !override ? {color: check.blocking ? 'red' : 'yellow'} : {})}>
							{index === selected ? '› ' : '  '}{checkRow(check, width - 2)}
						</Text>
						{override && failing ? <Text>{truncate(`    ↳ overridden: ${override.reason}`, width)}</Text> : null}
					</Box>
				);
			})}
			{end < checks.length ? <Text dimColor>  ↓ {checks.length - end} more</Text> : null}
			{current ? <CheckDetail check={current} showSql={showSql} width={width} evidenceRows={evidenceRows}/> : null}
		</Box>
	);
}

function CheckDetail({check, showSql, width, evidenceRows}: {check: CheckResult; showSql: boolean; width: number; evidenceRows: number}) {
	return (
		<Box flexDirection='column' marginTop={1}>
			{/* The row cuts title and detail to fit; with the SQL (s) they are whole, wrapped, without making the usual screen taller. */}
			{showSql ? <Text wrap='wrap'>{`${check.title}: ${check.detail}`}</Text> : null}
			{/* The expectation last: it is the part that may be cut, the key that shows the rest is not. */}
			<Text dimColor>{truncate(`── ${check.id} · ${formatDuration(check.durationMs)} · s: ${showSql ? 'evidence' : statementName(check)} · expects ${check.expectation}`, width)}</Text>
			{showSql
				? firstLines(check.sql, evidenceRows + 2, width).map((l, i) => <Text key={i}>{l}</Text>)
				: <EvidenceTable evidence={check.evidence} width={width} maxRows={evidenceRows}/>}
		</Box>
	);
}

/** What `s` shows: a probe's text is its request or command line, not SQL. */
function statementName(check: CheckResult): string {
	return check.probe === 'http' ? 'request' : (check.probe === 'command' ? 'command' : 'SQL');
}
