import type {AdoptionProblem, AdoptionRow, HistoryTool} from '../engine/model.js';
import type {SchemaChange} from '../sql/created-objects.js';
import {followObjects, type EvidenceObject} from './evidence.js';
import {compareVersions, normalizeVersion, versionOf} from './versions.js';

/** A migration of the folder, as adoption needs it. */
export type AdoptFile = {
	name: string;
	/** sha256 of its up source: what cutover_migrations holds. */
	checksum: string;
	/** Flyway's checksum of its up SQL file; null for a module. */
	flywayChecksum: number | null;
	/** The tables and indexes its up SQL creates (empty for a module). */
	objects: Array<{kind: 'table' | 'index'; name: string}>;
	/** Its up SQL's creates, drops and renames in order; when absent, `objects` are taken as its only changes. */
	changes?: SchemaChange[];
	/** Code only its own tool runs (a goose Go migration). */
	external?: boolean;
};

/**
 * One row of another tool's history, read as that tool means it.
 * - key: the version (or Alembic revision) it names
 * - upTo: it stands for every migration up to and including its own (golang-migrate's one row, Alembic's head, a Flyway baseline)
 * - state: dirty (golang-migrate stopped mid-way), failed (a Flyway row with success false)
 */
export type HistoryRow = {
	key: string;
	shown: string;
	state: 'applied' | 'dirty' | 'failed';
	checksum: number | null;
	upTo: boolean;
	revision?: boolean;
	/** The key is the migration's whole name (maragu.dev/migrate's version string, Prisma's folder), not a version prefix. */
	exact?: boolean;
	/** The sha256 (hex) the tool recorded of the file it ran (Prisma's checksum), compared with the file's. */
	sha256?: string | null;
	/** Code the tool itself runs (Flyway's Java migrations, the only such rows): no file of the folder is expected to match it. */
	code?: boolean;
};

export type HistoryRead = {tool: HistoryTool; rows: HistoryRow[]; notes: string[]};

export type Mapping = {rows: AdoptionRow[]; problems: AdoptionProblem[]; notes: string[]};

/** Which file a history row names: by version prefix (any digits, dotted), or for an Alembic revision a file whose name carries it. */
function matches(file: AdoptFile, row: HistoryRow): boolean {
	if (row.exact === true) {
		return file.name === row.key;
	}

	if (row.revision === true) {
		return file.name === row.key || file.name.startsWith(`${row.key}_`) || file.name.includes(`_${row.key}_`) || file.name.endsWith(`_${row.key}`);
	}

	const version = versionOf(file.name);
	return version !== null && compareVersions(version, normalizeVersion(row.key)) === 0;
}

/**
 * Maps another tool's history onto the folder's migrations, in the folder's order: which are
 * applied (and get a cutover_migrations row), which are pending, and every mismatch — a history
 * row with no file, a file in the middle the history does not have (a gap), a dirty or failed
 * row, a Flyway checksum that differs from the file's. Nothing here writes; a mismatch blocks.
 */
export function mapHistory(files: readonly AdoptFile[], history: HistoryRead, logged: ReadonlySet<string>): Mapping {
	const problems: AdoptionProblem[] = [];
	const notes = [...history.notes];
	const matchOf = new Map<number, HistoryRow>();
	const orphans: HistoryRow[] = [];
	for (const row of history.rows) {
		const index = files.findIndex(file => matches(file, row));
		if (index === -1) {
			orphans.push(row);
		} else {
			matchOf.set(index, row);
		}
	}

	// Everything up to the last file an up-to row names counts as applied, as that tool counts it.
	let coveredThrough = -1;
	// A dirty up-to row (golang-migrate stopped on its way to it) still covers the ones before it.
	for (const [index, row] of matchOf) {
		if (row.upTo) {
			coveredThrough = Math.max(coveredThrough, row.state === 'applied' ? index : index - 1);
		}
	}

	const applied = (index: number) => index <= coveredThrough || matchOf.get(index)?.state === 'applied';
	const last = files.reduce((top, _, index) => applied(index) || matchOf.has(index) ? index : top, -1);
	const rows: AdoptionRow[] = files.map((file, index) => {
		const row = matchOf.get(index);
		const base = {file: file.name, history: row?.shown ?? (index <= coveredThrough ? `(covered by ${coveringRow(matchOf, coveredThrough)})` : null), checksum: file.checksum};
		if (logged.has(file.name)) {
			return {...base, status: 'logged', detail: 'cutover_migrations has it already'};
		}

		if (row?.state === 'dirty') {
			problems.push({id: `dirty-${file.name}`, overridable: false, detail: `${history.tool} marks ${row.shown.replace(/ \(dirty\)$/, '')} dirty: it stopped half-way through ${file.name}; repair the schema and the history row by hand (or with ${history.tool}), then import again`});
			return {...base, status: 'dirty', detail: 'stopped half-way, the schema may hold part of it'};
		}

		if (row?.state === 'failed') {
			const repair = history.tool === 'prisma' ? `prisma migrate resolve --applied or --rolled-back ${file.name}` : 'flyway repair';
			problems.push({id: `failed-${file.name}`, overridable: false, detail: `${history.tool} records ${row.shown} as failed (${file.name}); repair it (${repair}) before importing`});
			return {...base, status: 'failed', detail: 'the history says it failed'};
		}

		if (applied(index)) {
			if (row?.checksum != null && file.flywayChecksum !== null && row.checksum !== file.flywayChecksum) {
				problems.push({id: `checksum-${file.name}`, overridable: false, detail: `${file.name} was changed after Flyway applied it: the history's checksum is ${row.checksum}, the file's is ${file.flywayChecksum}; put back the file that ran, or find out what differs`});
				return {...base, status: 'checksum-mismatch', detail: `history checksum ${row.checksum}, file ${file.flywayChecksum}`};
			}

			if (row?.sha256 != null && row.sha256 !== file.checksum) {
				problems.push({id: `checksum-${file.name}`, overridable: false, detail: `${file.name} was changed after ${history.tool} applied it: the history's sha256 is ${row.sha256.slice(0, 12)}…, the file's ${file.checksum.slice(0, 12)}…; put back the file that ran, or find out what differs`});
				return {...base, status: 'checksum-mismatch', detail: `history sha256 ${row.sha256.slice(0, 12)}, file ${file.checksum.slice(0, 12)}`};
			}

			const checked = row?.sha256 != null ? 'sha256 matches' : row?.checksum != null && file.flywayChecksum !== null ? `checksum ${row.checksum} matches` : '';
			return {...base, status: 'applied', detail: checked};
		}

		if (index < last) {
			problems.push({id: `gap-${file.name}`, overridable: false, detail: `${file.name} is not in the ${history.tool} history, yet later migrations are: it was skipped, or added out of order; apply it by hand and import again, or remove it from the folder`});
			return {...base, status: 'not-in-history', detail: 'a gap: later migrations are applied'};
		}

		return {...base, status: 'pending', detail: 'after the history, left for the next run'};
	});

	for (const row of orphans) {
		if (row.code === true && row.state === 'applied') {
			// Not cutover's to run or to map: Flyway ran it, and a file of the folder does not stand for it.
			rows.push({file: null, history: row.shown, status: 'code', detail: 'a Java migration Flyway ran: no file here stands for it, and cutover leaves it to Flyway', checksum: null});
			continue;
		}

		problems.push({
			id: `no-file-${row.key}`,
			overridable: false,
			detail: row.revision === true
				? `alembic_version names revision ${row.key}, and no migration in the folder names that revision, so cutover cannot tell which of them it covers (Alembic keeps only its head); if you know how far the schema is, run cutover baseline --to <migration>`
				: `the ${history.tool} history has ${row.shown}, which matches no migration in the folder (by version); restore its file, or use the folder that applied it`,
		});
		rows.push({file: null, history: row.shown, status: 'no-file', detail: 'no migration in the folder has this version', checksum: null});
	}

	if (history.rows.length === 0) {
		notes.push(`the ${history.tool} history holds no applied migration`);
	}

	return {rows, problems, notes};
}

function coveringRow(matchOf: ReadonlyMap<number, HistoryRow>, index: number): string {
	return matchOf.get(index)?.shown ?? 'the history';
}

/**
 * The evidence of a baseline to `to`, per migration up to it: what each creates, marked when a
 * later migration of the range (up to `to`) drops or renames it.
 */
export function baselineEvidence(files: readonly AdoptFile[], to: string): EvidenceObject[][] {
	const end = files.findIndex(file => file.name === to);
	return followObjects(files.slice(0, end + 1).map(file => ({
		name: file.name,
		changes: file.changes ?? file.objects.map(o => ({change: 'create' as const, ...o, key: objectKey(o)})),
	})));
}

/**
 * A baseline to `to`: every migration up to it is marked applied, with the evidence of the
 * objects its SQL creates (`present`: the names the database has). A missing object is a
 * problem the operator may override only with an explicit flag; one that names nothing is taken on the operator's word.
 * An object a later migration of the range drops (or renames) is shown so, and not required.
 */
export function mapBaseline(files: readonly AdoptFile[], to: string, present: ReadonlySet<string>, logged: ReadonlySet<string>): Mapping {
	const end = files.findIndex(file => file.name === to);
	const evidence = baselineEvidence(files, to);
	const notes: string[] = [];
	const missing: string[] = [];
	const rows: AdoptionRow[] = files.map((file, index) => {
		const base = {file: file.name, history: null, checksum: file.checksum};
		if (logged.has(file.name)) {
			return {...base, status: 'logged', detail: 'cutover_migrations has it already'};
		}

		if (index > end) {
			return {...base, status: 'pending', detail: 'after the baseline, left for the next run'};
		}

		const objects = (evidence[index] ?? []).map(o => ({kind: o.kind, name: o.name, present: present.has(objectKey(o)), ...(o.droppedBy === undefined ? {} : {droppedBy: o.droppedBy}), ...(o.renamedTo === undefined ? {} : {renamedTo: o.renamedTo})}));
		const required = objects.filter(o => o.droppedBy === undefined);
		const absent = required.filter(o => !o.present);
		const dropped = objects.length - required.length;
		if (objects.length === 0) {
			notes.push(`${file.name} creates no table or index cutover can read from it: it is marked applied on your word`);
		}

		if (absent.length > 0) {
			missing.push(`${file.name} (${absent.map(o => `${o.kind} ${o.name}`).join(', ')})`);
		}

		const later = dropped === 0 ? '' : `${required.length === 0 ? '' : ', '}${dropped} dropped later`;
		const detail = objects.length === 0 ? 'names no table or index' : `${required.length === 0 ? '' : `${required.length - absent.length} of ${required.length} objects present`}${later}`;
		return {...base, status: absent.length > 0 ? 'objects-missing' : 'applied', detail, objects};
	});
	const problems: AdoptionProblem[] = missing.length === 0 ? [] : [{
		id: 'baseline-evidence',
		overridable: true,
		detail: `objects these migrations create are missing from the database: ${missing.join('; ')}; it may not be at ${to} (pick an earlier --to), or they were dropped since; --force marks them applied anyway, on the record`,
	}];
	return {rows, problems, notes};
}

/** How presence is looked up: kind and the name as written. */
export const objectKey = (object: {kind: 'table' | 'index'; name: string}) => `${object.kind}:${object.name}`;
