import type {Entry} from '../engine/events.js';

/** Append-only, durable per entry: when append returns, the line is on disk. */
export type Journal = {
	readonly path: string;
	append(entry: Entry): void;
	close(): void;
};
