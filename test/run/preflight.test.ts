import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {windowGate} from '../../source/engine/gates.js';
import type {Fingerprint, MigrationPlan, PreflightItem} from '../../source/engine/model.js';
import {CutoverError} from '../../source/errors/index.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import type {Directories, DirectoryStatus} from '../../source/ports/directories.js';
import {RECORDS_ROOM_BYTES, runPreflight, type PreflightInput} from '../../source/run/preflight.js';
import {fold, opening} from '../support/run-events.js';

const MB = 1024 * 1024;
const fingerprint: Fingerprint = {engine: 'postgres', serverVersion: '15.5', host: 'db-1', database: 'shop', sizeBytes: 100 * MB};
const clean: MigrationPlan = {
	applied: [{name: '0001_init', checksum: 'a'.repeat(64), reversible: true, appliedAt: '2026-01-01T00:00:00Z', appliedBy: 'ops', runId: 'r0', drift: 'none'}],
	pending: [{name: '0002_next', checksum: 'b'.repeat(64), reversible: true}],
};

const dirs = (statuses: Record<string, DirectoryStatus>): Directories => ({
	async probe(directory) {
		const status = statuses[directory];
		assert.ok(status, `probed ${directory}`);
		return status;
	},
});

const roomy = {writable: true as const, freeBytes: 10_000 * MB, device: 1};
const tool = (items: PreflightItem[]) => ({preflight: async () => items});
const pgDumpOk: PreflightItem = {id: 'pg_dump', title: 'pg_dump', ok: true, blocking: true, detail: '15.5, server 15'};

function input(change: Partial<PreflightInput> = {}): PreflightInput {
	return {
		fingerprint,
		plan: {ok: true, plan: clean},
		backupTool: tool([pgDumpOk]),
		directories: dirs({'/b': roomy, '/r': {...roomy, device: 2}}),
		backupsDir: '/b',
		recordsDir: '/r',
		...change,
	};
}

const byId = (items: PreflightItem[], id: string) => {
	const item = items.find(i => i.id === id);
	assert.ok(item, `item ${id} in ${items.map(i => i.id).join(', ')}`);
	return item;
};

describe('runPreflight', () => {
	it('passes every item when all is well, in a fixed order', async () => {
		const items = await runPreflight(input());
		assert.deepEqual(items.map(i => [i.id, i.ok]), [['migrations', true], ['drift', true], ['pg_dump', true], ['backups', true], ['records', true]]);
		assert.equal(byId(items, 'migrations').detail, '2 migrations load, 1 pending');
		assert.ok(items.every(i => i.blocking));
	});

	it('fails on drift, naming each migration and what to do', async () => {
		const drifted: MigrationPlan = {...clean, applied: [{...clean.applied[0]!, drift: 'changed'}, {...clean.applied[0]!, name: '0001b_gone', drift: 'missing'}]};
		const item = byId(await runPreflight(input({plan: {ok: true, plan: drifted}})), 'drift');
		assert.equal(item.ok, false);
		assert.match(item.detail, /0001_init was changed on disk after it was applied; 0001b_gone is missing from the migrations folder/);
		assert.match(item.detail, /put the files back as they were applied/);
	});

	it('surfaces what the migrations loader threw as a failed migrations folder item, with its hint', async () => {
		const error = new CutoverError('/m: notes.sql is not a migration file name', {hint: 'move other files elsewhere'});
		const items = await runPreflight(input({plan: {ok: false, error}}));
		const item = byId(items, 'migrations');
		assert.equal(item.ok, false);
		assert.equal(item.detail, '/m: notes.sql is not a migration file name; move other files elsewhere');
		assert.ok(!items.some(i => i.id === 'drift'), 'no drift item without a plan');
		assert.ok(items.some(i => i.id === 'backups'), 'the rest is still checked');
	});

	it('fails a directory that cannot be written', async () => {
		const item = byId(await runPreflight(input({directories: dirs({'/b': {writable: false, problem: 'EROFS: read-only file system'}, '/r': roomy})})), 'backups');
		assert.equal(item.ok, false);
		assert.match(item.detail, /^\/b cannot be written \(EROFS: read-only file system\); .*--backups/);
	});

	it('fails a backups directory without room for a backup the size of the database', async () => {
		const item = byId(await runPreflight(input({directories: dirs({'/b': {writable: true, freeBytes: 99 * MB, device: 1}, '/r': {...roomy, device: 2}})})), 'backups');
		assert.equal(item.ok, false);
		assert.match(item.detail, /\/b has 99\.0 MB free, less than the 100\.0 MB needed for the backup \(about 100\.0 MB, the database's size\)/);
	});

	it('counts the record too when backups and records share a filesystem', async () => {
		const free = (100 * MB) + RECORDS_ROOM_BYTES - 1;
		const shared = {writable: true as const, freeBytes: free, device: 7};
		const items = await runPreflight(input({directories: dirs({'/b': shared, '/r': shared})}));
		assert.equal(byId(items, 'backups').ok, false);
		assert.match(byId(items, 'backups').detail, /and the record, on the same filesystem/);
		assert.equal(byId(items, 'records').ok, true);
		const apart = await runPreflight(input({directories: dirs({'/b': shared, '/r': {...shared, device: 8}})}));
		assert.equal(byId(apart, 'backups').ok, true);
	});

	it('fails a records directory with less room than a record needs', async () => {
		const item = byId(await runPreflight(input({directories: dirs({'/b': roomy, '/r': {writable: true, freeBytes: 4096, device: 2}})})), 'records');
		assert.equal(item.ok, false);
		assert.match(item.detail, /\/r has 4\.0 kB free, less than the 8\.0 MB needed for the record and its checkpoints/);
	});

	it('keeps a backup tool that throws from crashing the run: a failed item', async () => {
		const items = await runPreflight(input({backupTool: {preflight: async () => {
			throw new Error('spawn failed');
		}}}));
		assert.deepEqual(byId(items, 'backup-tool'), {id: 'backup-tool', title: 'backup tools', ok: false, blocking: true, detail: 'spawn failed'});
	});

	it('asks nothing of a backup tool that runs no program (SQLite)', async () => {
		const items = await runPreflight(input({backupTool: {}}));
		assert.deepEqual(items.map(i => i.id), ['migrations', 'drift', 'backups', 'records']);
	});
});

describe('preflight.finished in the engine and the plain output', () => {
	const failed: PreflightItem = {id: 'pg_dump', title: 'pg_dump', ok: false, blocking: true, detail: 'pg_dump is 13.0, older than the server (15)'};
	const window = {type: 'window.planned' as const, startsAt: 0, expectedMinutes: 5, prep: [], hooks: {on: null, off: null}};

	it('is stored by the reducer', () => {
		const state = fold([...opening.slice(0, 3), {type: 'preflight.finished', items: [pgDumpOk, failed]}]);
		assert.deepEqual(state.preflight, [pgDumpOk, failed]);
		assert.equal(fold(opening.slice(0, 3)).preflight, null);
	});

	it('keeps the window shut while a blocking item failed, and only then', () => {
		const shut = windowGate(fold([...opening.slice(0, 3), {type: 'preflight.finished', items: [pgDumpOk, failed]}, window]), 'demo');
		assert.deepEqual(shut, {open: false, reasons: ['preflight: pg_dump: pg_dump is 13.0, older than the server (15)']});
		const warning = {...failed, blocking: false};
		assert.deepEqual(windowGate(fold([...opening.slice(0, 3), {type: 'preflight.finished', items: [pgDumpOk, warning]}, window]), 'demo'), {open: true});
		// A record from before the preflight existed: nothing to refuse on.
		assert.deepEqual(windowGate(fold([...opening.slice(0, 3), window]), 'demo'), {open: true});
	});

	it('is one grep-able line', () => {
		assert.equal(describeEvent({type: 'preflight.finished', items: [pgDumpOk, failed]}),
			'preflight FAILED (1 of 2): ok pg_dump (15.5, server 15); FAIL pg_dump (pg_dump is 13.0, older than the server (15))');
		assert.equal(describeEvent({type: 'preflight.finished', items: [pgDumpOk]}), 'preflight passed: ok pg_dump (15.5, server 15)');
	});
});
