import type pg from 'pg';
import {BackupError} from '../../errors/index.js';
import type {DatabaseProperties} from './database-properties.js';
import {describeSessions, otherSessions} from './other-sessions.js';
import {quoteIdentifier} from './user-tables.js';

export type Swap = {original: DatabaseProperties; fresh: string; keptAs: string; file: string};

export type SwapResult = {ok: true; oid: number} | {ok: false; error: unknown};

/**
 * The two renames, in one transaction (ALTER DATABASE … RENAME may run in one): either the
 * target's name is the restored copy's and the replaced database is under `keptAs`, or
 * nothing changed. Only a connection lost at COMMIT leaves the outcome open: it is then read
 * back by OID on a new connection, and said plainly if even that fails.
 */
export async function swapDatabases(client: pg.Client, swap: Swap, reconnect: () => Promise<pg.Client>): Promise<SwapResult> {
	const {original, fresh, keptAs} = swap;
	const freshOid = await oidOf(client, fresh);
	try {
		await client.query('BEGIN');
		await client.query(`ALTER DATABASE ${quoteIdentifier(original.name)} RENAME TO ${quoteIdentifier(keptAs)}`);
		await client.query(`ALTER DATABASE ${quoteIdentifier(fresh)} RENAME TO ${quoteIdentifier(original.name)}`);
	} catch (error) {
		await client.query('ROLLBACK').catch(() => {});
		if (codeOf(error) === '55006') {
			// Someone connected while pg_restore ran.
			const sessions = await otherSessions(client, original.oid).catch(() => []);
			return {ok: false, error: new Error(`other sessions connected to "${original.name}" while it was restored${sessions.length === 0 ? '' : `: ${describeSessions(sessions)}`} (${messageOf(error)})`)};
		}

		return {ok: false, error};
	}

	try {
		await client.query('COMMIT');
		return {ok: true, oid: freshOid};
	} catch (error) {
		return settle(swap, freshOid, reconnect, error);
	}
}

/** COMMIT failed or its answer was lost: the catalog says which side of it we are on. */
async function settle(swap: Swap, freshOid: number, reconnect: () => Promise<pg.Client>, cause: unknown): Promise<SwapResult> {
	const {original, fresh, keptAs, file} = swap;
	let names: Map<number, string>;
	try {
		const client = await reconnect();
		try {
			const result = await client.query<[string, string]>({text: 'SELECT oid::int8::text, datname FROM pg_catalog.pg_database WHERE oid = ANY($1::oid[])', values: [[original.oid, freshOid]], rowMode: 'array'});
			names = new Map(result.rows.map(([oid, name]) => [Number(oid), name]));
		} finally {
			await client.end().catch(() => {});
		}
	} catch {
		throw new BackupError(`the connection was lost while "${original.name}" was being swapped for its restored copy, and the server cannot be asked which way it went (${messageOf(cause)})`, {
			path: file,
			hint: `the swap is one transaction, so both databases are whole: see SELECT oid, datname FROM pg_database WHERE oid IN (${original.oid}, ${freshOid}); OID ${original.oid} is the database as it was, OID ${freshOid} the restored copy ("${fresh}"); the restored copy in place means "${original.name}" has OID ${freshOid} and the old one is "${keptAs}"; otherwise drop "${fresh}" and restore again`,
			cause,
		});
	}

	if (names.get(freshOid) === original.name && names.get(original.oid) === keptAs) {
		return {ok: true, oid: freshOid};
	}

	return {ok: false, error: cause};
}

async function oidOf(client: pg.Client, name: string): Promise<number> {
	const result = await client.query<[string]>({text: 'SELECT oid::int8::text FROM pg_catalog.pg_database WHERE datname = $1', values: [name], rowMode: 'array'});
	return Number(result.rows[0]?.[0]);
}

function codeOf(error: unknown): string {
	return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
