import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {openFileJournal} from '../../source/adapters/journal-file.js';
import type {RunEvent} from '../../source/engine/events.js';
import {pastDurations} from '../../source/replay/past-durations.js';
import {createSession} from '../../source/run/session.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cutover-past-durations-'));
after(() => rmSync(dir, {recursive: true, force: true}));

const migration = {name: '0002_backfill', checksum: 'a'.repeat(64), reversible: true};

function record(file: string, at: number, events: RunEvent[]): void {
	const journal = openFileJournal({path: path.join(dir, file), runId: file});
	let now = at;
	const session = createSession(journal, {now: () => (now += 10)});
	for (const event of events) {
		assert.notEqual(session.emit(event), null);
	}

	journal.close();
}

const started = (runId: string): RunEvent => ({
	type: 'run.started', runId, toolVersion: '0.1.0', operator: {osUser: 'ops', name: 'Ops'}, host: 'jump1', target: 'sqlite:/srv/demo.db',
	checklist: {name: 'production', path: '/c/production.yaml', sha256: 'cd'.repeat(32)}, migrationsDir: '/m', to: null, mode: 'plain', previousRecord: null, signer: null,
});

describe('past durations: how long a migration took in an earlier record', () => {
	it('takes measured durations only: a migration a resume read back from the database (recorded as 0 ms) is not an estimate', () => {
		// The older record measured it: 4.2 s.
		record('20261201T010000Z-demo-aaaaaaaa.jsonl', 1_764_550_800_000, [
			started('aaaaaaaa'),
			{type: 'migrations.planned', applied: [], pending: [migration]},
			{type: 'migration.started', name: migration.name, direction: 'up'},
			{type: 'migration.finished', name: migration.name, direction: 'up', durationMs: 4200},
		]);
		// The newer one was killed while it ran and resumed: the resume recorded it finished, with no duration measured.
		record('20261201T020000Z-demo-bbbbbbbb.jsonl', 1_764_554_400_000, [
			started('bbbbbbbb'),
			{type: 'migrations.planned', applied: [], pending: [migration]},
			{type: 'migration.started', name: migration.name, direction: 'up'},
			{type: 'run.resumed', operator: {osUser: 'ops', name: 'Ops'}, host: 'jump1', reconciliation: ['0002_backfill (up) committed before the stop']},
			{type: 'migration.finished', name: migration.name, direction: 'up', durationMs: 0},
		]);
		assert.deepEqual(pastDurations(dir, [migration]), [{name: migration.name, checksum: migration.checksum, durationMs: 4200, from: '20261201T010000Z-demo-aaaaaaaa.jsonl'}]);
	});
});
