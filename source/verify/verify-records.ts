import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import {listRecordFiles, type SkippedFile} from './record-list.js';
import {verifyRecord, type RecordReport, type VerifyOptions} from './verify-record.js';

/** Checks that `report` names `before` (or, for the first in order, nothing) and a head that is one of its lines. */
function checkLink(report: RecordReport, before: RecordReport | undefined, present: ReadonlyMap<string, RecordReport>): string | null {
	const named = report.previousRecord;
	if (named === null) {
		return before === undefined ? null : `line 1 names no record before it, but ${before.name} started earlier in this directory`;
	}

	const target = present.get(named.file);
	if (target === undefined) {
		return `line 1 names ${named.file} as the record before it, and it is not in this directory: it was removed (or archived elsewhere)`;
	}

	if (before !== undefined && target !== before) {
		return `line 1 names ${named.file} as the record before it, but ${before.name} started between them`;
	}

	const at = target.lineHashes.indexOf(named.head);
	if (at < 0) {
		return `line 1 names chain head ${named.head.slice(0, 12)}… of ${named.file}, and no line there has it: ${named.file} was replaced or changed`;
	}

	if (at !== target.lineHashes.length - 1) {
		report.notes.push(`${named.file} went on after this run started (resumed or running alongside); the link names its line ${at + 1}`);
	}

	return null;
}

export type VerifyResult = {reports: RecordReport[]; skipped: SkippedFile[]; ok: boolean};

/**
 * Verifies a record, or every record in a directory plus the chain between them: each run's
 * first line must name the record that started just before it and a chain head found in it.
 * A single record's link is checked against the record it names when that file lies next to it.
 */
export function verifyRecords(target: string, options: VerifyOptions): VerifyResult {
	const directory = existsSync(target) && statSync(target).isDirectory();
	const listed = directory ? listRecordFiles(target) : {records: [], skipped: []};
	const files = directory ? listed.records.map(r => r.path) : [target];
	const reports = files.map(file => verifyRecord(file, options));
	if (directory) {
		const byName = new Map(reports.map(r => [r.name, r]));
		for (const [i, report] of reports.entries()) {
			report.problem ??= checkLink(report, reports[i - 1], byName);
		}
	} else {
		const [report] = reports;
		const named = report?.previousRecord;
		if (report !== undefined && named !== null && named !== undefined) {
			const beside = path.join(path.dirname(target), named.file);
			const before = existsSync(beside) ? verifyRecord(beside, {...options, allowUnsigned: true}) : undefined;
			report.problem ??= checkLink(report, undefined, new Map(before === undefined ? [] : [[named.file, before]]));
		}
	}

	return {reports, skipped: listed.skipped, ok: reports.length > 0 && reports.every(r => r.problem === null)};
}
