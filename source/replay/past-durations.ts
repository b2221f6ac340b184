import type {ExpectedDuration, MigrationInfo} from '../engine/model.js';
import {listRecords} from '../verify/record-list.js';
import {loadRecord} from './load-record.js';

const reconciliationEvents = new Set(['migration.started', 'migration.finished', 'verify.finished', 'backup.failed']);

/**
 * How long each pending migration took in the newest earlier record that ran the same source
 * (same checksum). Unreadable records are skipped: this only feeds an estimate.
 */
export function pastDurations(recordsDir: string, pending: readonly MigrationInfo[]): ExpectedDuration[] {
	const wanted = new Map(pending.map(m => [m.name, m.checksum]));
	const found = new Map<string, ExpectedDuration>();
	let records: ReturnType<typeof listRecords>;
	try {
		records = listRecords(recordsDir);
	} catch {
		return [];
	}

	for (const record of records.toReversed()) {
		if (found.size === wanted.size) {
			break;
		}

		let entries;
		try {
			entries = loadRecord(record.path).entries;
		} catch {
			continue;
		}

		const checksums = new Map<string, string>();
		// The events a resume journals right after run.resumed, from what the database showed: their durations (0) were not measured.
		let reconciled = false;
		for (const {event} of entries) {
			reconciled = event.type === 'run.resumed' || (reconciled && reconciliationEvents.has(event.type));
			if (reconciled && event.type === 'migration.finished' && event.durationMs === 0) {
				continue;
			}

			if (event.type === 'migrations.planned') {
				for (const m of event.pending) {
					checksums.set(m.name, m.checksum);
				}
			} else if (event.type === 'migration.finished' && event.direction === 'up' && !found.has(event.name)) {
				const checksum = checksums.get(event.name);
				if (checksum !== undefined && checksum === wanted.get(event.name)) {
					found.set(event.name, {name: event.name, checksum, durationMs: event.durationMs, from: record.name});
				}
			}
		}
	}

	return pending.flatMap(m => found.get(m.name) ?? []);
}
