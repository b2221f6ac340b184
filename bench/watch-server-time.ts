import type pg from 'pg';

/** Server milliseconds per statement run, one entry per round. */
export type Side = {planMs: number[]; execMs: number[]};

export type ServerTimes = {method: string; ours: Side; theirs: Side};

export type ServerTimeOptions = {
	/** A superuser connection to the bench database, used only to read and reset the statistics. */
	admin: pg.Client;
	/** One watch refresh, through the real adapter. */
	ours: () => Promise<unknown>;
	/** The reference query, sent as its tool sends it. */
	theirs: () => Promise<unknown>;
	/** EXPLAIN fallback: the refresh statement's text, and a connection to prepare it on. */
	oursSql: string;
	theirsSql: string;
	probe: pg.Client;
	rounds: number;
	perRound: number;
};

/**
 * Server time of the two sides, interleaved round by round so drift on the machine lands on
 * both. Preferred: pg_stat_statements with track_planning, which sees the statements exactly
 * as they are sent (a prepared statement is planned once, a simple query every time). Without
 * it: EXPLAIN ANALYZE, the refresh as a prepared statement, which leaves out sending the rows.
 */
export async function measureServerTime(options: ServerTimeOptions): Promise<ServerTimes> {
	const why = await statementStatsMissing(options.admin);
	if (why === undefined) {
		const sample = async (work: () => Promise<unknown>) => block(options.admin, work, options.perRound);
		return {method: 'pg_stat_statements (plan + exec)', ...await interleave(options.rounds, async () => sample(options.ours), async () => sample(options.theirs))};
	}

	console.error(`server time by EXPLAIN ANALYZE instead of pg_stat_statements: ${why}`);
	await options.probe.query(`PREPARE bench_watch_refresh AS ${options.oursSql}`);
	const explain = async (sql: string) => {
		const planMs: number[] = [];
		const execMs: number[] = [];
		for (let i = 0; i < options.perRound; i++) {
			// eslint-disable-next-line no-await-in-loop -- statements must not overlap
			const {rows: [row]} = await options.probe.query<{'QUERY PLAN': Array<{'Planning Time': number; 'Execution Time': number}>}>(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql}`);
			const plan = row!['QUERY PLAN'][0]!;
			planMs.push(plan['Planning Time']);
			execMs.push(plan['Execution Time']);
		}

		return {plan: mean(planMs), exec: mean(execMs)};
	};

	return {
		method: 'EXPLAIN ANALYZE (rows not sent)',
		...await interleave(options.rounds, async () => explain('EXECUTE bench_watch_refresh'), async () => explain(options.theirsSql)),
	};
}

type Measure = () => Promise<{plan: number; exec: number}>;

async function interleave(rounds: number, measureOurs: Measure, measureTheirs: Measure): Promise<{ours: Side; theirs: Side}> {
	const ours: Side = {planMs: [], execMs: []};
	const theirs: Side = {planMs: [], execMs: []};
	// One unrecorded round first: the first refresh connects and prepares.
	await measureOurs();
	await measureTheirs();
	for (let round = 0; round < rounds; round++) {
		for (const [measure, side] of [[measureOurs, ours], [measureTheirs, theirs]] as const) {
			// eslint-disable-next-line no-await-in-loop -- rounds must not overlap, or they would time each other
			const {plan, exec} = await measure();
			side.planMs.push(plan);
			side.execMs.push(exec);
		}
	}

	return {ours, theirs};
}

async function block(admin: pg.Client, work: () => Promise<unknown>, times: number): Promise<{plan: number; exec: number}> {
	await admin.query('SELECT pg_stat_statements_reset()');
	for (let i = 0; i < times; i++) {
		// eslint-disable-next-line no-await-in-loop
		await work();
	}

	// Everything since the reset but this bookkeeping: only one side ran in between.
	const {rows: [sums]} = await admin.query<{plan: number; exec: number}>(`SELECT coalesce(sum(total_plan_time), 0)::float8 AS plan, coalesce(sum(total_exec_time), 0)::float8 AS exec
		FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'`);
	return {plan: sums!.plan / times, exec: sums!.exec / times};
}

async function statementStatsMissing(admin: pg.Client): Promise<string | undefined> {
	try {
		await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
		const {rows: [setting]} = await admin.query<{on: string | null}>(`SELECT current_setting('pg_stat_statements.track_planning', true) AS on`);
		if (setting?.on !== 'on') {
			return 'pg_stat_statements.track_planning is off, so planning time would be missed';
		}

		await admin.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
		return undefined;
	} catch (error) {
		return error instanceof Error ? error.message : String(error);
	}
}

function mean(values: number[]): number {
	return values.reduce((sum, value) => sum + value, 0) / values.length;
}
