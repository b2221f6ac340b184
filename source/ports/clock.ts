export type Clock = {
	/** Epoch milliseconds. */
	now(): number;
};
