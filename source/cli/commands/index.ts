import {baselineHelp, checklistHelp, configHelp, demoHelp, healthHelp, importHelp, keyHelp, keygenHelp, lintHelp, replayHelp, resumeHelp, runHelp, snapshotHelp, statusHelp, testMigrationsHelp, verifyHelp, watchHelp} from '../help.js';
import {importWithoutFetch} from '../without-fetch.js';

export type Command = {
	help: string;
	/** Loaded only when the command runs, so `cutover --help` stays fast and light. */
	load(): Promise<(args: string[]) => Promise<number> | number>;
	/** The exit status of every error, bad usage included, where 1 and 2 already mean something (health: 3, could not check). */
	errorExit?: number;
};

/** Every command: one entry each, one file each under commands/. */
export const commands: Record<string, Command> = {
	run: {help: runHelp, load: async () => (await import('./run.js')).runCommand},
	status: {help: statusHelp, load: async () => (await import('./status.js')).statusCommand},
	watch: {help: watchHelp, load: async () => (await importWithoutFetch(async () => import('./watch.js'))).watchCommand},
	demo: {help: demoHelp, load: async () => (await import('./demo.js')).demoCommand},
	config: {help: configHelp, load: async () => (await import('./config.js')).configCommand},
	resume: {help: resumeHelp, load: async () => (await import('./resume.js')).resumeCommand},
	replay: {help: replayHelp, load: async () => (await import('./replay.js')).replayCommand},
	keygen: {help: keygenHelp, load: async () => (await import('./keygen.js')).keygenCommand},
	key: {help: keyHelp, load: async () => (await import('./key.js')).keyCommand},
	checklist: {help: checklistHelp, load: async () => (await import('./checklist.js')).checklistCommand},
	verify: {help: verifyHelp, load: async () => (await import('./verify.js')).verifyCommand},
	import: {help: importHelp, load: async () => (await import('./import.js')).importCommand},
	baseline: {help: baselineHelp, load: async () => (await import('./baseline.js')).baselineCommand},
	snapshot: {help: snapshotHelp, load: async () => (await import('./snapshot.js')).snapshotCommand},
	health: {help: healthHelp, load: async () => (await import('./health.js')).healthCommand, errorExit: 3},
	'test-migrations': {help: testMigrationsHelp, load: async () => (await import('./test-migrations.js')).testMigrationsCommand, errorExit: 3},
	lint: {help: lintHelp, load: async () => (await import('./lint.js')).lintCommand, errorExit: 3},
};
