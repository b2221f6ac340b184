import type {StepId} from '../source/engine/events.js';

export type KeyHelp = Array<[key: string, what: string]>;

const GLOBAL: KeyHelp = [
	['?, F1', 'show or hide this help (in a text field: F1, or ? while it is empty)'],
	['e', 'every error of the run whole, with failed statements (Esc back; not while observing)'],
	['q, Ctrl-C', 'leave (asks first while the run is in progress)'],
];

const WINDOW: KeyHelp = [
	['↑ ↓', 'select a preparation item'],
	['space', 'tick or untick the selected item'],
	['tab', 'switch between the checklist and the name field'],
	['Enter', 'confirm the window (all ticked and the name typed)'],
	['Esc', 'leave the name field'],
	['p, PgDn', 'page through the whole plan and the applied history (p is typed in the name field; Esc back)'],
	['l, Ctrl-L', 'PostgreSQL: the locks each pending migration takes, measured on a copy (l is typed in the name field; Esc back)'],
];

const BACKUP: KeyHelp = [
	['', 'nothing to press: the backup and its verification cannot be skipped'],
];

const PRE: KeyHelp = [
	['↑ ↓', 'select a check'],
	['s', 'show or hide the SQL of the selected check, with its whole title and detail'],
	['o', 'override the selected blocking failure (with a reason)'],
	['Enter', 'proceed to the upgrade once the gate is open'],
	['Esc', 'cancel the check that is running, or typing a reason'],
];

const POST: KeyHelp = [
	['↑ ↓', 'select a check'],
	['s', 'show or hide the SQL of the selected check, with its whole title and detail'],
	['Esc', 'cancel the check that is running'],
	['e', 'during the observation period: end it early and go to the rollback prompt'],
	['r', 'during the observation period: go to the rollback prompt now'],
];

const UPGRADE: KeyHelp = [
	['', 'migrations run one after another; keys only act on the lock watch (PostgreSQL)'],
	['↑ ↓', 'pick a session that waits for a lock, or one that blocks them'],
	['c', 'cancel its query (shows the query, asks for y)'],
	['k', 'terminate its session (shows the query, asks for y)'],
	['Esc', 'back to the lock summary'],
	['d, n', 'when an earlier CREATE INDEX CONCURRENTLY left an INVALID index: drop it and run the migration, or stop'],
];

const ROLLBACK: KeyHelp = [
	['↑ ↓', 'select an option (unavailable ones are skipped)'],
	['Enter', 'choose it (restore and downgrade ask for y)'],
	['y', 'confirm a restore or downgrade'],
];

const SUMMARY: KeyHelp = [
	['q', 'leave'],
];

const BY_STEP: Record<StepId, KeyHelp> = {
	window: WINDOW,
	backup: BACKUP,
	verify: BACKUP,
	pre: PRE,
	upgrade: UPGRADE,
	post: POST,
	rollback: ROLLBACK,
	summary: SUMMARY,
};

export const keyHelp = (step: StepId): KeyHelp => [...BY_STEP[step], ...GLOBAL];

/** `cutover watch` (PostgreSQL): its keys are the same on every view. */
export const watchKeyHelp: KeyHelp = [
	['1 2 3, tab', 'running queries, who blocks whom, idle in transaction'],
	['↑ ↓', 'select a session'],
	['c', 'cancel its query (shows it, asks for y)'],
	['k', 'terminate its session (shows it, asks for y)'],
	['y', 'copy its query to the clipboard (OSC 52)'],
	['/', 'filter by a regex over database, user, application, query'],
	['m', 'cycle the minimum age shown'],
	['s', 'cycle the sort of the running view'],
	['+ -', 'refresh more or less often'],
	['space', 'pause or resume refreshing'],
	['d', 'read the database size again'],
	['?, F1', 'show or hide this help'],
	['q', 'leave'],
];

/** `cutover watch` on a SQLite file: one picture of the file, read again every second. */
export const sqliteWatchKeyHelp: KeyHelp = [
	['', 'the file, its journal and who holds its locks, read again every second'],
	['', 'sessions, locks between them, cancel and terminate are PostgreSQL views'],
	['?, F1', 'show or hide this help'],
	['q', 'leave'],
];
