// Runs a SQLite target's checks and row counts in a process of its own, on a read-only
// connection. better-sqlite3 is synchronous and SQLite cannot be interrupted from JavaScript (a
// worker thread stuck in a statement ignores terminate() and even holds up the process's exit),
// so a statement that runs too long, or is cancelled, ends with this process: SIGKILL always works.
import {messageOf, openSqliteFile} from './open-file.js';
import type {QueryReady, QueryRequest, QueryResponse} from './query-messages.js';
import {readRows, RefusedStatement} from './read-query.js';
import {readSnapshot} from './snapshot.js';
import {countRows} from './user-tables.js';

const file = process.argv[2];
const readonly = process.argv[3] === '--readonly';
if (file === undefined || process.send === undefined) {
	throw new Error('query-child runs as a forked process, given the database file');
}

function open(): ReturnType<typeof openSqliteFile> | null {
	try {
		const db = openSqliteFile(file!, {readonly});
		// Checks are read-only by contract; the connection refuses writes even if a statement slips past the reader test.
		db.pragma('query_only = ON');
		return db;
	} catch (error) {
		// The parent reports it; this process has nothing else to do.
		process.send!({ready: false, message: messageOf(error)} satisfies QueryReady, () => process.exit(1));
		return null;
	}
}

function answer(db: ReturnType<typeof openSqliteFile>, request: QueryRequest): QueryResponse {
	try {
		if (request.kind === 'query') {
			return {id: request.id, ok: true, result: readRows(db, request.sql)};
		}

		if (request.kind === 'integrity') {
			return {id: request.id, ok: true, integrity: db.prepare('PRAGMA integrity_check').pluck().all() as string[]};
		}

		if (request.kind === 'snapshot') {
			// One read transaction, so the counts and the schema describe the same moment.
			return {id: request.id, ok: true, snapshot: db.transaction(() => readSnapshot(db, request.database))()};
		}

		// One read transaction, so every count describes the same moment.
		const counts = db.transaction(() => countRows(db))();
		return {id: request.id, ok: true, counts: Object.entries(counts)};
	} catch (error) {
		return {id: request.id, ok: false, refused: error instanceof RefusedStatement, message: messageOf(error)};
	}
}

const db = open();
if (db !== null) {
	process.on('message', (request: QueryRequest) => {
		process.send!(answer(db, request));
	});
	// The parent went away: nothing is left to answer.
	process.on('disconnect', () => {
		db.close();
		process.exit(0);
	});
	process.send({ready: true} satisfies QueryReady);
}
