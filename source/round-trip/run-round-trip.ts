import {diffCatalogs, type Catalog, type CatalogDifference} from '../engine/catalog.js';
import {allDifferences, comparedStep, failedStep, notRun, passedStep, type MigrationRoundTrip, type RoundTripCheck} from '../engine/round-trip.js';
import {CutoverError} from '../errors/index.js';
import type {MigrationContext, Migrator} from '../ports/migrator.js';

export type RoundTripDeps = {
	/** Opened on the copy, never on the source. */
	migrator: Migrator;
	readCatalog: () => Promise<Catalog>;
	/** The runbook's checks on the copy, given the migration it is brought to: pre before the first up (what post checks compare with), post after the last. Null without a runbook. */
	checks: {pre(targetMigration: string): Promise<void>; post(targetMigration: string): Promise<RoundTripCheck[]>} | null;
	context: Pick<MigrationContext, 'runId' | 'appliedBy'>;
	/** Fired by Ctrl-C or SIGTERM: the round trip stops before its next step. */
	signal?: AbortSignal;
	/** One line per step, as it starts, for a progress line on stderr. */
	onStep?: (line: string) => void;
};


export type RoundTripRun = {
	appliedBefore: number;
	migrations: MigrationRoundTrip[];
	checks: RoundTripCheck[];
	notes: string[];
};

/**
 * upgrade → verify → downgrade → verify → re-upgrade, on the copy: every pending migration up
 * (the catalog read before each and after the last), the post checks, then each down in
 * reverse order compared with the catalog before its up, then each reverted migration up again
 * compared with the catalog after its first up. A failed up stops the ups; a failed down, or a
 * migration without one, stops the downs (what is below it stays applied); the re-up applies
 * what was reverted. Outcomes are data: only a bad start (a schema without cutover's log) throws.
 */
export async function runRoundTrip(deps: RoundTripDeps): Promise<RoundTripRun> {
	const {migrator} = deps;
	const plan = await migrator.plan();
	if (plan.adoption !== undefined) {
		throw new CutoverError('the source has tables but no cutover_migrations: cutover does not know which migrations it is at, and would apply the first on top of them', {
			hint: 'adopt it first (cutover import, or cutover baseline --to <migration>), or test the folder from nothing with --empty',
		});
	}

	const notes: string[] = [];
	const drifted = plan.applied.filter(m => m.drift !== 'none').map(m => `${m.name} (${m.drift === 'missing' ? 'no file' : 'file changed'})`);
	if (drifted.length > 0) {
		notes.push(`applied migrations that differ from the folder are not tested: ${drifted.join(', ')}`);
	}

	// The history table of the folder's tool that cutover keeps in step (see the migrator's
	// tool-history): made or moved by cutover, not by a migration, and left in place by the last down.
	const kept = plan.history?.kept === true ? [plan.history.table] : [];
	if (kept.length > 0) {
		notes.push(`${kept.join(', ')}, the ${plan.format ?? ''} history cutover keeps in step, is left out of the comparison`);
	}

	const read = async (): Promise<Catalog> => {
		const catalog = await deps.readCatalog();
		return {objects: catalog.objects.filter(o => !kept.includes(o.table ?? (o.kind === 'table' ? o.name : '')))};
	};

	// A run stops before code only another tool runs (a goose Go migration): so does the round trip.
	const code = plan.pending.findIndex(m => m.runsWith !== undefined);
	const pending = code === -1 ? plan.pending : plan.pending.slice(0, code);
	if (code !== -1) {
		notes.push(`tested up to the migration before ${plan.pending[code]!.name}, ${plan.pending[code]!.runsWith ?? ''} Go code that only ${plan.pending[code]!.runsWith ?? ''} runs; the ${plan.pending.length - code} from it on are not tested`);
	}

	if (pending.length === 0) {
		notes.push(`no pending migration: nothing to test${plan.applied.length > 0 ? ' (--empty tests the whole folder from an empty database)' : ''}`);
		return {appliedBefore: plan.applied.length, migrations: [], checks: [], notes};
	}

	const stopIfAsked = () => {
		if (deps.signal?.aborted === true) {
			throw new CutoverError('the round trip was stopped', {hint: 'nothing was tested to the end; run it again'});
		}
	};

	const results: MigrationRoundTrip[] = pending.map(m => ({name: m.name, reversible: m.reversible, up: notRun, down: notRun, reUp: notRun}));
	// catalogs[i] is the schema before pending[i]'s up; catalogs[i + 1] after it.
	const catalogs: Catalog[] = [await read()];
	const applied: number[] = [];
	await deps.checks?.pre(pending.at(-1)!.name);
	for (const [i, m] of pending.entries()) {
		stopIfAsked();
		deps.onStep?.(`up ${m.name}`);
		// eslint-disable-next-line no-await-in-loop -- one migration after the other, on one connection
		const error = await attempt(async () => migrator.up(m.name, deps.context));
		results[i]!.up = error === null ? passedStep() : failedStep(error);
		if (error !== null) {
			break;
		}

		// eslint-disable-next-line no-await-in-loop
		catalogs.push(await read());
		applied.push(i);
	}

	const checks = deps.checks === null || applied.length === 0 ? [] : await deps.checks.post(pending[applied.at(-1)!]!.name);
	const reverted: number[] = [];
	// What the comparison before left: a difference still there, as it was, is not the next step's doing.
	let prior: CatalogDifference[] = [];
	for (const i of [...applied].reverse()) {
		stopIfAsked();
		const m = pending[i]!;
		if (!m.reversible) {
			results[i]!.down = failedStep('has no down: cannot be reverted');
			break;
		}

		deps.onStep?.(`down ${m.name}`);
		// eslint-disable-next-line no-await-in-loop
		const error = await attempt(async () => migrator.down(m.name, deps.context));
		if (error !== null) {
			results[i]!.down = failedStep(error);
			break;
		}

		// eslint-disable-next-line no-await-in-loop
		results[i]!.down = comparedStep(diffCatalogs(catalogs[i]!, await read()), prior, 'down');
		prior = allDifferences(results[i]!.down);
		reverted.unshift(i);
	}

	for (const i of reverted) {
		stopIfAsked();
		const m = pending[i]!;
		deps.onStep?.(`re-up ${m.name}`);
		// eslint-disable-next-line no-await-in-loop
		const error = await attempt(async () => migrator.up(m.name, deps.context));
		if (error !== null) {
			results[i]!.reUp = failedStep(error);
			break;
		}

		// eslint-disable-next-line no-await-in-loop
		results[i]!.reUp = comparedStep(diffCatalogs(catalogs[i + 1]!, await read()), prior, 'up');
		prior = allDifferences(results[i]!.reUp);
	}

	return {appliedBefore: plan.applied.length, migrations: results, checks, notes};
}

/** A migration's failure as its message (and hint); null when it went through. Bugs are not failures of the migration: they are rethrown. */
async function attempt(work: () => Promise<void>): Promise<string | null> {
	try {
		await work();
		return null;
	} catch (error) {
		if (error instanceof CutoverError) {
			return error.message;
		}

		throw error;
	}
}
