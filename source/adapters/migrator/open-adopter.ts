import {flywayChecksum} from '../../adopt/flyway-checksum.js';
import type {AdoptFile} from '../../adopt/map-history.js';
import type {Adopter} from '../../ports/adopter.js';
import {schemaChanges} from '../../sql/created-objects.js';
import type {Target} from '../../target.js';
import {readHistory} from './history-readers.js';
import {historyTools, objectsPresent, readLiveSchema} from './live-schema.js';
import type {FormatName} from './formats/types.js';
import {readMigrations} from './migration-files.js';
import {createLogTable, insertLogRow, logTableExists, readLog} from './migration-log.js';

/** One connection to the target for adopting it; reads the folder when asked. */
export async function openAdopter(target: Target, directory: string, format: FormatName | null = null): Promise<Adopter> {
	const session = target.engine === 'postgres'
		? await (await import('./postgres-session.js')).openPostgresSession(target)
		: await (await import('./sqlite-session.js')).openSqliteSession(target.path);
	return {
		async files() {
			return Promise.all((await readMigrations(directory, target.engine, format === null ? {} : {format})).map(async (source): Promise<AdoptFile> => {
				const changes = source.up.kind === 'sql' ? (await Promise.all(source.up.statements.map(async statement => schemaChanges(statement, target.engine)))).flat() : [];
				return {
					name: source.name,
					checksum: source.checksum,
					flywayChecksum: source.up.kind === 'sql' ? flywayChecksum(source.up.text) : null,
					objects: changes.flatMap(c => c.change === 'create' ? [{kind: c.kind, name: c.name}] : []),
					changes,
					...(source.up.kind === 'external' ? {external: true} : {}),
				};
			}));
		},
		async logged() {
			return (await readLog(session)).map(row => row.name);
		},
		async liveSchema() {
			return await logTableExists(session) ? null : readLiveSchema(session);
		},
		async histories() {
			return historyTools(session);
		},
		async readHistory(tool) {
			return readHistory(session, tool);
		},
		async present(objects) {
			return objectsPresent(session, objects);
		},
		async write(rows, by) {
			await session.transaction(async () => {
				await createLogTable(session);
				for (const row of rows) {
					// eslint-disable-next-line no-await-in-loop -- one transaction, one statement at a time
					await insertLogRow(session, {name: row.name, checksum: row.checksum, appliedAt: by.appliedAt, appliedBy: by.appliedBy, runId: by.runId});
				}
			}, {lockTimeoutMs: 5000});
		},
		async close() {
			await session.close();
		},
	};
}
