/**
 * The version a migration's name starts with, as the tools write it: `0001_name` and goose's
 * `00001_name` → "1", golang-migrate and dbmate timestamps `20240101120000_name` → as is,
 * Flyway's `V1.2__desc` → "1.2" (also `U1.2__…`, `R__…` has none). Leading zeros are dropped
 * from each dotted part, so a history's `1` and a file's `0001` meet. Null: the name has none.
 */
export function versionOf(name: string): string | null {
	// Flyway: everything between the prefix and `__` is the version, `_` standing for `.`.
	const flyway = /^[VU](\d+(?:[._]\d+)*)__/.exec(name);
	if (flyway?.[1]) {
		return normalizeVersion(flyway[1].replaceAll('_', '.'));
	}

	const leading = /^(\d+)(?=_|\.|-|$)/.exec(name);
	return leading?.[1] ? normalizeVersion(leading[1]) : null;
}

/** A version as history tables hold it (`1`, `0001`, `1.2`, `20240101120000`), in the same form as versionOf's. */
export function normalizeVersion(version: string): string {
	return version.trim().split('.').map(part => part.replace(/^0+(?=\d)/, '')).join('.');
}

/** Version order: dotted parts compared as numbers (as digit strings, so a 14-digit timestamp stays exact). */
export function compareVersions(a: string, b: string): number {
	const pa = a.split('.');
	const pb = b.split('.');
	for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
		const x = pa[i] ?? '0';
		const y = pb[i] ?? '0';
		if (x.length !== y.length) {
			return x.length - y.length;
		}

		if (x !== y) {
			return x < y ? -1 : 1;
		}
	}

	return 0;
}
