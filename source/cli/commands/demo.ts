import {existsSync, mkdirSync, mkdtempSync, readdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createDemoDatabase} from '../../adapters/demo-database.js';
import {settingsForRun} from '../../adapters/settings-file.js';
import {demoSeedSql} from '../../demo/seed.js';
import {UsageError} from '../../errors/index.js';
import {bundled} from '../defaults.js';
import {parseCommand} from '../parse.js';
import {runGuided} from '../run-command.js';
import {report} from './report.js';

export async function demoCommand(args: string[]): Promise<number> {
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
	const settings = settingsForRun();
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
		dropInvalidIndex: false,
		observe: 'wait',
		windowStart: null,
		windowMinutes: null,
		unsigned: false,
		settings: {...settings, recordsDir: path.join(dir, 'records'), backupsDir: path.join(dir, 'backups')},
		plainHint: () => 'cutover demo --plain (or npm start -- --plain)',
	});
	return report(result);
}
