import {startCluster, type Cluster} from '../test/support/pg-cluster.js';

export type BenchCluster = Cluster;

/** A throwaway cluster with settings the machine's server does not have (max_connections for hundreds of sessions). */
export async function startBenchCluster(settings: Record<string, string | number>): Promise<BenchCluster> {
	return startCluster({
		settings,
		prefix: 'cutover-bench-pg-',
		why: 'the bench needs a server with its own settings',
		instead: 'Set CUTOVER_BENCH_PG to an admin URL of a server with enough max_connections.',
	});
}
