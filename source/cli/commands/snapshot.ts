import {linkSync, unlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {openDatabase} from '../../adapters/open-target.js';
import {diffSnapshots} from '../../engine/snapshot-diff.js';
import {CutoverError, UsageError} from '../../errors/index.js';
import {formatDiff, formatSnapshot} from '../../snapshot/format-diff.js';
import {readSnapshotFile, snapshotFile} from '../../snapshot/snapshot-file.js';
import {parseTarget} from '../../target.js';
import {parseCommand} from '../parse.js';

/** `cutover snapshot --db … [--out file]` and `cutover snapshot diff a b`. */
export async function snapshotCommand(args: string[]): Promise<number> {
	return args[0] === 'diff' ? diffCommand(args.slice(1)) : takeCommand(args);
}

async function takeCommand(args: string[]): Promise<number> {
	const {values, positionals} = parseCommand(args, {db: {type: 'string'}, out: {type: 'string'}}, 'snapshot');
	if (positionals.length > 0) {
		throw new UsageError(`unknown snapshot subcommand "${positionals[0]}"`, {hint: 'cutover snapshot --db <target> [--out <file.json>], or cutover snapshot diff <before.json> <after.json>'});
	}

	if (values.db === undefined) {
		throw new UsageError('--db is required', {hint: 'pass --db postgres://user@host/dbname or --db sqlite:path/to/file.db'});
	}

	const target = parseTarget(values.db);
	const database = await openDatabase(target);
	let file;
	try {
		file = snapshotFile(await database.snapshot(), target.display, Date.now());
	} finally {
		await database.close();
	}

	const json = `${JSON.stringify(file, null, 2)}\n`;
	if (values.out === undefined) {
		process.stdout.write(json);
		return 0;
	}

	writeNew(path.resolve(values.out), json);
	process.stdout.write(`snapshot of ${file.target} at ${file.takenAt}\n${formatSnapshot(file.snapshot).join('\n')}\nwritten to ${values.out}\n`);
	return 0;
}

function diffCommand(args: string[]): number {
	const {values, positionals} = parseCommand(args, {allow: {type: 'string', multiple: true}, json: {type: 'boolean', default: false}}, 'snapshot');
	if (positionals.length !== 2) {
		throw new UsageError(`snapshot diff needs two snapshot files, got ${positionals.length}`, {hint: 'cutover snapshot diff <before.json> <after.json> (files written by cutover snapshot --out)'});
	}

	const [beforeFile, afterFile] = positionals as [string, string];
	const before = readSnapshotFile(beforeFile);
	const after = readSnapshotFile(afterFile);
	const allow = values.allow ?? [];
	const diff = diffSnapshots(before.snapshot, after.snapshot, {allow});
	// A misspelt --allow would quietly accept nothing: say which ones found no change to accept.
	const named = new Set([...diff.objects.flatMap(o => [o.name, o.table ?? o.name]), ...diff.data.map(d => d.table)]);
	for (const name of allow.filter(a => !named.has(a))) {
		process.stderr.write(`cutover: --allow ${name} names no changed object or table in these snapshots\n`);
	}

	if (values.json) {
		process.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
	} else {
		const label = (name: string, file: typeof before) => `${name} (${file.target}, ${file.takenAt})`;
		process.stdout.write(`snapshot diff\n  before ${label(beforeFile, before)}\n  after  ${label(afterFile, after)}\n${formatDiff(diff).join('\n')}\n`);
	}

	if (diff.unexpected.length > 0) {
		process.stderr.write(`cutover: ${diff.unexpected.length} unexpected change${diff.unexpected.length === 1 ? '' : 's'} between the snapshots\n  → look at the lines marked !; if they are meant, name them with --allow <name>\n`);
		return 1;
	}

	return 0;
}

/** Written whole under a temporary name, then linked into place: never a half file, never over an existing one. */
function writeNew(file: string, text: string): void {
	const temporary = `${file}.${process.pid}.tmp`;
	try {
		writeFileSync(temporary, text, {flag: 'wx'});
	} catch (error) {
		throw new CutoverError(`cannot write ${temporary}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {hint: 'check that the directory exists and is writable', cause: error});
	}

	try {
		linkSync(temporary, file);
	} catch (error) {
		const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
		throw new CutoverError(exists ? `${file} exists already; it was left as it was` : `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
			hint: exists ? 'pass another --out, or move the old snapshot away first' : 'check that the directory exists and is writable',
			cause: error,
		});
	} finally {
		unlinkSync(temporary);
	}
}
