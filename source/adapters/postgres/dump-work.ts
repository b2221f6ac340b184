/** Every table weighs at least this much: an empty table still costs pg_dump a COPY. */
const MIN_WEIGHT = 8192;
/** The table being dumped counts for at most this share of its size until the next one starts. */
const CURRENT_CAP = 0.9;
/** Table data per byte of a custom-format (compressed) dump, until finished tables tell the real figure. */
const FIRST_RATIO = 3;

/**
 * How much of the table data pg_dump has copied, from its "dumping contents of table" lines and
 * the tables' sizes read before the dump. Finished tables count in full; the one being dumped is
 * credited by the bytes written since it began, at the data-per-byte ratio of the tables finished
 * so far, and never beyond most of its size. The figure never goes down.
 */
export class DumpWork {
	readonly total: number;
	private finished = 0;
	private finishedBytes = 0;
	private current: {weight: number; bytesAtStart: number} | null = null;
	private last = 0;

	constructor(private readonly sizes: ReadonlyMap<string, number>) {
		let total = 0;
		for (const size of sizes.values()) {
			total += Math.max(MIN_WEIGHT, size);
		}

		this.total = total;
	}

	/** pg_dump named the next table (schema.table), with `bytes` written so far: the one before it is done. */
	started(table: string, bytes: number): void {
		if (this.current) {
			this.finished += this.current.weight;
			this.finishedBytes += Math.max(0, bytes - this.current.bytesAtStart);
		}

		this.current = {weight: Math.max(MIN_WEIGHT, this.sizes.get(table) ?? 0), bytesAtStart: bytes};
	}

	/** Table data done, given the bytes written now. */
	done(bytes: number): number {
		let credit = 0;
		if (this.current) {
			const ratio = this.finishedBytes > 0 ? this.finished / this.finishedBytes : FIRST_RATIO;
			credit = Math.min(this.current.weight * CURRENT_CAP, Math.max(0, bytes - this.current.bytesAtStart) * ratio);
		}

		this.last = Math.max(this.last, Math.min(this.total, this.finished + credit));
		return Math.round(this.last);
	}
}
