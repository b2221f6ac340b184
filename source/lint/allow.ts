import {isRuleId, rules, type RuleId} from './rules.js';

/** One `-- cutover: allow <rule> because <reason>` comment, read. */
export type Allow =
	| {line: number; ok: true; rule: RuleId; reason: string}
	| {line: number; ok: false; problem: string};

const allowLine = /^\s*--\s*cutover:\s*allow\b(.*)$/i;

/** The allow comment on one line, or null when the line holds none. */
export function readAllow(text: string, line: number): Allow | null {
	const match = allowLine.exec(text);
	if (match === null) {
		return null;
	}

	const rest = match[1]!.trim();
	const parts = /^(\S+)(?:\s+because\b\s*(.*))?$/i.exec(rest);
	if (rest === '' || parts === null) {
		return {line, ok: false, problem: '"-- cutover: allow" names no rule: write -- cutover: allow <rule> because <reason>'};
	}

	const rule = parts[1]!;
	if (!isRuleId(rule) || rule === 'invalid-allow') {
		const near = Object.keys(rules).filter(id => id.includes(rule) || rule.includes(id));
		return {line, ok: false, problem: `"${rule}" is no lint rule${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}: cutover lint --help lists the rules`};
	}

	const reason = (parts[2] ?? '').trim();
	if (reason === '') {
		return {line, ok: false, problem: `the allow of ${rule} gives no reason: write -- cutover: allow ${rule} because <why it is safe here>; the reason goes into the findings and the record`};
	}

	return {line, ok: true, rule, reason};
}

/**
 * The allow comments that apply to a statement whose code starts on `codeLine` (1-based): those in
 * the run of comment lines right above it (and among the statement's own leading comments).
 */
export function allowsAbove(lines: readonly string[], codeLine: number): number[] {
	const found: number[] = [];
	for (let index = codeLine - 2; index >= 0; index--) {
		const text = lines[index]!.trim();
		if (!text.startsWith('--')) {
			break;
		}

		if (allowLine.test(text)) {
			found.push(index + 1);
		}
	}

	return found;
}
