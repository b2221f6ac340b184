/** Every table weighs at least this much: an empty table still costs pg_dump a COPY. */
const MIN_WEIGHT = 8192;
/** The tables being dumped count for at most this share of their size until they finish. */
const CURRENT_CAP = 0.9;
/** Table data per byte of compressed dump, until finished tables tell the real figure. */
const FIRST_RATIO = 3;

/**
 * How much of the table data a parallel pg_dump (-j) has copied. Its jobs announce a table with
 * "dumping contents of table" and the leader reports it done with "finished item <id> TABLE DATA
 * <name>"; each table goes to a file of its own (<id>.dat, <id>.dat.gz). Finished tables count in
 * full; the tables in flight are credited by the bytes of the files not finished yet, at the
 * data-per-byte ratio of the finished ones, and never beyond most of their size. Never goes down.
 */
export class ParallelDumpWork {
	readonly total: number;
	private finishedWeight = 0;
	private finishedBytes = 0;
	private readonly inFlight: Array<{table: string; weight: number}> = [];
	private readonly finishedIds = new Set<string>();
	private tables = 0;
	private last = 0;

	constructor(private readonly sizes: ReadonlyMap<string, number>) {
		let total = 0;
		for (const size of sizes.values()) {
			total += Math.max(MIN_WEIGHT, size);
		}

		this.total = total;
	}

	/** A job began dumping `table` (schema.table). */
	started(table: string): void {
		this.inFlight.push({table, weight: Math.max(MIN_WEIGHT, this.sizes.get(table) ?? 0)});
	}

	/** The leader reported item `id` (the table `name`, unqualified) done; its file holds `fileBytes`. */
	finished(id: string, name: string, fileBytes: number): void {
		const index = this.inFlight.findIndex(entry => entry.table === name || entry.table.endsWith(`.${name}`));
		const entry = index === -1 ? undefined : this.inFlight.splice(index, 1)[0];
		this.finishedWeight += entry?.weight ?? MIN_WEIGHT;
		this.finishedBytes += fileBytes;
		this.finishedIds.add(id);
		this.tables += 1;
	}

	isFinished(id: string): boolean {
		return this.finishedIds.has(id);
	}

	get tablesDone(): number {
		return this.tables;
	}

	/** The tables being dumped now, for the screen. */
	get current(): string[] {
		return this.inFlight.map(entry => entry.table);
	}

	/** Table data done, given the bytes of the files not finished yet. */
	done(unfinishedBytes: number): number {
		const ratio = this.finishedBytes > 0 ? this.finishedWeight / this.finishedBytes : FIRST_RATIO;
		const inFlightWeight = this.inFlight.reduce((sum, entry) => sum + entry.weight, 0);
		const credit = Math.min(inFlightWeight * CURRENT_CAP, Math.max(0, unfinishedBytes) * ratio);
		this.last = Math.max(this.last, Math.min(this.total, this.finishedWeight + credit));
		return Math.round(this.last);
	}
}
