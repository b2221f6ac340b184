import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {openFileJournal, reopenFileJournal} from '../../source/adapters/journal-file.js';
import {resumeFlow} from '../../source/run/resume-flow.js';
import type {RunEvent} from '../../source/engine/events.js';
import type {Fingerprint, MigrationPlan, PreflightItem} from '../../source/engine/model.js';
import {readJournal} from '../../source/journal/read-journal.js';
import {nodeAppendFs, type AppendFs} from '../../source/journal/write-whole.js';
import type {BackupTool} from '../../source/ports/backup-tool.js';
import type {Database} from '../../source/ports/database.js';
import type {Migrator} from '../../source/ports/migrator.js';
import {plainDecider} from '../../source/run/decider.js';
import {runFlow} from '../../source/run/flow.js';
import {Interruption} from '../../source/run/interruption.js';
import type {RunDeps} from '../../source/run/run-deps.js';
import {createSession} from '../../source/run/session.js';
import {opening} from '../support/run-events.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-fault-flow-'));
after(() => rmSync(dir, {recursive: true, force: true}));

const fingerprint: Fingerprint = {engine: 'sqlite', serverVersion: '3.45', host: 'h', database: 'demo', sizeBytes: 4096, path: '/srv/demo.db'};
const plan: MigrationPlan = {applied: [], pending: [{name: '0001_a', checksum: 'a'.repeat(64), reversible: true}, {name: '0002_b', checksum: 'b'.repeat(64), reversible: true}]};

let runs = 0;

/** A run on fakes whose journal runs out of room at the first line of kind `full`; `resume`: the same run, reopened. */
function setUp(full: RunEvent['type'] | null, resume?: {file: string; tools: PreflightItem[]}) {
	const did: string[] = [];
	const database: Database = {
		engine: 'sqlite',
		fingerprint: async () => fingerprint,
		query: async () => ({kind: 'rows', columns: [], rows: []}),
		rowCounts: async () => ({t: 1}),
		tables: async () => ['t'],
		close: async () => {},
	};
	const migrator: Migrator = {
		plan: async () => plan,
		async up(name) {
			did.push(`up ${name}`);
		},
		async down(name) {
			did.push(`down ${name}`);
		},
		invalidIndexes: async () => [],
		async dropInvalidIndex() {},
		close: async () => {},
	};
	const backupTool: BackupTool = {
		method: 'fake',
		async backup(request) {
			did.push('backup');
			return {path: path.join(request.directory, request.fileName), format: 'sqlite-file', bytes: 1, sha256: 'c'.repeat(64), sourceCounts: {t: 1}};
		},
		verify: async () => ({ok: true, items: [{name: 'fake', ok: true, detail: 'ok'}]}),
		async restore() {
			did.push('restore');
			return {detail: 'restored'};
		},
		describeRestore: async () => ({available: true, note: ''}),
		...(resume === undefined ? {} : {preflight: async () => resume.tools}),
	};
	const fs: AppendFs = {
		...nodeAppendFs,
		write(fd, buffer, offset, length, position) {
			if (full !== null && Buffer.from(buffer).toString('utf8').includes(`"kind":"${full}"`)) {
				throw Object.assign(new Error('ENOSPC: no space left on device'), {code: 'ENOSPC'});
			}

			return nodeAppendFs.write(fd, buffer, offset, length, position);
		},
	};
	const file = resume?.file ?? path.join(dir, `${full}-${runs++}.jsonl`);
	const reopened = resume === undefined ? null : reopenFileJournal({path: file, fs});
	const journal = reopened?.journal ?? openFileJournal({path: file, runId: 'r1', fs});
	const session = createSession(journal, {now: () => 1000}, reopened?.entries ?? []);
	const abort = new AbortController();
	// What driveRun does: a record that takes no more lines stops the run.
	session.onFault(fault => abort.abort(new Interruption(fault.code ?? 'EIO', fault.message)));
	const deps: RunDeps = {
		session,
		connections: {database, migrator, close: async () => {}, reopen: async () => {}},
		backupTool,
		runner: {
			async run(command) {
				did.push(`$ ${command}`);
				return {exitCode: 0, durationMs: 1};
			},
		},
		decider: plainDecider({yes: true, confirmDb: 'demo', overrides: new Map(), onFailure: null, atEnd: 'keep'}),
		clock: {now: () => 1000},
		runbook: {
			name: 'test', path: '/c.yaml', sha256: 'd'.repeat(64), window: {expectedMinutes: 5}, preparation: [],
			maintenance: {on: 'maint on', off: 'maint off', offWhenMidChange: false}, checks: {pre: [], post: []}, upgrade: {},
		},
		backupsDir: dir,
		recordsDir: dir,
		directories: {probe: async () => ({writable: true, freeBytes: 1e12, device: 1})},
		runId: 'r1',
		appliedBy: 'test',
		signal: abort.signal,
	};
	const started = opening[0];
	if (started?.type !== 'run.started') {
		throw new Error('the first opening event is run.started');
	}

	const {type: _, ...start} = started;
	const flow = async () => {
		const result = resume === undefined
			? await runFlow(deps, {start, to: null, window: {startsAt: null, expectedMinutes: null}})
			: await resumeFlow(deps, {
				reconciliation: {lines: ['nothing changed'], problems: [], events: [], partialBackup: null, upgradeOpen: false},
				operator: {osUser: 'ops', name: 'Ops'},
				host: 'h',
				then: 'continue',
			});
		journal.close();
		return result;
	};

	return {did, session, file, flow};
}

describe('a journal that runs out of room mid-run', () => {
	it('does not run a migration whose start it could not record, nor anything after, and leaves the run unfinished', async () => {
		const {did, session, file, flow} = setUp('migration.started');
		assert.equal(await flow(), 'interrupted');
		assert.deepEqual(did, ['$ maint on', 'backup'], 'no migration ran, and maintenance mode was not switched off behind the record\'s back');
		const kinds = readJournal(file).entries.map(e => e.event.type);
		assert.equal(kinds.at(-1), 'upgrade.started');
		assert.deepEqual(session.entries.map(e => e.event.type), kinds, 'the state holds exactly what the journal holds');
		assert.equal(session.state.migrations.every(m => m.status === 'pending'), true);
		assert.ok(readFileSync(file, 'utf8').endsWith('\n'));
	});

	it('does not take a backup whose start it could not record', async () => {
		const {did, flow} = setUp('backup.started');
		assert.equal(await flow(), 'interrupted');
		assert.deepEqual(did, ['$ maint on']);
	});

	it('does not switch maintenance mode on when it cannot record the command', async () => {
		const {did, file, flow} = setUp('command.started');
		assert.equal(await flow(), 'interrupted');
		assert.deepEqual(did, []);
		assert.equal(readJournal(file).entries.at(-1)?.event.type, 'operator.window-confirmed');
	});

	it('stops after the migration in flight when its end cannot be recorded: it committed as a whole, the next does not start', async () => {
		const {did, session, flow} = setUp('migration.finished');
		assert.equal(await flow(), 'interrupted');
		assert.deepEqual(did, ['$ maint on', 'backup', 'up 0001_a']);
		assert.equal(session.state.migrations.find(m => m.name === '0001_a')?.status, 'running', 'as recorded: started, its end unknown until resume reads the log row');
	});

	it('a resumed run with no backup yet checks again before it goes on, and stops when a tool went missing meanwhile', async () => {
		const first = setUp('backup.started');
		assert.equal(await first.flow(), 'interrupted');
		const missing: PreflightItem = {id: 'pg_dump', title: 'pg_dump', ok: false, blocking: true, detail: 'pg_dump cannot be run: it is not installed or not on PATH'};
		const resumed = setUp(null, {file: first.file, tools: [missing]});
		assert.equal(await resumed.flow(), 'failed');
		assert.deepEqual(resumed.did, ['$ maint off'], 'no backup; maintenance mode, left on by the first process, is switched off');
		const kinds = readJournal(first.file).entries.map(e => e.event.type);
		assert.deepEqual(kinds.slice(kinds.indexOf('run.resumed')), ['run.resumed', 'preflight.finished', 'error', 'command.started', 'command.finished', 'run.finished']);
		assert.match(resumed.session.state.errors.at(-1)?.message ?? '', /^preflight failed, nothing was changed: pg_dump: pg_dump cannot be run/);
	});
});
