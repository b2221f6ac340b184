/** Binary units, as PostgreSQL's pg_size_pretty and its settings use them: 1kB is 1024 bytes. */
const units: Record<string, number> = {b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4};

/**
 * "500MB", "1GB", "1.5 GB", "64kB" in bytes; null for anything else. A bare number is refused:
 * whether 1 meant a gigabyte or a byte is exactly the mistake that must not pass.
 */
export function parseSize(text: string): number | null {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)\s*$/i.exec(text);
	if (!match) {
		return null;
	}

	const bytes = Number(match[1]) * units[match[2]!.toLowerCase()]!;
	return Number.isFinite(bytes) ? Math.round(bytes) : null;
}
