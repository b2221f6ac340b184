import type {ActivityRow} from './types.js';

/** One line of the blocking tree, in display order. */
export type TreeLine = {
	pid: number;
	/** Indentation: 0 for a session that blocks others without waiting itself. */
	level: number;
	/** null for a pid that is not among the rows: a prepared transaction (pid 0) or a session the role cannot see. */
	row: ActivityRow | null;
	/** 'prepared' for pid 0 (a prepared transaction holds the lock), 'unseen' for a pid not in pg_stat_activity. */
	kind: 'session' | 'prepared' | 'unseen';
	/** Other sessions it also waits for, besides the one it is drawn under. */
	alsoWaitsFor: number[];
	/** It is part of a wait cycle (a deadlock the server has not broken yet). */
	inCycle: boolean;
	/** Parallel workers folded into this leader. */
	workers: number;
	/** Sessions waiting behind it, directly or not. */
	blocking: number;
};

/**
 * Builds the tree from pg_blocking_pids() rather than from a self-join of pg_locks: the
 * function knows the lock queue, so readers queued behind a waiting ALTER TABLE show under the
 * ALTER TABLE, which waits under the sessions holding the table. Each waiter is drawn once,
 * under the blocker with the longest chain above it; its other blockers are named beside it.
 * Wait cycles (strongly connected components) are drawn from their lowest pid and marked.
 */
export function buildBlockingTree(rows: readonly ActivityRow[]): TreeLine[] {
	const byPid = new Map(rows.map(row => [row.pid, row]));
	const leaderOf = (pid: number): number => {
		const leader = byPid.get(pid)?.leaderPid;
		return leader !== null && leader !== undefined && leader !== pid && byPid.has(leader) ? leader : pid;
	};

	// Parallel workers fold into their leader: the operator cancels the leader, not a worker.
	const edges = new Map<number, Set<number>>();
	const workers = new Map<number, number>();
	for (const row of rows) {
		const self = leaderOf(row.pid);
		if (self !== row.pid) {
			workers.set(self, (workers.get(self) ?? 0) + 1);
		}

		for (const blocker of row.blockedBy) {
			const target = leaderOf(blocker);
			if (target === self) {
				continue;
			}

			let set = edges.get(self);
			if (set === undefined) {
				set = new Set();
				edges.set(self, set);
			}

			set.add(target);
		}
	}

	if (edges.size === 0) {
		return [];
	}

	const nodes = new Set<number>();
	for (const [waiter, blockers] of edges) {
		nodes.add(waiter);
		for (const blocker of blockers) {
			nodes.add(blocker);
		}
	}

	const blockersOf = (pid: number): number[] => [...(edges.get(pid) ?? [])].sort((a, b) => a - b);
	const components = stronglyConnected([...nodes].sort((a, b) => a - b), blockersOf);
	// Tarjan emits a component after every component it waits for, so blockers come first.
	const depth = new Map<number, number>();
	const parent = new Map<number, number>();
	const cyclic = new Set<number>();
	for (const component of components) {
		const inside = new Set(component);
		const head = Math.min(...component);
		// The head hangs under its own deepest outside blocker; the rest of a cycle hangs under the head.
		let base = 0;
		for (const blocker of blockersOf(head)) {
			if (!inside.has(blocker) && depth.get(blocker)! + 1 > base) {
				base = depth.get(blocker)! + 1;
				parent.set(head, blocker);
			}
		}

		depth.set(head, base);
		if (component.length === 1) {
			continue;
		}

		cyclic.add(head);
		const queue = [head];
		while (queue.length > 0) {
			const current = queue.shift()!;
			for (const pid of component.filter(member => !depth.has(member) && edges.get(member)?.has(current)).sort((a, b) => a - b)) {
				depth.set(pid, depth.get(current)! + 1);
				parent.set(pid, current);
				cyclic.add(pid);
				queue.push(pid);
			}
		}
	}

	const children = new Map<number, number[]>();
	for (const [child, of] of parent) {
		children.set(of, [...(children.get(of) ?? []), child]);
	}

	// Deepest first, so every child is counted before its parent (no recursion: chains can be long).
	const below = new Map<number, number>();
	for (const pid of [...nodes].sort((a, b) => depth.get(b)! - depth.get(a)!)) {
		const of = parent.get(pid);
		if (of !== undefined) {
			below.set(of, (below.get(of) ?? 0) + 1 + (below.get(pid) ?? 0));
		}
	}

	const countBelow = (pid: number) => below.get(pid) ?? 0;
	// Longest waiter first: it has been in the queue longest and is the one to look at.
	const waited = (pid: number) => byPid.get(pid)?.stateMs ?? byPid.get(pid)?.queryMs ?? 0;
	const order = (a: number, b: number) => countBelow(b) - countBelow(a) || waited(b) - waited(a) || a - b;
	const lines: TreeLine[] = [];
	const stack: Array<{pid: number; level: number}> = [...nodes].filter(pid => !parent.has(pid)).sort(order).reverse().map(pid => ({pid, level: 0}));
	while (stack.length > 0) {
		const {pid, level} = stack.pop()!;
		const row = byPid.get(pid) ?? null;
		lines.push({
			pid,
			level,
			row,
			kind: row !== null ? 'session' : pid === 0 ? 'prepared' : 'unseen',
			alsoWaitsFor: blockersOf(pid).filter(blocker => blocker !== parent.get(pid)),
			inCycle: cyclic.has(pid),
			workers: workers.get(pid) ?? 0,
			blocking: countBelow(pid),
		});
		for (const kid of [...(children.get(pid) ?? [])].sort(order).reverse()) {
			stack.push({pid: kid, level: level + 1});
		}
	}

	return lines;
}

/** Tarjan's algorithm, iterative so a long chain cannot overflow the stack. */
function stronglyConnected(nodes: number[], next: (node: number) => number[]): number[][] {
	const index = new Map<number, number>();
	const low = new Map<number, number>();
	const onStack = new Set<number>();
	const stack: number[] = [];
	const result: number[][] = [];
	let counter = 0;
	for (const start of nodes) {
		if (index.has(start)) {
			continue;
		}

		const work: Array<{node: number; edges: number[]; at: number}> = [];
		const open = (node: number) => {
			index.set(node, counter);
			low.set(node, counter);
			counter++;
			stack.push(node);
			onStack.add(node);
			work.push({node, edges: next(node), at: 0});
		};

		open(start);
		while (work.length > 0) {
			const frame = work.at(-1)!;
			if (frame.at < frame.edges.length) {
				const target = frame.edges[frame.at++]!;
				if (!index.has(target)) {
					open(target);
				} else if (onStack.has(target)) {
					low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
				}

				continue;
			}

			work.pop();
			const caller = work.at(-1);
			if (caller !== undefined) {
				low.set(caller.node, Math.min(low.get(caller.node)!, low.get(frame.node)!));
			}

			if (low.get(frame.node) === index.get(frame.node)) {
				const component: number[] = [];
				let member: number;
				do {
					member = stack.pop()!;
					onStack.delete(member);
					component.push(member);
				} while (member !== frame.node);
				result.push(component);
			}
		}
	}

	return result;
}
