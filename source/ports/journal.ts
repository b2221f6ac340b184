import type {Entry} from '../engine/events.js';

/**
 * 'now': when append returns, the line and every line before it are on disk. 'with-next': the
 * line is written, and reaches the disk with the next append (or close) in the same fsync —
 * only for an event that no side effect depends on before the next event is appended. Several
 * 'with-next' lines may wait for one fsync: a run's transactional migrations group theirs (at most
 * every 250 ms), since each one's log row, committed with it, proves it after a crash (resume reads
 * those rows back, see run/reconcile.ts).
 */
export type Durability = 'now' | 'with-next';

/** Append-only, durable per entry (see Durability). */
export type Journal = {
	readonly path: string;
	append(entry: Entry, durability?: Durability): void;
	/**
	 * Puts the lines appended 'with-next' on disk now (nothing when there are none); throws a
	 * RecordWriteError when it cannot. A journal that keeps nothing on disk has none.
	 */
	sync?(): void;
	close(): void;
};
