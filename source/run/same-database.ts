import type {Fingerprint} from '../engine/model.js';

export type Identity = {
	/** One line per property that differs, naming it, with the recorded and the current value. */
	differences: string[];
	/** Properties the record does not hold (an older record), so they could not be compared. */
	notRecorded: string[];
};

type Property = {label: string; read: (f: Fingerprint) => string | undefined; quoted?: boolean};

// The name alone proves nothing: a database dropped and created again under it, or a copy of a file put at its path, is another one.
const properties: Property[] = [
	{label: 'engine', read: f => f.engine},
	{label: 'database name', read: f => f.database, quoted: true},
	{label: 'system identifier', read: f => f.systemIdentifier},
	{label: 'database OID', read: f => f.databaseOid},
	{label: 'path', read: f => f.path, quoted: true},
	{label: 'device/inode', read: f => f.device === undefined && f.inode === undefined ? undefined : `device ${f.device ?? '?'}, inode ${f.inode ?? '?'}`},
];

/** Compares the recorded fingerprint with the current one, property by property. Pure. */
export function compareIdentity(recorded: Fingerprint, now: Fingerprint): Identity {
	const differences: string[] = [];
	const notRecorded: string[] = [];
	for (const property of properties) {
		const then = property.read(recorded);
		const current = property.read(now);
		if (then === undefined) {
			if (current !== undefined) {
				notRecorded.push(property.label);
			}

			continue;
		}

		if (then !== current) {
			const show = (value: string | undefined) => value === undefined ? 'not readable' : property.quoted ? JSON.stringify(value) : value;
			differences.push(`${property.label} differs: recorded ${show(then)}, now ${show(current)}`);
		}
	}

	return {differences, notRecorded};
}

/** "postgres database "shop" (system identifier 7…, database OID 16384)": each value labelled. */
export function describeIdentity(f: Fingerprint): string {
	const parts = [
		f.systemIdentifier === undefined ? null : `system identifier ${f.systemIdentifier}`,
		f.databaseOid === undefined ? null : `database OID ${f.databaseOid}`,
		f.path === undefined ? null : `path ${f.path}`,
		f.inode === undefined ? null : `device ${f.device ?? '?'}, inode ${f.inode}`,
	].filter(part => part !== null);
	return `${f.engine} database ${JSON.stringify(f.database)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}
