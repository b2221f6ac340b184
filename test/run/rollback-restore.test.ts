import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import {reduce} from '../../source/engine/reduce.js';
import {initialState} from '../../source/engine/state.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import type {BackupTool} from '../../source/ports/backup-tool.js';
import {executeRollback} from '../../source/run/rollback.js';
import type {Connections, RunDeps} from '../../source/run/run-deps.js';
import {createSession} from '../../source/run/session.js';
import {backupDone, backupStarted, T0, verified, windowConfirmed, windowEvents} from '../support/run-fixtures.js';

const replaced = {database: 'shop', keptAs: 'shop_cutover_replaced_20261122t020000z', previousOid: 16_384, oid: 16_999};

function depsWith(tool: Partial<BackupTool>, connections: Partial<Connections>) {
	const session = createSession({path: '/dev/null', append() {}, close() {}}, {now: () => T0});
	for (const event of [...windowEvents, ...windowConfirmed, backupStarted, ...backupDone, verified(true)]) {
		session.emit(event);
	}

	const calls: string[] = [];
	const deps = {
		session,
		clock: {now: () => T0},
		backupTool: {async restore() {
			calls.push('restore');
			return {detail: 'restored', replaced};
		}, ...tool},
		connections: {
			async close() {
				calls.push('close');
			},
			async reopen() {
				calls.push('reopen');
			},
			...connections,
		},
	} as unknown as RunDeps;
	return {deps, session, calls};
}

describe('restore at the rollback prompt', () => {
	it('closes the run\'s sessions, restores, records the replaced database, and opens them again', async () => {
		const {deps, session, calls} = depsWith({}, {});
		assert.equal(await executeRollback(deps, 'restore'), true);
		assert.deepEqual(calls, ['close', 'restore', 'reopen']);
		const kinds = session.entries.map(entry => entry.event.type);
		assert.deepEqual(kinds.slice(-2), ['database.replaced', 'rollback.finished']);
		assert.deepEqual(session.state.replacedDatabase, {...replaced, at: T0});
	});

	it('a run that cannot connect again after the restore says so, and the restore still counts', async () => {
		const {deps, session} = depsWith({}, {
			async reopen() {
				throw new Error('run lock of shop is held by run r-2 (Bo on db2)');
			},
		});
		assert.equal(await executeRollback(deps, 'restore'), true);
		const finished = session.entries.at(-1)?.event;
		assert.equal(finished?.type, 'rollback.finished');
		assert.match(finished?.type === 'rollback.finished' ? finished.detail : '', /^restored; the run could not connect again afterwards: run lock of shop is held by run r-2/);
	});

	it('a failed restore records no replaced database, and the sessions are opened again', async () => {
		const {deps, session, calls} = depsWith({
			async restore() {
				throw new Error('1 other session is connected to it');
			},
		}, {});
		assert.equal(await executeRollback(deps, 'restore'), false);
		assert.ok(!session.entries.some(entry => entry.event.type === 'database.replaced'));
		assert.equal(session.state.replacedDatabase, null);
		assert.deepEqual(calls, ['close', 'reopen']);
	});

	it('replay reads the replaced database from the record', () => {
		const event: RunEvent = {type: 'database.replaced', ...replaced};
		assert.deepEqual(reduce(initialState(), {seq: 1, at: T0, event}).replacedDatabase, {...replaced, at: T0});
		assert.equal(describeEvent(event), 'database "shop" is now the restored copy (OID 16999, was 16384); the replaced database is kept as "shop_cutover_replaced_20261122t020000z"');
	});
});
