import type {Engine} from '../../../engine/model.js';
import type {FormatReader} from './types.js';

// pop (gobuffalo) as ory keeps it: {version}_{name}[.{dialect}][.autocommit].{up|down}.sql, the name without dots.
const popFile = /^(\d+)_([^.]+)(?:\.(postgres|cockroach|mysql|sqlite3|sqlite))?(\.autocommit)?\.(up|down)\.sql$/;
const engines: Record<string, Engine> = {postgres: 'postgres', sqlite3: 'sqlite', sqlite: 'sqlite'};

export const pop: FormatReader = {
	name: 'pop',
	match(file) {
		const match = popFile.exec(file);
		if (!match) {
			return null;
		}

		const [, digits, name, dialect, autocommit, direction] = match as unknown as [string, string, string, string | undefined, string | undefined, 'up' | 'down'];
		const id = `${digits}_${name}`;
		return {
			id,
			key: id,
			version: [BigInt(digits)],
			direction,
			engine: dialect === undefined ? 'any' : engines[dialect] ?? {other: dialect},
			transaction: autocommit === undefined,
			kind: 'sql',
		};
	},
};

/** A name only pop writes: a dialect or .autocommit before .up/.down (a plain NNNN_name.up.sql is golang-migrate's too). */
export function isPopOnly(file: string): boolean {
	const match = popFile.exec(file);
	return match !== null && (match[3] !== undefined || match[4] !== undefined);
}
