/** PostgreSQL keeps at most 63 bytes of a name (NAMEDATALEN - 1) and silently cuts the rest. */
const maxNameBytes = 63;

/** `<db>_cutover_restore_<id>`: the fresh database a restore fills before it takes the target's name. */
export function freshName(database: string, id: string): string {
	return fitted(database, `_cutover_restore_${id}`);
}

/** `<db>_cutover_replaced_<UTC time>`: where the replaced database is kept, as SQLite keeps `<file>.replaced-<time>`. */
export function replacedName(database: string, now: number): string {
	const stamp = new Date(now).toISOString().replaceAll(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z').toLowerCase();
	return fitted(database, `_cutover_replaced_${stamp}`);
}

/** Shortens the database part, whole characters only, so the suffix always survives. */
function fitted(database: string, suffix: string): string {
	const room = maxNameBytes - Buffer.byteLength(suffix);
	let base = database;
	while (Buffer.byteLength(base) > room) {
		base = [...base].slice(0, -1).join('');
	}

	return `${base}${suffix}`;
}
