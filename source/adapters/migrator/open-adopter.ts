import {flywayChecksum} from '../../adopt/flyway-checksum.js';
import type {AdoptFile} from '../../adopt/map-history.js';
import {objectKey} from '../../adopt/map-history.js';
import type {Adopter} from '../../ports/adopter.js';
import {createdObjects} from '../../sql/created-objects.js';
import type {Target} from '../../target.js';
import {readHistory} from './history-readers.js';
import {historyTools, objectExists, readLiveSchema} from './live-schema.js';
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
			return Promise.all((await readMigrations(directory, target.engine, format === null ? {} : {format})).map(async (source): Promise<AdoptFile> => ({
				name: source.name,
				checksum: source.checksum,
				flywayChecksum: source.up.kind === 'sql' ? flywayChecksum(source.up.text) : null,
				objects: source.up.kind === 'sql' ? (await Promise.all(source.up.statements.map(async statement => createdObjects(statement, target.engine)))).flat() : [],
				...(source.up.kind === 'external' ? {external: true} : {}),
			})));
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
			const found = new Set<string>();
			for (const object of objects) {
				// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
				if (await objectExists(session, object)) {
					found.add(objectKey(object));
				}
			}

			return found;
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
