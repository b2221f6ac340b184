import path from 'node:path';
import {settingsForRun} from '../../adapters/settings-file.js';
import {UsageError} from '../../errors/index.js';
import {resolveChecklist, resolveMigrations} from '../defaults.js';
import {parseCommand} from '../parse.js';
import {plainCommand} from '../plain-command.js';
import {runGuided} from '../run-command.js';
import {parseChoice, parseFormat, parseMinutes, parseObserve, parseOverrides, parseTime, runFlags} from '../run-flags.js';
import {report} from './report.js';
import {adoptCommands} from '../../run/adopt-commands.js';
import {redactUrl} from '../../adapters/postgres/conninfo-url.js';

export async function runCommand(args: string[]): Promise<number> {
	const {values} = parseCommand(args, {
		...runFlags,
		to: {type: 'string'},
		'window-start': {type: 'string'},
		'window-minutes': {type: 'string'},
		unsigned: {type: 'boolean', default: false},
		'no-trace': {type: 'boolean', default: false},
		// A runbook over several databases takes one of each per database.
		db: {type: 'string', multiple: true},
		'confirm-db': {type: 'string', multiple: true},
	}, 'run');
	if (values.db === undefined || values.db.length === 0) {
		throw new UsageError('--db is required', {hint: 'pass --db postgres://user@host/dbname or --db sqlite:path/to/file.db'});
	}

	// A runbook over several databases names its folders: the default folder is needed (and its absence an error) only for a run over one.
	let migrationsDir = '';
	let migrationsProblem: unknown;
	try {
		migrationsDir = resolveMigrations(values.migrations);
	} catch (error) {
		if (values.migrations !== undefined) {
			throw error;
		}

		migrationsProblem = error;
	}

	let checklistPath: string;
	try {
		checklistPath = await resolveChecklist(values.checklist);
	} catch (error) {
		// Neither found: the folder is said first, as the run needs it before its runbook.
		throw migrationsProblem ?? error;
	}

	const settings = settingsForRun();
	const result = await runGuided({
		db: values.db[0]!,
		dbs: values.db,
		migrationsGiven: values.migrations !== undefined,
		migrationsDir,
		...(migrationsProblem === undefined ? {} : {migrationsProblem}),
		format: parseFormat(values.format),
		checklistPath,
		to: values.to ?? null,
		plain: values.plain || values.json,
		json: values.json,
		yes: values.yes,
		// Given twice for one database, the last one counts, as for any flag.
		confirmDb: values['confirm-db']?.at(-1) ?? null,
		confirmDbs: values['confirm-db'] ?? [],
		overrides: parseOverrides(values.override ?? []),
		onFailure: values['on-failure'] === undefined ? null : parseChoice('--on-failure', values['on-failure']),
		atEnd: values['at-end'] === undefined ? 'keep' : parseChoice('--at-end', values['at-end']),
		dropInvalidIndex: values['drop-invalid-index'],
		acknowledgeLint: values['ack-lint'] ?? [],
		traceLocks: !values['no-trace'],
		observe: parseObserve(values.observe),
		windowStart: values['window-start'] === undefined ? null : parseTime(values['window-start']),
		windowMinutes: values['window-minutes'] === undefined ? null : parseMinutes(values['window-minutes']),
		unsigned: values.unsigned,
		settings: {
			...settings,
			...(values.records === undefined ? {} : {recordsDir: path.resolve(values.records)}),
			...(values.backups === undefined ? {} : {backupsDir: path.resolve(values.backups)}),
		},
		plainHint: (name: string) => plainCommand('run', args, name, process.env['CUTOVER_CONFIG_DIR']),
		adoptCommands: live => adoptCommands(live, {
			db: redactUrl(values.db![0]!),
			migrations: values.migrations ?? resolveMigrations(undefined),
			extra: [
				...(values.records === undefined ? [] : ['--records', values.records]),
				...(values.format === undefined ? [] : ['--format', values.format]),
				...(process.env['CUTOVER_CONFIG_DIR'] ? ['--config-dir', process.env['CUTOVER_CONFIG_DIR']] : []),
			],
		}),
	});
	return report(result, values.json);
}
