import type {Entry} from '../engine/events.js';

/**
 * 'now': when append returns, the line and every line before it are on disk. 'with-next': the
 * line is written, and reaches the disk with the next append (or close) in the same fsync —
 * only for an event that no side effect depends on before the next event is appended.
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
