const units: Record<string, number> = {ms: 1, s: 1000, m: 60_000};

/**
 * "500ms", "5s", "1.5s", "2m" in milliseconds; null for anything else. A bare number is refused:
 * whether 5 meant seconds or milliseconds is exactly the mistake that must not pass.
 */
export function parseDuration(text: string): number | null {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/i.exec(text);
	if (!match) {
		return null;
	}

	const ms = Number(match[1]) * units[match[2]!.toLowerCase()]!;
	return Number.isFinite(ms) ? Math.round(ms) : null;
}
