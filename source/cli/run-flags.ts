import type {RollbackChoice} from '../engine/model.js';
import {formatNames, type FormatName} from '../adapters/migrator/formats/types.js';
import {UsageError} from '../errors/index.js';

const choices: readonly RollbackChoice[] = ['keep', 'downgrade', 'restore'];

/** The flags `cutover run` and `cutover resume` share: where things are, and the answers of the non-interactive form. */
export const runFlags = {
	db: {type: 'string'},
	migrations: {type: 'string'},
	format: {type: 'string'},
	checklist: {type: 'string'},
	records: {type: 'string'},
	backups: {type: 'string'},
	plain: {type: 'boolean', default: false},
	/** Plain mode with one JSON object per event on stdout instead of a line of text; human messages go to stderr. */
	json: {type: 'boolean', default: false},
	yes: {type: 'boolean', default: false},
	'confirm-db': {type: 'string'},
	override: {type: 'string', multiple: true},
	/** Plain mode: accept a destructive or blocking lint finding (its rule id, or file:line), on the record. */
	'ack-lint': {type: 'string', multiple: true},
	'on-failure': {type: 'string'},
	'at-end': {type: 'string'},
	'drop-invalid-index': {type: 'boolean', default: false},
	/** Plain mode: wait out the runbook's observation period (default), or skip it on the record. */
	observe: {type: 'string'},
} as const;

/** --observe wait|skip; absent: wait. */
export function parseObserve(value: string | undefined): 'wait' | 'skip' {
	if (value === undefined || value === 'wait' || value === 'skip') {
		return value ?? 'wait';
	}

	throw new UsageError(`--observe ${value} is not a choice`, {hint: 'use --observe wait (watch the observation period out, the default) or --observe skip (recorded as the operator\'s flag)'});
}

export function parseOverrides(raw: string[]): Map<string, string> {
	const overrides = new Map<string, string>();
	for (const item of raw) {
		const at = item.indexOf('=');
		const id = item.slice(0, at).trim();
		const reason = item.slice(at + 1).trim();
		if (at <= 0 || reason === '') {
			throw new UsageError(`--override ${item} has no reason`, {hint: 'write --override <check-id>="why it is safe to go on"'});
		}

		overrides.set(id, reason);
	}

	return overrides;
}
/** --format names the migrations folder's layout when the files leave it ambiguous; null: detect it. */
export function parseFormat(value: string | undefined): FormatName | null {
	if (value === undefined) {
		return null;
	}

	if (!(formatNames as readonly string[]).includes(value)) {
		throw new UsageError(`--format ${value} is not a format cutover reads`, {hint: `use one of ${formatNames.join(', ')}`});
	}

	return value as FormatName;
}

export function parseChoice(flag: string, value: string): RollbackChoice {
	if (!choices.includes(value as RollbackChoice)) {
		throw new UsageError(`${flag} ${value} is not a choice`, {hint: `use one of ${choices.join(', ')}`});
	}

	return value as RollbackChoice;
}
export function parseTime(value: string): number {
	const ms = Date.parse(value);
	if (Number.isNaN(ms)) {
		throw new UsageError(`--window-start ${value} is not a time`, {hint: 'use ISO 8601, for example 2026-11-22T02:00:00Z'});
	}

	return ms;
}
export function parseMinutes(value: string): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n <= 0) {
		throw new UsageError(`--window-minutes ${value} is not a whole number of minutes`, {hint: 'for example --window-minutes 30'});
	}

	return n;
}
