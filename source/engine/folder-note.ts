import type {MigrationFolderNote} from './model.js';

/** The folder note's fields that are present, so an older record's plan stays as it was recorded. */
export function folderNote(from: MigrationFolderNote): MigrationFolderNote {
	return {
		...(from.format === undefined ? {} : {format: from.format}),
		...(from.ignored === undefined ? {} : {ignored: from.ignored}),
		...(from.skipped === undefined ? {} : {skipped: from.skipped}),
		...(from.history === undefined ? {} : {history: from.history}),
	};
}

const namesShown = 3;

/**
 * One line on how the folder was read: "goose format · 2 files ignored: README.md, atlas.sum";
 * null for an older record that did not say.
 */
export function describeFolder(note: MigrationFolderNote): string | null {
	if (note.format === undefined) {
		return null;
	}

	const ignored = note.ignored ?? [];
	return `${note.format} format${historyWords(note.history)}${ignored.length === 0 ? '' : ` · ${ignored.length} ${ignored.length === 1 ? 'file' : 'files'} ignored: ${names(ignored)}`}`;
}

function historyWords(history: MigrationFolderNote['history']): string {
	if (history === undefined) {
		return '';
	}

	const behind = history.behind === undefined ? '' : history.tool === 'golang-migrate' ? ` (behind cutover's log: brought up to it with the next migration)` : ` (${history.behind} applied by cutover ${history.behind === 1 ? 'is' : 'are'} added with the next migration)`;
	if (history.absent === true) {
		return ` · no ${history.table} here: ${history.tool} run at start-up would apply these again (cutover keeps its own log)`;
	}

	return history.kept
		? ` · keeps ${history.table} in step${behind}`
		: ` · ${history.table} is NOT updated: keep ${history.tool} from running at start-up, it would apply these again`;
}

/** "Skipped on sqlite (only for mysql): …", or null when nothing was skipped. */
export function describeSkipped(note: MigrationFolderNote, engine: string | null): string | null {
	const skipped = note.skipped ?? [];
	if (skipped.length === 0) {
		return null;
	}

	const engines = [...new Set(skipped.flatMap(s => s.engines))].sort();
	return `${skipped.length} ${skipped.length === 1 ? 'migration' : 'migrations'} skipped${engine === null ? '' : ` on ${engine}`}, only for ${engines.join(', ')}: ${names(skipped.map(s => s.name))}`;
}

function names(list: readonly string[]): string {
	return list.length <= namesShown ? list.join(', ') : `${list.slice(0, namesShown).join(', ')} …and ${list.length - namesShown} more`;
}
