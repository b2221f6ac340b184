import type {HistoryRead, HistoryRow} from '../../adopt/map-history.js';
import type {HistoryTool} from '../../engine/model.js';
import type {Row, Session} from './session.js';

const truthy = (value: unknown) => value === true || value === 1 || value === '1' || value === 't' || value === 'true';
const text = (value: unknown) => value === null || value === undefined ? null : String(value);

/** Each tool's history table, read as that tool means it (see HistoryRow). */
export async function readHistory(session: Session, tool: HistoryTool): Promise<HistoryRead> {
	switch (tool) {
		case 'golang-migrate': {
			// One row: the version the schema is at; dirty when the migration to it stopped half-way.
			const rows = await session.run('SELECT version, dirty FROM schema_migrations');
			const notes = rows.length > 1 ? [`schema_migrations holds ${rows.length} rows where golang-migrate keeps one`] : [];
			return {tool, notes, rows: rows.map(r => ({key: String(r['version']), shown: `version ${String(r['version'])}${truthy(r['dirty']) ? ' (dirty)' : ''}`, state: truthy(r['dirty']) ? 'dirty' : 'applied', checksum: null, upTo: true}))};
		}

		case 'dbmate': {
			const rows = await session.run('SELECT version FROM schema_migrations ORDER BY version');
			return {tool, notes: [], rows: rows.map(r => ({key: String(r['version']), shown: `version ${String(r['version'])}`, state: 'applied', checksum: null, upTo: false}))};
		}

		case 'goose': {
			return readGoose(session);
		}

		case 'flyway': {
			return readFlyway(session);
		}

		case 'maragu': {
			// One row: the version string the schema is at ('' when nothing is applied); every file up to it, in string order, ran.
			const rows = await session.run('SELECT version FROM migrations');
			const notes = rows.length > 1 ? [`migrations holds ${rows.length} rows where maragu.dev/migrate keeps one`] : [];
			const applied = rows.filter(r => String(r['version'] ?? '') !== '');
			if (applied.length < rows.length) {
				notes.push('migrations holds the empty version: maragu.dev/migrate applied nothing yet');
			}

			return {tool, notes, rows: applied.map(r => ({key: String(r['version']), shown: `version ${String(r['version'])}`, state: 'applied', checksum: null, upTo: true, exact: true}))};
		}

		case 'prisma': {
			return readPrisma(session);
		}

		case 'alembic': {
			const rows = await session.run('SELECT version_num FROM alembic_version');
			const notes = rows.length > 1 ? [`alembic_version has ${rows.length} heads (branches); each is mapped on its own`] : [];
			return {tool, notes, rows: rows.map(r => ({key: String(r['version_num']), shown: `head ${String(r['version_num'])}`, state: 'applied', checksum: null, upTo: true, revision: true}))};
		}
	}
}

/** goose appends a row per up and per down: the latest row of a version_id decides; version 0 is goose's own starting row. */
async function readGoose(session: Session): Promise<HistoryRead> {
	const rows = await session.run('SELECT id, version_id, is_applied FROM goose_db_version ORDER BY id');
	const latest = new Map<string, Row>();
	for (const row of rows) {
		latest.set(String(row['version_id']), row);
	}

	latest.delete('0');
	const notes: string[] = [];
	const applied: HistoryRow[] = [];
	for (const [version, row] of latest) {
		if (truthy(row['is_applied'])) {
			applied.push({key: version, shown: `version ${version} (row ${String(row['id'])})`, state: 'applied', checksum: null, upTo: false});
		} else {
			notes.push(`goose rolled version ${version} back (row ${String(row['id'])}, is_applied false): it counts as not applied`);
		}
	}

	return {tool: 'goose', rows: applied, notes};
}

/**
 * Flyway: a row per migration in installed_rank order. A failed row (success false) is a
 * problem; a baseline row covers everything up to its version; an undo or delete row takes its
 * version back out; repeatable migrations (no version) are not cutover's to map.
 */
async function readFlyway(session: Session): Promise<HistoryRead> {
	const rows = await session.run('SELECT installed_rank, version, description, type, script, checksum, success FROM flyway_schema_history ORDER BY installed_rank');
	const byVersion = new Map<string, HistoryRow>();
	const notes: string[] = [];
	for (const row of rows) {
		const version = text(row['version']);
		const type = String(row['type'] ?? '');
		const rank = String(row['installed_rank']);
		if (version === null) {
			if (type !== 'SCHEMA') {
				notes.push(`repeatable migration ${String(row['script'])} (rank ${rank}) has no version: not mapped`);
			}

			continue;
		}

		if (type.startsWith('UNDO') || type === 'DELETE') {
			byVersion.delete(version);
			notes.push(`rank ${rank} (${type}) took version ${version} back out`);
			continue;
		}

		const checksum = row['checksum'] === null || row['checksum'] === undefined ? null : Number(row['checksum']);
		byVersion.set(version, {
			key: version,
			shown: `V${version} ${String(row['script'] ?? row['description'] ?? '')} (rank ${rank}${type === 'BASELINE' ? ', baseline' : ''})`.replace(' (', ' (').trim(),
			state: truthy(row['success']) ? 'applied' : 'failed',
			checksum: type === 'SQL' ? checksum : null,
			upTo: type === 'BASELINE',
			// A Java migration (JDBC, SPRING_JDBC): code Flyway runs, kept beside the application, never a file of this folder.
			...(type.endsWith('JDBC') ? {code: true} : {}),
		});
	}

	return {tool: 'flyway', rows: [...byVersion.values()], notes};
}

/**
 * Prisma: a row per attempt, named by the migration's folder. Finished and not rolled back is
 * applied (its checksum, the sha256 of migration.sql, compared with the file's); neither finished
 * nor rolled back is a migration that failed part way (prisma migrate resolve settles it); a row
 * marked rolled back counts as not applied. The latest row of a name decides.
 */
async function readPrisma(session: Session): Promise<HistoryRead> {
	const rows = await session.run('SELECT migration_name, checksum, finished_at, rolled_back_at, started_at FROM _prisma_migrations ORDER BY started_at');
	const latest = new Map<string, Row>();
	for (const row of rows) {
		latest.set(String(row['migration_name']), row);
	}

	const notes: string[] = [];
	const read: HistoryRow[] = [];
	for (const [name, row] of latest) {
		if (row['rolled_back_at'] !== null && row['rolled_back_at'] !== undefined) {
			notes.push(`${name} is marked rolled back in _prisma_migrations: it counts as not applied`);
			continue;
		}

		const finished = row['finished_at'] !== null && row['finished_at'] !== undefined;
		read.push({key: name, shown: finished ? name : `${name} (not finished)`, state: finished ? 'applied' : 'failed', checksum: null, sha256: text(row['checksum']), upTo: false, exact: true});
	}

	return {tool: 'prisma', rows: read, notes};
}
