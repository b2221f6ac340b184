import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type pg from 'pg';
import type {DatabaseProperties} from '../../source/adapters/postgres/database-properties.js';
import {swapDatabases} from '../../source/adapters/postgres/database-swap.js';
import {BackupError} from '../../source/errors/index.js';

const original = {oid: 100, name: 'shop'} as DatabaseProperties;
const swap = {original, fresh: 'shop_cutover_restore_ab12cd34', keptAs: 'shop_cutover_replaced_20261201t120000z', file: '/backups/shop.dump'};

/** A client that answers the swap's statements and loses the connection at COMMIT. */
function lostAtCommit(): {client: pg.Client; sent: string[]} {
	const sent: string[] = [];
	const client = {
		async query(query: string | {text: string}) {
			const text = typeof query === 'string' ? query : query.text;
			sent.push(text);
			if (text.startsWith('SELECT oid')) {
				return {rows: [['200']]};
			}

			if (text === 'COMMIT') {
				throw new Error('Connection terminated unexpectedly');
			}

			return {rows: []};
		},
	};
	return {client: client as unknown as pg.Client, sent};
}

const catalog = (rows: Array<[string, string]>) => async () => ({
	async query() {
		return {rows};
	},
	async end() {},
}) as unknown as pg.Client;

describe('the swap of a database for its restored copy', () => {
	it('renames both in one transaction', async () => {
		const {client, sent} = lostAtCommit();
		await swapDatabases(client, swap, catalog([['100', swap.keptAs], ['200', 'shop']]));
		assert.deepEqual(sent.slice(1), [
			'BEGIN',
			'ALTER DATABASE "shop" RENAME TO "shop_cutover_replaced_20261201t120000z"',
			'ALTER DATABASE "shop_cutover_restore_ab12cd34" RENAME TO "shop"',
			'COMMIT',
		]);
	});

	it('a connection lost at COMMIT is settled by reading the names back by OID', async () => {
		assert.deepEqual(await swapDatabases(lostAtCommit().client, swap, catalog([['100', swap.keptAs], ['200', 'shop']])), {ok: true, oid: 200});
		const undone = await swapDatabases(lostAtCommit().client, swap, catalog([['100', 'shop'], ['200', swap.fresh]]));
		assert.equal(undone.ok, false);
	});

	it('when the server cannot be asked, says which OID is which and what to do', async () => {
		await assert.rejects(swapDatabases(lostAtCommit().client, swap, async () => {
			throw new Error('connection refused');
		}), (error: unknown) => {
			assert.ok(error instanceof BackupError);
			assert.match(error.message, /connection was lost while "shop" was being swapped .* cannot be asked which way it went \(Connection terminated unexpectedly\)/);
			assert.match(error.hint, /one transaction, so both databases are whole: see SELECT oid, datname FROM pg_database WHERE oid IN \(100, 200\); OID 100 is the database as it was, OID 200 the restored copy/);
			return true;
		});
	});
});
