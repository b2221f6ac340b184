import {availableParallelism} from 'node:os';
import type pg from 'pg';
import type {BackupPolicy} from '../../ports/backup-tool.js';

/** Past four jobs a dump on one disk mostly waits for it, and holds connections the application may need. */
export const DEFAULT_MAX_JOBS = 4;

export type DumpPlan = {
	format: 'custom' | 'directory';
	/** pg_dump's -j: 1 for the custom format. */
	jobs: number;
	/** gzip level, 0 for none. */
	compression: number;
	/** Why, in a line, for the record. */
	chosen: string;
};

/** What the server allows a backup, read in the preflight session. */
export type ServerRoom = {
	/** max_parallel_workers: how many processes the server's administrator lets one query use, a stand-in for the server's cores. */
	parallelWorkers: number;
	/** Sessions this role may still open on this database once the preflight session has ended. */
	freeConnections: number;
};

export type PlanInputs = {
	policy: BackupPolicy;
	databaseBytes: number;
	/** This machine's cores, where pg_dump's jobs compress. */
	cores: number;
	room: ServerRoom;
};

/**
 * The format and jobs of a backup. pg_dump -j N opens N + 1 sessions and the backup's lock watch
 * one more, so N is kept within the free connections; a directory dump with a single job gains
 * nothing over the custom format, so auto picks it only when two jobs or more are possible.
 */
export function chooseDump({policy, databaseBytes, cores, room}: PlanInputs): DumpPlan {
	const compression = policy.compression;
	const limits: Array<[number, string]> = [
		policy.jobs === null ? [Math.min(cores, DEFAULT_MAX_JOBS), `this machine's ${cores} ${cores === 1 ? 'core' : 'cores'} (at most ${DEFAULT_MAX_JOBS})`] : [policy.jobs, `the checklist's jobs: ${policy.jobs}`],
		...(room.parallelWorkers > 0 ? [[room.parallelWorkers, `the server's max_parallel_workers (${room.parallelWorkers})`] as [number, string]] : []),
		[room.freeConnections - 2, `${room.freeConnections} free connections (pg_dump takes one more than its jobs, the lock watch one)`],
	];
	const [jobs, limitedBy] = limits.reduce((least, limit) => limit[0] < least[0] ? limit : least);
	const size = formatSize(databaseBytes);
	const threshold = formatSize(policy.parallelThresholdBytes);
	const directory = (why: string): DumpPlan => ({format: 'directory', jobs: Math.max(1, jobs), compression, chosen: `directory format, ${Math.max(1, jobs)} ${jobs > 1 ? 'jobs' : 'job'} (${why}; jobs limited by ${limitedBy})`});
	const custom = (why: string): DumpPlan => ({format: 'custom', jobs: 1, compression, chosen: `custom format (${why})`});
	switch (policy.format) {
		case 'custom': {
			return custom('the checklist says format: custom');
		}

		case 'directory': {
			return directory('the checklist says format: directory');
		}

		case 'auto': {
			if (databaseBytes < policy.parallelThresholdBytes) {
				return custom(`the database, ${size}, is under the ${threshold} threshold for parallel jobs`);
			}

			return jobs >= 2
				? directory(`the database, ${size}, is at least the ${threshold} threshold`)
				: custom(`the database, ${size}, is at least the ${threshold} threshold, but only one job is possible: ${limitedBy}`);
		}
	}
}

/** How many jobs a restore may run: the same limits as a dump's, against the server it restores to. */
export function restoreJobs(policy: BackupPolicy, cores: number, room: ServerRoom): number {
	const wanted = policy.jobs ?? Math.min(cores, DEFAULT_MAX_JOBS);
	const server = room.parallelWorkers > 0 ? room.parallelWorkers : wanted;
	// pg_restore -j N opens N + 1 sessions; the restore's own maintenance session, counted in freeConnections as ending, stays open.
	return Math.max(1, Math.min(wanted, server, room.freeConnections - 2));
}

export function machineCores(): number {
	return availableParallelism();
}

/**
 * The free sessions: the server's (max_connections less the slots reserved for superusers, unless
 * this role is one), the database's CONNECTION LIMIT and the role's, each less the sessions using
 * it now, this one included; plus this one, which ends before pg_dump starts.
 */
export async function readServerRoom(client: pg.Client): Promise<ServerRoom> {
	const result = await client.query<[number, number, number, number, number, number, number]>({
		text: `SELECT current_setting('max_parallel_workers')::int,
			current_setting('max_connections')::int
				- CASE WHEN r.rolsuper THEN 0 ELSE current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true)::int, 0) END,
			(SELECT count(*)::int FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend'),
			d.datconnlimit,
			(SELECT count(*)::int FROM pg_catalog.pg_stat_activity WHERE datid = d.oid AND backend_type = 'client backend'),
			r.rolconnlimit,
			(SELECT count(*)::int FROM pg_catalog.pg_stat_activity WHERE usesysid = r.oid AND backend_type = 'client backend')
		FROM pg_catalog.pg_roles r, pg_catalog.pg_database d
		WHERE r.rolname = current_user AND d.datname = current_database()`,
		rowMode: 'array',
	});
	const [parallelWorkers, serverLimit, serverUsed, databaseLimit, databaseUsed, roleLimit, roleUsed] = result.rows[0] ?? [0, 0, 0, -1, 0, -1, 0];
	const free = [serverLimit - serverUsed];
	if (databaseLimit >= 0) {
		free.push(databaseLimit - databaseUsed);
	}

	if (roleLimit >= 0) {
		free.push(roleLimit - roleUsed);
	}

	return {parallelWorkers, freeConnections: Math.max(0, Math.min(...free) + 1)};
}

export function formatSize(bytes: number): string {
	const units = ['B', 'kB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit += 1;
	}

	return unit === 0 ? `${bytes} B` : `${Number(value.toFixed(1))} ${units[unit]}`;
}
