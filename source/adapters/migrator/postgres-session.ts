import type pg from 'pg';
import driver from '../postgres/pg-driver.js';
import {connectPostgres} from '../postgres/connect.js';
import type {PostgresTarget} from '../postgres/postgres-target.js';
import {blockerObserver} from './postgres-blockers.js';
import type {Row, Session, Statement} from './session.js';
import {errorCode, markFailedStatement} from './session.js';

async function connect(target: PostgresTarget, applicationName: string): Promise<pg.Client> {
	// The one connect path: the resolved parameters, sslmode, the password; a dropped connection rejects the running query instead of crashing.
	return connectPostgres(target, {application_name: applicationName});
}

/** One pg.Client: PostgreSQL runs DDL inside transactions, so a migration and its log row commit together. */
export async function openPostgresSession(target: PostgresTarget): Promise<Session> {
	const client = await connect(target, 'cutover migrator');
	// Outside a migration's transaction (reading the log, creating it) no statement waits long for a lock either; each migration sets its own.
	await client.query('SET lock_timeout = \'5s\'');
	const run = async (sql: string, params: readonly unknown[] = []): Promise<Row[]> => {
		const result = await client.query(sql, [...params]);
		return result.rows as Row[];
	};

	/** Several statements in one simple-query message (no parameters there): the rows of the last. */
	const many = async (statements: readonly string[]): Promise<Row[]> => {
		const result: pg.QueryResult | pg.QueryResult[] = await client.query(statements.join(';\n'));
		const last = Array.isArray(result) ? result.at(-1) : result;
		return (last?.rows ?? []) as Row[];
	};

	let backendPid: Promise<number> | undefined;
	const observer = blockerObserver(
		async () => connect(target, 'cutover migrator lock watch'),
		async () => {
			backendPid ??= run('SELECT pg_backend_pid() AS pid').then(rows => Number(rows[0]?.['pid']));
			return backendPid;
		},
	);

	return {
		engine: 'postgres',
		where: target.display,
		run,
		async transaction(work, {lockTimeoutMs, open = [], close = [], body = [], whileOpening}) {
			// A whole number of ms: nothing to quote. LOCAL: the timeout ends with the transaction, whichever way it ends.
			const head = ['BEGIN', `SET LOCAL lock_timeout = '${Math.max(1, Math.round(lockTimeoutMs))}ms'`, ...open.map(s => inline(client, s))];
			try {
				if (body.length > 0) {
					return await withBody(client, head, body, close.map(s => inline(client, s)), work, whileOpening);
				}

				// One round trip for all. A simple-query message stops at its first error, and the transaction is then aborted: nothing after it runs.
				const opening = many(head);
				try {
					// pg writes the message to the socket within query(): the server works on it meanwhile.
					whileOpening?.();
				} catch (error) {
					await opening.catch(() => undefined);
					throw error;
				}

				const opened = await opening;
				const value = await work(opened);
				await many([...close.map(s => inline(client, s)), 'COMMIT']);
				return value;
			} catch (error) {
				await run('ROLLBACK').catch(() => undefined);
				throw error;
			}
		},
		async autocommit(work, {lockTimeoutMs}) {
			await run('SELECT set_config(\'lock_timeout\', $1, false)', [`${Math.max(1, Math.round(lockTimeoutMs))}ms`]);
			try {
				return await work();
			} finally {
				await run('SET lock_timeout = \'5s\'').catch(() => undefined);
			}
		},
		isLockTimeout: error => errorCode(error) === '55P03',
		watchBlockers: async intervalMs => observer.watch(intervalMs),
		async close() {
			await observer.close();
			await client.end();
		},
	};
}

/**
 * BEGIN with `head`, the body's statements and `closing` as ONE simple-query message; `work` is
 * handed the rows of the head's last statement once the message has answered, and COMMIT goes
 * on its own after. Two round trips a migration, where psql's BEGIN; statements; COMMIT takes
 * one per statement and two more.
 *
 * COMMIT goes only once everything has answered and `work` has judged the head's rows: a client
 * killed while the server works through the message (a long migration) never sends it, and the
 * server rolls it all back; in the same message it would commit a migration after the run that
 * sent it was gone, behind a resume's back. What the head looks up (is this migration applied?)
 * is judged after the body has run in the transaction, and a wrong answer rolls the body back:
 * nothing of it lasts but what no rollback undoes (sequence values it drew).
 *
 * The server stops at the first error. Which body statement raised it is read from how many
 * statements had completed before it, else (nothing completed: a syntax error, as the server
 * parses the whole message before it runs any of it) from where the error points into the message.
 * When the head had answered, `work` still judges its rows first: "already applied" says more
 * than the error a migration run twice gives.
 */
async function withBody<T>(client: pg.Client, head: readonly string[], body: readonly string[], closing: readonly string[], work: (opened: Row[]) => Promise<T>, whileOpening: (() => void) | undefined): Promise<T> {
	// A newline before each `;`: a line comment at a statement's end would swallow it.
	const texts = [...head, ...body.map(sql => `${sql}\n`), ...closing];
	let completed = 0;
	const opened: Row[] = [];
	const count = () => {
		completed++;
	};

	// Before the message goes: once it is on its way the server may work on it for an hour, holding its locks, before a
	// failure here could roll it back.
	whileOpening?.();
	client.connection.on('commandComplete', count);
	let sent: Promise<unknown>;
	try {
		const query = new driver.Query(texts.join(';\n'));
		// Rows arrive before their statement's CommandComplete: the head's last statement's while the others before it have completed.
		query.on('row', (row: Row) => {
			if (completed === head.length - 1) {
				opened.push(row);
			}
		});
		sent = new Promise((resolve, reject) => {
			query.on('end', resolve);
			query.on('error', reject);
		});
		client.query(query);
	} catch (error) {
		client.connection.off('commandComplete', count);
		throw error;
	}

	let failed: {error: unknown} | null = null;
	try {
		await sent;
	} catch (error) {
		failed = {error};
	} finally {
		client.connection.off('commandComplete', count);
	}

	if (failed !== null) {
		const {error} = failed;
		// A position is read only when nothing completed: a syntax error (parsed before anything ran). After that the
		// count is exact, and a position may count bytes (a SQL_ASCII database), not characters.
		const at = completed === 0 ? pointedAt(error, texts) : (completed < texts.length ? completed + 1 : undefined);
		const index = at === undefined ? undefined : at - head.length;
		if (index !== undefined && index >= 1 && index <= body.length) {
			markFailedStatement(error, index);
		}

		if (completed >= head.length) {
			await work(opened);
		}

		throw error;
	}

	const value = await work(opened);
	await client.query('COMMIT');
	return value;
}

/** The statement (1-based) an error's position (1-based, in characters of the whole message) falls in. */
function pointedAt(error: unknown, texts: readonly string[]): number | undefined {
	const position = typeof error === 'object' && error !== null && 'position' in error ? Number(error.position) : Number.NaN;
	if (!Number.isInteger(position) || position < 1) {
		return undefined;
	}

	let end = 0;
	for (const [index, text] of texts.entries()) {
		// The statement, then the `;\n` that joins it to the next.
		end += [...text].length + 2;
		if (position <= end) {
			return index + 1;
		}
	}

	return undefined;
}

/**
 * A statement with its $n placeholders replaced by literals, so that it can travel in a
 * simple-query message. pg's escapeLiteral doubles quotes and backslashes (E'' when there is
 * one), which reads the same whatever standard_conforming_strings says. Only our own statements
 * come here, whose SQL has no $n but its placeholders; values are names from file names.
 */
export function inline(client: Pick<pg.Client, 'escapeLiteral'>, {sql, params = []}: Statement): string {
	return sql.replaceAll(/\$(\d+)/g, (_, n: string) => {
		const value = params[Number(n) - 1];
		if (typeof value === 'string') {
			return client.escapeLiteral(value);
		}

		if (typeof value === 'number' && Number.isFinite(value)) {
			return String(value);
		}

		throw new TypeError(`parameter $${n} of ${sql} is not text or a number`);
	});
}
