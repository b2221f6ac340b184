import path from 'node:path';
import {createInterface} from 'node:readline/promises';
import {openDatabase, openTargetAdopter} from '../adapters/open-target.js';
import {openSettings} from '../adapters/settings.js';
import {systemClock} from '../adapters/system-clock.js';
import {formatAdoptionTable} from '../adopt/format-table.js';
import type {AdoptionAction, RunOutcome} from '../engine/events.js';
import type {HistoryTool} from '../engine/model.js';
import {CutoverError, UsageError} from '../errors/index.js';
import {toolVersion} from '../package-root.js';
import {rowsToWrite, typedNameReason} from '../engine/gates.js';
import {runAdoption} from '../run/adopt-flow.js';
import {createSession, type Session} from '../run/session.js';
import {attachSealer} from '../signing/sealer.js';
import {ensureSigningKey, signerOf} from '../signing/signing-key.js';
import {parseTarget} from '../target.js';
import {takeChainPlace} from '../verify/previous-record.js';
import {resolveMigrations} from './defaults.js';
import {guessDatabaseName, newRunIdentity, openJournal, takeRunLock} from './open-run.js';
import {parseCommand} from './parse.js';
import {plainCommand} from './plain-command.js';
import {formatPlainLine} from './plain-output.js';
import {parseFormat} from './run-flags.js';

/** The question being asked at a terminal, so a terminate can end it. */
let asking: AbortController | null = null;

const tools: readonly HistoryTool[] = ['golang-migrate', 'goose', 'dbmate', 'flyway', 'alembic', 'maragu', 'prisma'];

export const adoptFlags = {
	db: {type: 'string'},
	migrations: {type: 'string'},
	records: {type: 'string'},
	yes: {type: 'boolean', default: false},
	'confirm-db': {type: 'string'},
	unsigned: {type: 'boolean', default: false},
	from: {type: 'string'},
	format: {type: 'string'},
	to: {type: 'string'},
	force: {type: 'boolean', default: false},
	// Accepted so the window's suggested command and plainCommand's output both run as given.
	plain: {type: 'boolean', default: false},
} as const;

/**
 * `cutover import` and `cutover baseline`: plain text, one line per event as a --plain run
 * prints them, the mapping as a table, then the database name asked at a prompt (or given
 * with --yes --confirm-db). Holds the run lock and leaves a signed record like a run.
 */
export async function adoptCommand(action: AdoptionAction, args: string[]): Promise<number> {
	const {values} = parseCommand(args, adoptFlags, action);
	if (values.db === undefined) {
		throw new UsageError('--db is required', {hint: 'pass --db postgres://user@host/dbname or --db sqlite:path/to/file.db'});
	}

	if (action === 'import' && values.to !== undefined) {
		throw new UsageError('--to is for cutover baseline', {hint: 'an import writes what the history says; to mark migrations applied up to one, use cutover baseline --to <migration>'});
	}

	if (action === 'baseline' && values.to === undefined) {
		throw new UsageError('--to <migration> is required', {hint: 'name the last migration the schema already has, as cutover status lists it'});
	}

	if (values.from !== undefined && !tools.includes(values.from as HistoryTool)) {
		throw new UsageError(`--from ${values.from} is not a tool cutover reads`, {hint: `one of ${tools.join(', ')}`});
	}

	if (action === 'import' && values.force) {
		throw new UsageError('--force is for cutover baseline', {hint: 'a mismatch between a history and the folder is fixed at its source, then imported'});
	}

	const format = parseFormat(values.format);
	const target = parseTarget(values.db);
	const migrationsDir = resolveMigrations(values.migrations);
	const settings = openSettings().read();
	const recordsDir = values.records === undefined ? settings.recordsDir : path.resolve(values.records);
	const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
	if (!values.yes && !interactive) {
		throw new CutoverError(`cutover ${action} asks for the database name, and this is not a terminal`, {
			hint: `run it with the name given: ${plainCommand(action, args, guessDatabaseName(target), process.env['CUTOVER_CONFIG_DIR']).replace(' --plain --yes', ' --yes')}`,
		});
	}

	const signing = values.unsigned ? null : ensureSigningKey(settings.signingKey);
	if (signing?.created) {
		process.stderr.write(`cutover: made a signing key at ${settings.signingKey} (Ed25519, mode 0600), key id ${signing.key.keyId}; records are signed with it (cutover key export gives its public key)\n`);
	}

	const identity = newRunIdentity({...settings, recordsDir}, guessDatabaseName(target), systemClock.now());
	const runLock = await takeRunLock(target, identity, systemClock.now());
	try {
		const database = await openDatabase(target);
		try {
			const adopter = await openTargetAdopter(target, migrationsDir, format);
			try {
				const place = await takeChainPlace(recordsDir);
				let journal;
				try {
					journal = openJournal(identity, target);
				} catch (error) {
					place.release();
					throw error;
				}

				const session = createSession(journal, systemClock);
				const placed = session.subscribe(() => {
					placed();
					place.release();
				});
				const sealer = attachSealer(session, {journalPath: journal.path, key: signing?.key ?? null});
				const print = session.subscribe((state, entry) => {
					process.stdout.write(`${formatPlainLine(entry)}\n`);
					if (entry.event.type === 'adoption.planned') {
						process.stdout.write(`${formatAdoptionTable(entry.event.rows, process.stdout.columns || 100).join('\n')}\n`);
					}
				});
				// A terminate or hang-up stops before the write, on the record; once writing, the one transaction finishes first.
				let stopReason: string | null = null;
				const signals = ['SIGTERM', 'SIGHUP'] as const;
				const onSignal = (signal: NodeJS.Signals) => {
					stopReason ??= `received ${signal}`;
					asking?.abort();
				};

				for (const signal of signals) {
					process.on(signal, onSignal);
				}

				let outcome: RunOutcome;
				try {
					outcome = await runAdoption({
						session,
						database,
						adopter,
						clock: systemClock,
						appliedBy: `${identity.operator.name} (${identity.operator.osUser}@${identity.host}) via cutover ${action}`,
						confirmName: async s => {
							if (values.yes) {
								return {typed: values['confirm-db'] ?? ''};
							}

							asking = new AbortController();
							return askName(s, action, asking);
						},
						stopRequested: () => stopReason,
						onConfirmed: async () => runLock.windowConfirmed(),
					}, {
						start: {
							runId: identity.runId,
							toolVersion,
							operator: identity.operator,
							host: identity.host,
							target: target.display,
							// An adoption has no runbook: the record says which command made it instead.
							checklist: {name: 'none', path: `cutover ${action}`, sha256: ''},
							migrationsDir,
							to: values.to ?? null,
							mode: 'plain',
							previousRecord: place.previousRecord,
							signer: signing === null ? null : signerOf(signing.key),
							adoption: action,
						},
						action,
						from: (values.from as HistoryTool | undefined) ?? null,
						to: values.to ?? null,
						force: values.force,
					});
				} finally {
					for (const signal of signals) {
						process.off(signal, onSignal);
					}

					print();
					placed();
					place.release();
					sealer.detach();
					journal.close();
				}

				if (session.fault !== null) {
					throw session.fault;
				}

				process.stdout.write(`outcome: ${outcome}\nchange record: ${journal.path}\n`);
				return outcome === 'adopted' ? 0 : 1;
			} finally {
				await adopter.close();
			}
		} finally {
			await database.close();
		}
	} finally {
		await runLock.release();
	}
}

/** The typed-name gate at a terminal: the operator types the database's name, as in the window; a wrong one is said and asked again. */
async function askName(session: Session, action: AdoptionAction, cancel: AbortController): Promise<{typed: string} | {stopped: string}> {
	const database = session.state.fingerprint?.database ?? '?';
	const count = rowsToWrite(session.state).length;
	const rl = createInterface({input: process.stdin, output: process.stdout});
	// Ctrl-C at the question stops here, on the record, instead of killing the process mid-record.
	rl.on('SIGINT', () => {
		cancel.abort();
	});
	try {
		for (;;) {
			let typed: string;
			try {
				// eslint-disable-next-line no-await-in-loop -- one question at a time
				typed = (await rl.question(`Type the database name (${database}) to write ${count} row${count === 1 ? '' : 's'} into cutover_migrations (${action}, nothing runs), or press Enter to stop: `, {signal: cancel.signal})).trim();
			} catch (error) {
				if (cancel.signal.aborted) {
					process.stdout.write('\n');
					return {stopped: `the question at the ${action} gate was cut short (Ctrl-C, or a terminate)`};
				}

				throw error;
			}

			if (typed === '') {
				return {stopped: `the operator stopped at the ${action} gate`};
			}

			const reason = typedNameReason(database, typed);
			if (reason === null) {
				return {typed};
			}

			process.stdout.write(`! ${reason}\n`);
		}
	} finally {
		rl.close();
	}
}
