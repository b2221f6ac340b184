import {rmSync} from 'node:fs';
import path from 'node:path';
import {openFileJournal} from '../source/adapters/journal-file.js';
import {openMigrator} from '../source/adapters/migrator/index.js';
import {parseTarget} from '../source/target.js';
import {timed} from './measure.js';

/** Parts of cutover's upgrade timed alone, in this process, to show where its time over the bare shell goes. */
export type UpgradeParts = {
	/** The migrator alone (plan once, then each migration with its log row), without the run around it. */
	migratorUpMs: number;
	migratorDownMs: number;
	/** One journal line written and fsynced, as the run does for each event; `size` of them. */
	journalMs: number;
	/** The migrator again, each migration between its two journal lines as a run writes them (start fsynced, end with the next). */
	journaledUpMs: number;
};

export async function timeParts(db: string, migrations: string, names: string[], workDir: string): Promise<UpgradeParts> {
	const migrator = await openMigrator({target: parseTarget(db), directory: migrations});
	const context = {runId: 'bench-parts', appliedBy: 'bench'};
	let migratorUpMs: number;
	let migratorDownMs: number;
	try {
		await migrator.plan();
		migratorUpMs = await timed(async () => {
			for (const name of names) {
				// eslint-disable-next-line no-await-in-loop -- one at a time, as a run applies them
				await migrator.up(name, context);
			}
		});
		migratorDownMs = await timed(async () => {
			for (const name of [...names].reverse()) {
				// eslint-disable-next-line no-await-in-loop
				await migrator.down(name, context);
			}
		});
	} finally {
		await migrator.close();
	}

	const file = path.join(workDir, 'parts.jsonl');
	const journal = openFileJournal({path: file, runId: 'bench-parts'});
	const journalMs = await timed(async () => {
		for (const [seq, name] of names.entries()) {
			journal.append({seq, at: Date.now(), event: {type: 'migration.started', name, direction: 'up'}});
		}
	});
	journal.close();
	rmSync(file);

	// The same fsyncs between the same commits: on one file system they do not cost what they cost alone.
	const again = await openMigrator({target: parseTarget(db), directory: migrations});
	const lines = openFileJournal({path: file, runId: 'bench-parts'});
	let journaledUpMs: number;
	try {
		await again.plan();
		let seq = 0;
		journaledUpMs = await timed(async () => {
			for (const name of names) {
				lines.append({seq: seq++, at: Date.now(), event: {type: 'migration.started', name, direction: 'up'}});
				// eslint-disable-next-line no-await-in-loop
				await again.up(name, context);
				lines.append({seq: seq++, at: Date.now(), event: {type: 'migration.finished', name, direction: 'up', durationMs: 0}}, 'with-next');
			}
		});
	} finally {
		lines.close();
		await again.close();
		rmSync(file);
	}

	return {migratorUpMs, migratorDownMs, journalMs, journaledUpMs};
}
