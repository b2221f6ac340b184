/** What a directory cutover writes into (backups, records) can take, found without writing anything that stays. */
export type DirectoryStatus =
	| {
		writable: true;
		/** Bytes this process may still write there (statfs: available blocks × block size). */
		freeBytes: number;
		/** Which filesystem: two directories on one share its room. */
		device: number;
	}
	| {writable: false; problem: string};

export type Directories = {
	/** Creates the directory if missing (as a backup or a journal would), then tries a write. Never throws. */
	probe(directory: string): Promise<DirectoryStatus>;
};
