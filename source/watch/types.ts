// Plain data of the watch: what one refresh of the server reports. No behaviour here.

/** One session as pg_stat_activity shows it to the watching role. */
export type ActivityRow = {
	pid: number;
	/** The leader's pid for a parallel worker, else null. */
	leaderPid: number | null;
	database: string | null;
	user: string | null;
	application: string | null;
	client: string | null;
	backendType: string;
	/** null when the watching role may not see it. */
	state: string | null;
	waitEventType: string | null;
	waitEvent: string | null;
	/** The query text; null when the watching role may not see it (PostgreSQL's "<insufficient privilege>"). */
	query: string | null;
	/** Whether the role may see this session's details at all. */
	visible: boolean;
	backendMs: number | null;
	xactMs: number | null;
	queryMs: number | null;
	/** Time in the current state (for "idle in transaction": how long it has sat idle). */
	stateMs: number | null;
	/** pg_blocking_pids() for sessions waiting on a lock; [] otherwise. 0 is a prepared transaction. */
	blockedBy: number[];
};

/** Cumulative counters, turned into rates by comparing two refreshes. */
export type Counters = {
	blocksHit: number;
	blocksRead: number;
	transactions: number;
};

export type Replication = {
	replicas: number;
	lagBytes: number | null;
	lagMs: number | null;
};

export type ServerStats = {
	maxConnections: number;
	/** Slots only superusers (and pg_use_reserved_connections) may take. */
	reservedConnections: number;
	counters: Counters;
	/** null on a standby, where a primary's lag does not apply. */
	replication: Replication | null;
	preparedTransactions: number;
	serverVersion: string;
};

export type ActivitySnapshot = {
	/** Client clock, epoch ms, when the refresh returned. */
	at: number;
	stats: ServerStats;
	/** Sessions worth listing: all but those idle outside a transaction, which are kept only when someone waits for them. */
	rows: ActivityRow[];
	/** Client sessions idle outside a transaction and blocking no one: counted by the server, not listed. */
	idleSessions: number;
	/** The watch's own session, excluded from rows but holding a connection slot. */
	ownPid: number;
};

export type ActionKind = 'cancel' | 'terminate';

export type ActionOutcome = {
	kind: ActionKind;
	pid: number;
	ok: boolean;
	/** One line: what happened, or why it did not. */
	detail: string;
};

/** What a SQLite file can tell without taking a lock. */
export type SqliteWatchInfo = {
	path: string;
	fileBytes: number;
	walBytes: number | null;
	journalMode: 'wal' | 'rollback';
	/** From the file header; null when it was not read (this process holds a lock on the file). */
	pageSize: number | null;
	pageCount: number | null;
	/** Who holds which lock, from the kernel's lock table; null where it cannot be read. */
	locks: {writer: number[]; readers: number[]} | null;
	/** A rollback journal next to the file means a write transaction is under way (or crashed). */
	hotJournal: boolean;
};
