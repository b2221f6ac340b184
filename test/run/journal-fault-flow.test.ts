import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {openFileJournal, reopenFileJournal} from '../../source/adapters/journal-file.js';
import {localProbes} from '../../source/adapters/local-probes.js';
import {resumeFlow} from '../../source/run/resume-flow.js';
import type {RunEvent} from '../../source/engine/events.js';
import type {Fingerprint, MigrationPlan, PreflightItem} from '../../source/engine/model.js';
import {readJournal} from '../../source/journal/read-journal.js';
import {nodeAppendFs, type AppendFs} from '../../source/journal/write-whole.js';
import type {BackupTool} from '../../source/ports/backup-tool.js';
import type {Database} from '../../source/ports/database.js';
import {MigrationStoppedError} from '../../source/errors/index.js';
import type {InvalidIndex, MigrationContext, Migrator} from '../../source/ports/migrator.js';
import {plainDecider} from '../../source/run/decider.js';
import {runFlow} from '../../source/run/flow.js';
import {Interruption} from '../../source/run/interruption.js';
import type {RunDeps} from '../../source/run/run-deps.js';
import {createSession} from '../../source/run/session.js';
import {opening} from '../support/run-events.js';
import {snapshotOf} from '../support/snapshots.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-fault-flow-'));
after(() => rmSync(dir, {recursive: true, force: true}));

const fingerprint: Fingerprint = {engine: 'sqlite', serverVersion: '3.45', host: 'h', database: 'demo', sizeBytes: 4096, path: '/srv/demo.db'};
const plan: MigrationPlan = {applied: [], pending: [{name: '0001_a', checksum: 'a'.repeat(64), reversible: true}, {name: '0002_b', checksum: 'b'.repeat(64), reversible: true}]};
/** 0002_b outside a transaction, two statements: the fake runs them as the adapter does, each only once its start is recorded. */
const planOutside: MigrationPlan = {...plan, pending: [plan.pending[0]!, {...plan.pending[1]!, noTransaction: {statements: 2, notRetrySafe: []}}]};

/** What a no-transaction run of two statements does with the reports (as run-without-transaction.ts does). */
function outside(name: string, direction: 'up' | 'down', context: MigrationContext, did: string[]) {
	for (let index = (context.skipStatements ?? 0) + 1; index <= 2; index++) {
		if (index > 1 && context.stopBetweenStatements?.() === true) {
			throw new MigrationStoppedError({migration: name, direction, tookEffect: {statements: index - 1, total: 2}});
		}

		if (context.onStatement?.({phase: 'started', index, total: 2, statement: `statement ${index}`}) === false) {
			throw new MigrationStoppedError({migration: name, direction, tookEffect: {statements: index - 1, total: 2}});
		}

		did.push(`${direction} ${name} statement ${index}`);
		context.onStatement?.({phase: 'finished', index, total: 2, statement: `statement ${index}`});
	}
}

type Options = {outside?: boolean; invalid?: InvalidIndex[]; dropInvalidIndex?: boolean; onFailure?: 'downgrade'};

let runs = 0;

/** A run on fakes whose journal runs out of room at the first line of kind `full`; `resume`: the same run, reopened. */
type SetUpOptions = Options & {fsyncFails?: RunEvent['type']};

function setUp(full: RunEvent['type'] | null, resume?: {file: string; tools: PreflightItem[]}, options: SetUpOptions = {}) {
	const did: string[] = [];
	const database: Database = {
		engine: 'sqlite',
		fingerprint: async () => fingerprint,
		query: async () => ({kind: 'rows', columns: [], rows: []}),
		rowCounts: async () => ({t: 1}),
		snapshot: async () => snapshotOf({t: 1}),
		tables: async () => ['t'],
		close: async () => {},
	};
	const migrator: Migrator = {
		plan: async () => options.outside === true ? planOutside : plan,
		async up(name, context) {
			if (options.outside === true && name === '0002_b') {
				outside(name, 'up', context, did);
				return;
			}

			if (options.onFailure !== undefined && name === '0002_b') {
				throw new Error('0002_b failed');
			}

			// As the real migrator does for a migration in a transaction: nothing of it before its start is written (and synced with the group).
			context.beforeEffect?.('transaction');
			did.push(`up ${name}`);
		},
		async down(name, context) {
			if (options.onFailure !== undefined) {
				outside(name, 'down', context, did);
				return;
			}

			did.push(`down ${name}`);
		},
		invalidIndexes: async name => name === '0002_b' ? options.invalid ?? [] : [],
		async dropInvalidIndex(index) {
			did.push(`drop ${index.qualified}`);
		},
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
	let lastWritten = '';
	const fs: AppendFs = {
		...nodeAppendFs,
		fsync(fd) {
			if (options.fsyncFails !== undefined && lastWritten.includes(`"kind":"${options.fsyncFails}"`)) {
				throw Object.assign(new Error('EIO: i/o error, fsync'), {code: 'EIO'});
			}

			nodeAppendFs.fsync(fd);
		},
		write(fd, buffer, offset, length, position) {
			lastWritten = Buffer.from(buffer).toString('utf8');
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
		probes: localProbes({}),
		decider: plainDecider({yes: true, confirmDb: 'demo', overrides: new Map(), onFailure: options.onFailure ?? null, atEnd: 'keep', ...(options.dropInvalidIndex === true ? {dropInvalidIndex: true} : {})}),
		clock: {now: () => 1000},
		runbook: {
			name: 'test', path: '/c.yaml', sha256: 'd'.repeat(64), window: {expectedMinutes: 5}, preparation: [],
			maintenance: {on: 'maint on', off: 'maint off', offWhenMidChange: false}, checks: {pre: [], post: [], health: []}, thresholds: {}, upgrade: {},
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

	it('does not run a migration whose start was written but could not be fsynced when it was about to begin', async () => {
		const {did, session, flow} = setUp(null, undefined, {fsyncFails: 'migration.started'});
		assert.equal(await flow(), 'interrupted');
		assert.deepEqual(did, ['$ maint on', 'backup'], 'the migration did nothing, and nothing ran after it');
		assert.equal(session.fault?.code, 'EIO');
		assert.equal(session.state.migrations.some(m => m.status === 'done'), false);
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

	it('does not run a statement outside a transaction whose start it could not record: stopped before it, resumable', async () => {
		const {did, session, file, flow} = setUp('migration.statement-started', undefined, {outside: true});
		assert.equal(await flow(), 'interrupted');
		assert.deepEqual(did, ['$ maint on', 'backup', 'up 0001_a'], 'statement 1 of 0002_b never ran');
		const kinds = readJournal(file).entries.map(e => e.event.type);
		assert.deepEqual(kinds.slice(kinds.indexOf('upgrade.started')), ['upgrade.started', 'migration.started', 'migration.finished', 'migration.started']);
		assert.deepEqual(session.entries.map(e => e.event.type), kinds);
		assert.equal(session.state.migrations.find(m => m.name === '0002_b')?.status, 'running', 'started and not failed: the resume goes on with it');
	});

	it('does not drop an INVALID index when the operator\'s consent could not be recorded, nor when finding it could not', async () => {
		const invalid = [{index: 'b_x', qualified: 'public.b_x', table: 'b'}];
		for (const full of ['operator.invalid-index-drop', 'invalid-index.found'] as const) {
			const {did, file, flow} = setUp(full, undefined, {outside: true, invalid, dropInvalidIndex: true});
			// eslint-disable-next-line no-await-in-loop -- one after the other
			assert.equal(await flow(), 'interrupted');
			assert.deepEqual(did, ['$ maint on', 'backup', 'up 0001_a'], `${full} not recorded: nothing dropped, 0002_b not run`);
			assert.equal(readJournal(file).entries.some(e => e.event.type === 'invalid-index.dropped'), false);
		}

		const recorded = setUp(null, undefined, {outside: true, invalid, dropInvalidIndex: true});
		assert.equal(await recorded.flow(), 'upgraded');
		assert.deepEqual(recorded.did.slice(2, 6), ['up 0001_a', 'drop public.b_x', 'up 0002_b statement 1', 'up 0002_b statement 2'], 'with the consent on the record it drops, then runs');
	});

	it('does not run a down\'s statement whose start it could not record, nor the downs after', async () => {
		const {did, session, flow} = setUp('migration.statement-started', undefined, {onFailure: 'downgrade'});
		assert.equal(await flow(), 'interrupted');
		assert.deepEqual(did, ['$ maint on', 'backup', 'up 0001_a'], 'the down of 0001_a never ran a statement');
		assert.equal(session.state.migrations.find(m => m.name === '0001_a' && m.direction === 'down')?.status, 'running');
		assert.equal(session.state.rollback?.result ?? null, null, 'the rollback is not recorded as done or failed');
	});
});
