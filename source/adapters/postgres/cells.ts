import type {Cell} from '../../engine/model.js';

// Type OIDs from pg_type; stable across PostgreSQL versions.
const oid = {
	bool: 16,
	int8: 20,
	int2: 21,
	int4: 23,
	oid: 26,
	float4: 700,
	float8: 701,
	timestamp: 1114,
	timestamptz: 1184,
} as const;

/**
 * Turns PostgreSQL's text output into cells that survive JSON (the journal): integers as
 * numbers while exact, timestamps as ISO strings, everything else (numeric, json, bytea as
 * \x… hex, arrays) as the server printed it.
 */
export function cellParser(typeId: number): (text: string) => Cell {
	switch (typeId) {
		case oid.bool: {
			return text => text === 't';
		}

		case oid.int2:
		case oid.int4:
		case oid.oid: {
			return text => Number(text);
		}

		case oid.int8: {
			return text => {
				const value = Number(text);
				return Number.isSafeInteger(value) ? value : text;
			};
		}

		case oid.float4:
		case oid.float8: {
			// NaN and Infinity would become null in JSON.
			return text => {
				const value = Number(text);
				return Number.isFinite(value) ? value : text;
			};
		}

		case oid.timestamptz: {
			return text => {
				const date = new Date(isoLike(text));
				return Number.isNaN(date.getTime()) ? text : date.toISOString();
			};
		}

		case oid.timestamp: {
			// No zone: keep the wall-clock value rather than guessing one.
			return text => /^\d{4}-\d\d-\d\d \d/.test(text) ? text.replace(' ', 'T') : text;
		}

		default: {
			return text => text;
		}
	}
}

/** "2024-05-01 10:00:00.123456+02" → "2024-05-01T10:00:00.123456+02:00", which Date parses. */
function isoLike(text: string): string {
	return text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00').replace(/([+-]\d\d):?(\d\d):(\d\d)$/, '$1:$2');
}
