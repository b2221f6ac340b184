import {baselineEvidence, mapBaseline, mapHistory, type Mapping} from '../adopt/map-history.js';
import type {AdoptionAction, EventOf, RunOutcome} from '../engine/events.js';
import {adoptionGate, rowsToWrite, unresolvedAdoptionProblems} from '../engine/gates.js';
import type {HistoryTool} from '../engine/model.js';
import type {Adopter} from '../ports/adopter.js';
import type {Clock} from '../ports/clock.js';
import type {Database} from '../ports/database.js';
import type {Session} from './session.js';

export type AdoptOptions = {
	start: Omit<EventOf<'run.started'>, 'type'>;
	action: AdoptionAction;
	/** import: the tool whose history to read; null: the one history table found. */
	from: HistoryTool | null;
	/** baseline: the last migration to mark applied. */
	to: string | null;
	/** baseline: mark migrations whose objects are missing applied anyway (recorded as an override). */
	force: boolean;
};

export type AdoptDeps = {
	session: Session;
	database: Pick<Database, 'fingerprint'>;
	adopter: Adopter;
	clock: Clock;
	/** The name the operator typed at the gate, or null when they stopped there (the reason is journaled). */
	confirmName(session: Session): Promise<{typed: string} | {stopped: string}>;
	/** Called once the name is confirmed, before anything is written (the run lock describes its holder). */
	onConfirmed(): Promise<void>;
	appliedBy: string;
	/** Why the command must stop (a terminate or hang-up), once it must; checked before each step that leads to the write. */
	stopRequested?: () => string | null;
};

/**
 * `cutover import` and `cutover baseline` as one record: the mapping of the folder's
 * migrations to what the database already has, shown before anything is written; a gate of
 * its own (no unresolved mismatch, the database's name typed); then the rows, in one
 * transaction, and run.finished. Nothing runs a migration.
 */
export async function runAdoption(deps: AdoptDeps, options: AdoptOptions): Promise<RunOutcome> {
	const {session} = deps;
	// The version is the last migration of the folder cutover's log holds: before, and after what was written.
	let logged: string[] = [];
	let order: string[] = [];
	const lastOf = (names: ReadonlySet<string>) => order.filter(name => names.has(name)).at(-1) ?? [...names].at(-1) ?? null;
	const finish = (outcome: RunOutcome, written: readonly string[] = []): RunOutcome => {
		const before = lastOf(new Set(logged));
		session.emit({type: 'run.finished', outcome, versionBefore: before, versionAfter: written.length === 0 ? before : lastOf(new Set([...logged, ...written]))});
		return outcome;
	};

	const fail = (message: string): RunOutcome => {
		session.emit({type: 'error', step: 'window', message});
		return finish('failed');
	};

	session.emit({type: 'run.started', ...options.start});
	let mapping: Mapping;
	let tool: HistoryTool | null = null;
	try {
		session.emit({type: 'target.fingerprinted', fingerprint: await deps.database.fingerprint()});
		logged = await deps.adopter.logged();
		const files = await deps.adopter.files();
		order = files.map(file => file.name);
		if (options.action === 'import') {
			// Rows cutover has already stay as they are (logged); what the other tool applied since
			// (a goose Go migration handed to goose) is imported after them, shown first like any mapping.
			const found = await deps.adopter.histories();
			tool = options.from ?? (found.length === 1 ? found[0]! : null);
			if (tool === null) {
				return fail(found.length === 0
					? 'no history table of golang-migrate, goose, dbmate, Flyway or Alembic is in this database, nothing was imported; if its schema is at a known migration, cutover baseline --to <migration> marks it so'
					: `history tables of several tools are here (${found.join(', ')}), nothing was imported; pick one with --from`);
			}

			if (!found.includes(tool)) {
				return fail(`there is no ${tool} history table in this database${found.length > 0 ? ` (there is one of ${found.join(', ')}: --from ${found[0]!})` : ''}, nothing was imported`);
			}

			mapping = mapHistory(files, await deps.adopter.readHistory(tool), new Set(logged));
			if (logged.length > 0) {
				// cutover's log is the word on what cutover ran. Beside it, import takes only what cutover
				// cannot run itself (a goose Go migration goose ran): any other row the tool's history
				// holds and the log does not is a revert the tool never saw, or a version row covering
				// a file added in the middle, and writing it would mark unrun SQL applied.
				const external = new Set(files.filter(file => file.external === true).map(file => file.name));
				const handed = mapping.rows.filter(row => row.status === 'applied' && row.file !== null && external.has(row.file));
				if (handed.length === 0) {
					return fail(`cutover_migrations already holds ${logged.length} row${logged.length === 1 ? '' : 's'} (${logged.slice(-3).join(', ')}): cutover keeps this database's history already, nothing was imported; beside it, import records only goose Go migrations that goose ran, and the ${tool} history has none; cutover status shows the history`);
				}

				mapping = {...mapping, problems: [...mapping.problems, ...mapping.rows.filter(row => row.status === 'applied' && row.file !== null && !external.has(row.file)).map(row => ({
					id: `logged-${row.file!}`,
					overridable: false,
					detail: `${row.file!} is applied by the ${tool} history but not by cutover_migrations, which already holds this database's history: cutover did not run it, or reverted it since; import records only goose Go migrations beside cutover's rows (if its schema is there, cutover baseline --to ${row.file!} marks it)`,
				}))]};
			}
		} else {
			const to = options.to ?? '';
			if (!files.some(file => file.name === to)) {
				return fail(`there is no migration ${to} in ${options.start.migrationsDir}, nothing was written; --to takes a migration's name as cutover status lists it`);
			}

			// The new names renames give are looked up too; what is dropped later is, to show it as it is.
			const present = await deps.adopter.present(baselineEvidence(files, to).flat());
			mapping = mapBaseline(files, to, present, new Set(logged));
		}
	} catch (error) {
		return fail(`the database or the migrations folder could not be read, nothing was written: ${messageOf(error)}`);
	}

	const stopped = (): RunOutcome | null => {
		const reason = deps.stopRequested?.() ?? null;
		if (reason === null) {
			return null;
		}

		session.emit({type: 'error', step: 'window', message: `${reason}; nothing was written`});
		return finish('abandoned');
	};

	session.emit({type: 'adoption.planned', action: options.action, tool, to: options.to, ...mapping});
	if (options.force) {
		for (const problem of mapping.problems.filter(p => p.overridable)) {
			session.emit({type: 'operator.override', checkId: problem.id, reason: `--force: marked applied without the evidence (${problem.detail})`});
		}
	}

	const unresolved = unresolvedAdoptionProblems(session.state);
	if (unresolved.length > 0) {
		return fail(`nothing was written: ${unresolved.map(p => p.detail).join('; ')}`);
	}

	if (rowsToWrite(session.state).length === 0) {
		return fail('nothing to write: no migration of the folder is applied by this mapping (see the table)');
	}

	const answer = await deps.confirmName(session);
	const stop = stopped();
	if (stop !== null) {
		return stop;
	}

	if ('stopped' in answer) {
		session.emit({type: 'operator.abandoned', reason: answer.stopped});
		return finish('abandoned');
	}

	session.emit({type: 'operator.adoption-confirmed', typedName: answer.typed});
	const gate = adoptionGate(session.state, answer.typed);
	if (!gate.open) {
		session.emit({type: 'operator.abandoned', reason: `nothing was written: ${gate.reasons.join('; ')}`});
		return finish('abandoned');
	}

	const rows = rowsToWrite(session.state);
	try {
		await deps.onConfirmed();
		await deps.adopter.write(rows.map(r => ({name: r.file!, checksum: r.checksum!})), {
			appliedBy: deps.appliedBy,
			runId: options.start.runId,
			appliedAt: new Date(deps.clock.now()).toISOString(),
		});
	} catch (error) {
		return fail(`writing cutover_migrations failed and was rolled back, nothing was written: ${messageOf(error)}`);
	}

	session.emit({type: 'adoption.written', names: rows.map(r => r.file!)});
	return finish('adopted', rows.map(r => r.file!));
}

const messageOf = (error: unknown) => error instanceof Error ? error.message : String(error);
