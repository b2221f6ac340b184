/** Bytes in 1024 steps with one decimal (`512 B`, `40.0 GB`), as the preflight and the lock trace say sizes. */
export function formatBytes(bytes: number): string {
	const units = ['B', 'kB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit += 1;
	}

	return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
