import type {EventOf} from '../engine/events.js';
import type {LiveSchema} from '../engine/model.js';

/** Extra words of the adopting commands: the flags the run was given that they take too (records, config dir). */
export type AdoptFlags = {db: string; migrations: string; extra?: readonly string[]};

const quote = (word: string): string => /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll('\'', '\'\\\'\'')}'`;

/**
 * What fits a database with a schema and no cutover history: an import from each history table
 * found there, else a baseline to the migration the schema is at.
 */
export function adoptCommands(live: LiveSchema, flags: AdoptFlags): string[] {
	const common = ['--db', flags.db, '--migrations', flags.migrations, ...(flags.extra ?? [])];
	const line = (words: string[]) => words.map(quote).join(' ');
	const imports = live.histories.map(tool => line(['cutover', 'import', ...common, '--from', tool]));
	// The schema's tables say how far it likely is; the operator still reads the evidence before anything is written.
	const baseline = live.baselineTo === undefined
		? `${line(['cutover', 'baseline', ...common])} --to <the last migration the schema already has>`
		: line(['cutover', 'baseline', ...common, '--to', live.baselineTo]);
	return imports.length > 0 ? [...imports, baseline] : [baseline];
}

/** The same from what run.started records, when the command line did not say more. */
export function adoptCommandsFor(live: LiveSchema, start: Pick<EventOf<'run.started'>, 'target' | 'migrationsDir'>): string[] {
	return adoptCommands(live, {db: start.target, migrations: start.migrationsDir});
}
