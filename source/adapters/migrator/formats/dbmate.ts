import {keepLines, oneFileRole, type FormatReader, type Section, type Sections} from './types.js';

// dbmate: one file per migration, {version}{anything}.sql, holding `-- migrate:up` and an optional
// `-- migrate:down`, each marker optionally followed by options (`transaction:false`). A marker counts
// only at the start of its line, as dbmate reads it (`(?m)^--\s*migrate:up`): an indented one is SQL text.
const file = /^(\d+).*\.sql$/;
const marker = /^--\s*migrate:(up|down)(?:\s+(.*))?$/i;

export const dbmate: FormatReader = {
	name: 'dbmate',
	match(name) {
		return oneFileRole(name, file);
	},
	claims(text) {
		return text.split(/\r?\n/).some(line => /^--\s*migrate:up\b/i.test(line.trimEnd()));
	},
	sections(text) {
		return dbmateSections(text);
	},
};

function dbmateSections(text: string): Sections {
	const lines = text.split(/\r?\n/);
	const markers: Array<{index: number; direction: 'up' | 'down'; transaction: boolean}> = [];
	for (const [index, raw] of lines.entries()) {
		const match = marker.exec(raw.trimEnd());
		if (!match) {
			// What dbmate would run as SQL, where the author meant a marker: the up would run into the down's text.
			if (marker.test(raw.trim())) {
				return {problem: `"${raw.trim()}" is indented: dbmate reads a marker only at the start of its line, so here it is part of the SQL around it, and the up runs on into what follows`, line: index + 1};
			}

			continue;
		}

		const options = (match[2] ?? '').trim().split(/\s+/).filter(Boolean);
		let transaction = true;
		for (const option of options) {
			const [key, value] = option.split(':');
			if (key?.toLowerCase() !== 'transaction' || (value !== 'true' && value !== 'false')) {
				return {problem: `"${raw.trim()}" has an option cutover does not know (${option}); dbmate's is transaction:false`, line: index + 1};
			}

			transaction = value === 'true';
		}

		markers.push({index, direction: match[1]!.toLowerCase() as 'up' | 'down', transaction});
	}

	const ups = markers.filter(m => m.direction === 'up');
	const downs = markers.filter(m => m.direction === 'down');
	if (ups.length !== 1 || downs.length > 1) {
		const extra = ups.length > 1 ? ups[1]! : downs[1];
		return ups.length === 0
			? {problem: 'has no -- migrate:up line', line: 1}
			: {problem: `has a second -- migrate:${extra!.direction} line`, line: extra!.index + 1};
	}

	const first = Math.min(...markers.map(m => m.index));
	const stray = lines.slice(0, first).findIndex(line => line.trim() !== '' && !line.trim().startsWith('--'));
	if (stray !== -1) {
		return {problem: 'has SQL above its first -- migrate: line, in neither the up nor the down (dbmate refuses it too)', line: stray + 1};
	}

	const section = (at: (typeof markers)[number]): Section => {
		const next = markers.find(m => m.index > at.index)?.index ?? lines.length;
		return {text: keepLines(lines, at.index + 1, next), statements: null, transaction: at.transaction};
	};

	return {up: section(ups[0]!), down: downs[0] ? section(downs[0]) : null};
}
