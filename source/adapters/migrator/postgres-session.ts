import type pg from 'pg';
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
			try {
				// One round trip for all (a whole number of ms: nothing to quote). LOCAL: the timeout ends with the transaction, whichever way it ends.
				// A simple-query message stops at its first error, and the transaction is then aborted: nothing after it runs.
				const opening = many([`BEGIN; SET LOCAL lock_timeout = '${Math.max(1, Math.round(lockTimeoutMs))}ms'`, ...open.map(s => inline(client, s))]);
				try {
					// pg writes the message to the socket within query(): the server works on it meanwhile.
					whileOpening?.();
				} catch (error) {
					await opening.catch(() => undefined);
					throw error;
				}

				const opened = await opening;
				const value = await work(opened);
				const closing = close.map(s => inline(client, s));
				if (body.length === 0) {
					await many([...closing, 'COMMIT']);
				} else {
					// COMMIT goes on its own once they have all answered: a client killed while the server works through
					// them (a long migration) never sends it, and the server rolls them back; in one message with them it
					// would commit a migration after the run that sent it was gone, behind a resume's back.
					await withBody(client, body, closing, many);
					await many(['COMMIT']);
				}

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
 * The body's statements, then `closing`, as one simple-query message. The server stops at the
 * first error; which statement raised it is read from where the error points into the message
 * (a syntax error: the server parses the whole message before it runs any of it), else from how
 * many statements had completed before it.
 */
async function withBody(client: pg.Client, body: readonly string[], closing: readonly string[], many: (statements: readonly string[]) => Promise<unknown>): Promise<void> {
	// A newline before each `;`: a line comment at a statement's end would swallow it.
	const texts = body.map(sql => `${sql}\n`);
	let completed = 0;
	const count = () => {
		completed++;
	};

	client.connection.on('commandComplete', count);
	try {
		await many([...texts, ...closing]);
	} catch (error) {
		// A position is read only when nothing completed: a syntax error (parsed before anything ran) or one in the first
		// statement. After that the count is exact, and a position may count bytes (a SQL_ASCII database), not characters.
		const index = completed === 0 ? pointedAt(error, texts) ?? 1 : (completed < body.length ? completed + 1 : undefined);
		if (index !== undefined) {
			markFailedStatement(error, index);
		}

		throw error;
	} finally {
		client.connection.off('commandComplete', count);
	}
}

/** The body statement an error's position (1-based, in characters of the whole message) falls in. */
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
