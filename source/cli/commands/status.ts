import {openDatabase, openTargetAdopter, openTargetMigrator} from '../../adapters/open-target.js';
import {redactUrl} from '../../adapters/postgres/conninfo-url.js';
import {objectKey} from '../../adopt/map-history.js';
import {describeLiveSchema} from '../../journal/describe-event.js';
import {adoptCommands} from '../../run/adopt-commands.js';
import {createRunLock} from '../../adapters/run-lock/index.js';
import {CutoverError, describeHolder, UsageError} from '../../errors/index.js';
import {describeEvent} from '../../journal/describe-event.js';
import {parseTarget} from '../../target.js';
import {resolveMigrations} from '../defaults.js';
import {parseCommand} from '../parse.js';
import {parseFormat} from '../run-flags.js';
import type {Adopter} from '../../ports/adopter.js';
import {describeFolder, describeSkipped} from '../../engine/folder-note.js';

/**
 * Pending migrations whose CREATE TABLE targets all exist already: applied by another tool, or by hand.
 * The adopter is opened with the other connections, so its connection overlaps theirs rather than
 * following the plan; the caller closes it with the others.
 */
async function pendingThatLookApplied(opening: Promise<Adopter>, planned: Promise<{pending: ReadonlyArray<{name: string}>}>): Promise<Array<{name: string; tables: string[]}>> {
	const plan = await planned;
	// Nothing pending: the adopter is not needed, and an adopter that could not connect (a connection limit) fails nothing.
	if (plan.pending.length === 0) {
		return [];
	}

	const adopter = await opening;

	const waiting = new Set(plan.pending.map(m => m.name));
	const files = (await adopter.files()).filter(file => waiting.has(file.name));
	const tables = files.flatMap(file => file.objects.filter(o => o.kind === 'table'));
	const present = await adopter.present(tables);
	return files
		.map(file => ({name: file.name, tables: file.objects.filter(o => o.kind === 'table').map(o => o.name)}))
		.filter(m => m.tables.length > 0 && m.tables.every(name => present.has(objectKey({kind: 'table', name}))));
}

export async function statusCommand(args: string[]): Promise<number> {
	const {values} = parseCommand(args, {db: {type: 'string'}, migrations: {type: 'string'}, format: {type: 'string'}, json: {type: 'boolean', default: false}}, 'status');
	try {
		return await status(values);
	} catch (error) {
		// A script reading --json gets an answer it can parse when status could not look, too (the message still goes to stderr).
		if (values.json) {
			const hint = error instanceof CutoverError ? error.hint : null;
			process.stdout.write(`${JSON.stringify({status: 'could-not-read', exitCode: error instanceof UsageError ? 2 : 1, error: error instanceof Error ? error.message : String(error), hint})}\n`);
		}

		throw error;
	}
}

async function status(values: {db?: string | undefined; migrations?: string | undefined; format?: string | undefined; json: boolean}): Promise<number> {
	if (values.db === undefined) {
		throw new UsageError('--db is required', {hint: 'pass --db postgres://user@host/dbname or --db sqlite:path/to/file.db'});
	}

	const target = parseTarget(values.db);
	const migrationsDir = resolveMigrations(values.migrations);
	const format = parseFormat(values.format);
	// The connections open side by side, and the looks at the target overlap: each waits on the
	// server, the folder's reading and splitting on the CPU. Whatever fails, the first failure in
	// the order the output goes is the one reported, after every look has ended.
	// The adopter (the "looks applied" warning) opens with them: most of its cost is its connection.
	const adopting = openTargetAdopter(target, migrationsDir, format);
	// The run lock's look opens a connection of its own: begun now, its connect overlaps the others'.
	const inspecting = createRunLock(target).inspect();
	inspecting.catch(() => {});
	const adopters: Array<Promise<Adopter>> = [adopting];
	// Its failure is reported in the output's order, once the looks are settled (or not at all when an earlier open fails).
	adopting.catch(() => {});
	let database: Awaited<ReturnType<typeof openDatabase>>;
	let migrator: Awaited<ReturnType<typeof openTargetMigrator>>;
	try {
		[database, migrator] = await settled([openDatabase(target), openTargetMigrator(target, migrationsDir, undefined, format)], async opened => opened.close());
	} catch (error) {
		await Promise.all([adopting.then(async adopter => adopter.close(), () => {}).catch(() => {}), inspecting.catch(() => {})]);
		throw error;
	}

	try {
		const planned = migrator.plan();
		const [fingerprint, plan, runLock, looksApplied] = await settled([
			database.fingerprint(),
			planned,
			inspecting,
			pendingThatLookApplied(adopting, planned),
		]);
		const adoption = plan.adoption === undefined ? undefined : {...plan.adoption, commands: adoptCommands(plan.adoption, {db: redactUrl(values.db), migrations: values.migrations ?? migrationsDir})};
		if (values.json) {
			process.stdout.write(`${JSON.stringify({target: target.display, migrationsDir, fingerprint, runLock, ...plan, adoption, looksApplied}, null, 2)}\n`);
		} else {
			process.stdout.write(`${describeEvent({type: 'target.fingerprinted', fingerprint})}\n`);
			const folder = describeFolder(plan);
			const skipped = describeSkipped(plan, target.engine);
			process.stdout.write(`migrations from ${migrationsDir}${folder === null ? '' : ` · ${folder}`}\n`);
			if (skipped !== null) {
				process.stdout.write(`${skipped}\n`);
			}

			process.stdout.write(`run lock: ${runLock === null ? 'free, no run is going on' : `held by ${describeHolder(runLock)}`}\n`);
			for (const m of plan.applied) {
				process.stdout.write(`applied  ${m.name}  ${m.checksum.slice(0, 12)}  ${m.appliedAt} by ${m.appliedBy}${m.reversible ? '' : '  irreversible'}${m.drift === 'none' ? '' : `  DRIFT: ${m.drift}`}\n`);
			}

			for (const m of plan.pending) {
				const code = m.runsWith === undefined ? '' : `  ${m.runsWith} Go: goose runs it, cutover stops before it`;
				const outside = m.noTransaction === undefined ? '' : '  no transaction (statement by statement)';
				process.stdout.write(`pending  ${m.name}  ${m.checksum.slice(0, 12)}${code === '' ? `${outside}${m.reversible ? '' : '  irreversible (no down)'}` : code}\n`);
			}

			if (plan.applied.length + plan.pending.length === 0) {
				process.stdout.write('no migrations applied or pending\n');
			}

			for (const m of looksApplied) {
				process.stdout.write(`WARNING  pending ${m.name} looks applied already: ${m.tables.length === 1 ? 'the table it creates exists' : 'the tables it creates exist'} (${m.tables.join(', ')}); running it would fail or apply it twice\n`);
			}

			if (adoption) {
				process.stdout.write(`WARNING  no cutover history: ${describeLiveSchema(adoption)}\n`);
			}
		}
	} finally {
		// Side by side: each close waits for its server process to end. A failure to close is
		// reported after all have closed, the migrator's first (an adopter that did not open has said so already).
		const closed = await Promise.allSettled([migrator.close(), database.close(), ...adopters.map(async opening => opening.then(async adopter => adopter.close(), () => {}))]);
		const failed = closed.find(result => result.status === 'rejected');
		if (failed !== undefined) {
			// eslint-disable-next-line no-unsafe-finally -- the close failing is the command failing, as before
			throw failed.reason;
		}
	}

	return 0;
}

/**
 * Every promise's value, once all have settled; else the first failure in their order. `release`
 * closes what did open when another failed (its own failure does not hide that one).
 */
async function settled<T extends readonly unknown[]>(promises: {[K in keyof T]: Promise<T[K]>}, release?: (value: T[number]) => Promise<void>): Promise<T> {
	const results = await Promise.allSettled(promises);
	const failed = results.find(result => result.status === 'rejected');
	if (failed === undefined) {
		return results.map(result => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
	}

	if (release !== undefined) {
		await Promise.all(results.map(async result => result.status === 'fulfilled' ? release(result.value as T[number]).catch(() => undefined) : undefined));
	}

	throw failed.reason;
}
