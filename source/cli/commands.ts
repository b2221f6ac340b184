import {mkdirSync, mkdtempSync, readdirSync, existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {openSettings, SETTING_KEYS, type SettingKey} from '../adapters/settings.js';
import {createDemoDatabase} from '../adapters/demo-database.js';
import {openDatabase, openTargetMigrator} from '../adapters/open-target.js';
import {demoSeedSql} from '../demo/seed.js';
import type {RunOutcome} from '../engine/events.js';
import type {RollbackChoice} from '../engine/model.js';
import {UsageError} from '../errors/index.js';
import {describeEvent} from '../journal/describe-event.js';
import {parseTarget} from '../target.js';
import {bundled, defaultPath} from './defaults.js';
import {parseCommand} from './parse.js';
import {runGuided, type RunResult} from './run-command.js';

const choices: readonly RollbackChoice[] = ['keep', 'downgrade', 'restore'];

export async function runCli(command: string, args: string[]): Promise<number> {
	switch (command) {
		case 'run': {
			return runCommandLine(args);
		}

		case 'status': {
			return statusCommand(args);
		}

		case 'demo': {
			return demoCommand(args);
		}

		default: {
			return configCommand(args);
		}
	}
}

async function runCommandLine(args: string[]): Promise<number> {
	const {values} = parseCommand(args, {
		db: {type: 'string'},
		migrations: {type: 'string'},
		checklist: {type: 'string'},
		to: {type: 'string'},
		'window-start': {type: 'string'},
		'window-minutes': {type: 'string'},
		records: {type: 'string'},
		backups: {type: 'string'},
		plain: {type: 'boolean', default: false},
		yes: {type: 'boolean', default: false},
		'confirm-db': {type: 'string'},
		override: {type: 'string', multiple: true},
		'on-failure': {type: 'string'},
		'at-end': {type: 'string'},
	}, 'run');
	if (values.db === undefined) {
		throw new UsageError('--db is required', {hint: 'pass --db postgres://user@host/dbname or --db sqlite:path/to/file.db'});
	}

	const settings = openSettings().read();
	const result = await runGuided({
		db: values.db,
		migrationsDir: path.resolve(values.migrations ?? defaultPath('migrations')),
		checklistPath: path.resolve(values.checklist ?? defaultPath('checklists/production.yaml')),
		to: values.to ?? null,
		plain: values.plain,
		yes: values.yes,
		confirmDb: values['confirm-db'] ?? null,
		overrides: parseOverrides(values.override ?? []),
		onFailure: values['on-failure'] === undefined ? null : parseChoice('--on-failure', values['on-failure']),
		atEnd: values['at-end'] === undefined ? 'keep' : parseChoice('--at-end', values['at-end']),
		windowStart: values['window-start'] === undefined ? null : parseTime(values['window-start']),
		windowMinutes: values['window-minutes'] === undefined ? null : parseMinutes(values['window-minutes']),
		settings: {
			...settings,
			...(values.records === undefined ? {} : {recordsDir: path.resolve(values.records)}),
			...(values.backups === undefined ? {} : {backupsDir: path.resolve(values.backups)}),
		},
		plainHint: (name: string) => `cutover run --db ${values.db} --yes --confirm-db ${name} --plain`,
	});
	return report(result);
}

async function demoCommand(args: string[]): Promise<number> {
	const {values} = parseCommand(args, {dir: {type: 'string'}, plain: {type: 'boolean', default: false}}, 'demo');
	const dir = values.dir === undefined ? mkdtempSync(path.join(os.tmpdir(), 'cutover-demo-')) : path.resolve(values.dir);
	if (existsSync(dir) && readdirSync(dir).length > 0) {
		throw new UsageError(`${dir} is not empty`, {hint: 'give --dir a new or empty directory, or leave it out for a fresh temporary one'});
	}

	mkdirSync(dir, {recursive: true});
	const file = path.join(dir, 'demo.db');
	const migrationsDir = bundled('migrations');
	await createDemoDatabase({file, migrationsDir, firstMigration: '0001_create_users_and_meters', seedSql: demoSeedSql});
	process.stdout.write(`demo database: ${file}\n`);
	const settings = openSettings().read();
	const result = await runGuided({
		db: `sqlite:${file}`,
		migrationsDir,
		checklistPath: bundled('checklists/production.yaml'),
		to: null,
		plain: values.plain,
		yes: values.plain,
		confirmDb: values.plain ? 'demo' : null,
		overrides: new Map(),
		onFailure: null,
		atEnd: 'keep',
		windowStart: null,
		windowMinutes: null,
		settings: {...settings, recordsDir: path.join(dir, 'records'), backupsDir: path.join(dir, 'backups')},
		plainHint: () => 'cutover demo --plain (or npm start -- --plain)',
	});
	return report(result);
}

function report(result: RunResult): number {
	process.stdout.write(`outcome: ${result.outcome}\nchange record: ${result.recordPath}\n`);
	const ok: readonly RunOutcome[] = ['upgraded', 'nothing-to-do'];
	return ok.includes(result.outcome) ? 0 : 1;
}

async function statusCommand(args: string[]): Promise<number> {
	const {values} = parseCommand(args, {db: {type: 'string'}, migrations: {type: 'string'}, json: {type: 'boolean', default: false}}, 'status');
	if (values.db === undefined) {
		throw new UsageError('--db is required', {hint: 'pass --db postgres://user@host/dbname or --db sqlite:path/to/file.db'});
	}

	const target = parseTarget(values.db);
	const database = await openDatabase(target);
	try {
		const migrator = await openTargetMigrator(target, path.resolve(values.migrations ?? defaultPath('migrations')));
		try {
			const fingerprint = await database.fingerprint();
			const plan = await migrator.plan();
			if (values.json) {
				process.stdout.write(`${JSON.stringify({target: target.display, fingerprint, ...plan}, null, 2)}\n`);
			} else {
				process.stdout.write(`${describeEvent({type: 'target.fingerprinted', fingerprint})}\n`);
				for (const m of plan.applied) {
					process.stdout.write(`applied  ${m.name}  ${m.checksum.slice(0, 12)}  ${m.appliedAt} by ${m.appliedBy}${m.reversible ? '' : '  irreversible'}${m.drift === 'none' ? '' : `  DRIFT: ${m.drift}`}\n`);
				}

				for (const m of plan.pending) {
					process.stdout.write(`pending  ${m.name}  ${m.checksum.slice(0, 12)}${m.reversible ? '' : '  irreversible (no down)'}\n`);
				}

				if (plan.applied.length + plan.pending.length === 0) {
					process.stdout.write('no migrations applied or pending\n');
				}
			}
		} finally {
			await migrator.close();
		}
	} finally {
		await database.close();
	}

	return 0;
}

function configCommand(args: string[]): number {
	const {positionals} = parseCommand(args, {}, 'config');
	const store = openSettings();
	const [key, value, extra] = positionals;
	if (extra !== undefined) {
		throw new UsageError('too many arguments', {hint: 'cutover config <key> <value>'});
	}

	const settings = store.read();
	if (key === undefined) {
		process.stdout.write(`# ${store.path}\n${SETTING_KEYS.map(k => `${k} = ${settings[k]}`).join('\n')}\n`);
		return 0;
	}

	if (!SETTING_KEYS.includes(key as SettingKey)) {
		throw new UsageError(`unknown setting "${key}"`, {hint: `settings are ${SETTING_KEYS.join(', ')}`});
	}

	if (value === undefined) {
		process.stdout.write(`${settings[key as SettingKey]}\n`);
		return 0;
	}

	store.set(key as SettingKey, value);
	process.stdout.write(`${key} = ${store.read()[key as SettingKey]}\n`);
	return 0;
}

function parseOverrides(raw: string[]): Map<string, string> {
	const overrides = new Map<string, string>();
	for (const item of raw) {
		const at = item.indexOf('=');
		const id = item.slice(0, at).trim();
		const reason = item.slice(at + 1).trim();
		if (at <= 0 || reason === '') {
			throw new UsageError(`--override ${item} has no reason`, {hint: 'write --override <check-id>="why it is safe to go on"'});
		}

		overrides.set(id, reason);
	}

	return overrides;
}

function parseChoice(flag: string, value: string): RollbackChoice {
	if (!choices.includes(value as RollbackChoice)) {
		throw new UsageError(`${flag} ${value} is not a choice`, {hint: `use one of ${choices.join(', ')}`});
	}

	return value as RollbackChoice;
}

function parseTime(value: string): number {
	const ms = Date.parse(value);
	if (Number.isNaN(ms)) {
		throw new UsageError(`--window-start ${value} is not a time`, {hint: 'use ISO 8601, for example 2026-11-22T02:00:00Z'});
	}

	return ms;
}

function parseMinutes(value: string): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n <= 0) {
		throw new UsageError(`--window-minutes ${value} is not a whole number of minutes`, {hint: 'for example --window-minutes 30'});
	}

	return n;
}
