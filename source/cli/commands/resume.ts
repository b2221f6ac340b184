import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline/promises';
import {reopenFileJournal} from '../../adapters/journal-file.js';
import {sha256Artifact} from '../../adapters/postgres/artifact-digest.js';
import {removePartial} from '../../adapters/sqlite/remove-partial.js';
import {settingsForRun} from '../../adapters/settings-file.js';
import {systemClock} from '../../adapters/system-clock.js';
import {loadChecklist} from '../../checklist/index.js';
import {CutoverError, UsageError} from '../../errors/index.js';
import {reconcile, type Reconciliation} from '../../run/reconcile.js';
import {resumeFlow} from '../../run/resume-flow.js';
import {createSession} from '../../run/session.js';
import {listUnfinishedRuns} from '../../run/unfinished-runs.js';
import {attachSealer} from '../../signing/sealer.js';
import {findSigningKey} from '../../signing/signing-key.js';
import {parseTarget} from '../../target.js';
import {openConnections, secretsOf, takeRunLock} from '../open-run.js';
import type {Connections} from '../../run/run-deps.js';
import {parseCommand} from '../parse.js';
import {readResumableRecord, recordedFormat} from '../resumable-record.js';
import {driveRun, forRun, preloadConsole} from '../run-command.js';
import {lockTracer, withTracer} from '../lock-tracer.js';
import {parseChoice, parseFormat, parseObserve, parseOverrides, runFlags} from '../run-flags.js';
import {report} from './report.js';

export async function resumeCommand(args: string[]): Promise<number> {
	const {values, positionals} = parseCommand(args, {
		...runFlags,
		rollback: {type: 'boolean', default: false},
		'no-trace': {type: 'boolean', default: false},
		// A run over several databases takes one of each per database.
		db: {type: 'string', multiple: true},
		'confirm-db': {type: 'string', multiple: true},
	}, 'resume');
	// --json is plain mode whose stdout holds only JSON lines: what resume says itself goes to stderr.
	const plain = values.plain || values.json;
	const write = values.json ? (text: string) => process.stderr.write(text) : writeOut;
	preloadConsole(plain);
	const stored = settingsForRun();
	const settings = {
		...stored,
		...(values.records === undefined ? {} : {recordsDir: path.resolve(values.records)}),
		...(values.backups === undefined ? {} : {backupsDir: path.resolve(values.backups)}),
	};
	const file = positionals[0];
	if (positionals.length > 1) {
		throw new UsageError(`resume takes one journal, got ${positionals.length}`, {hint: 'cutover resume [<journal.jsonl>]'});
	}

	if (file === undefined) {
		return listRuns(settings.recordsDir, write);
	}

	if (plain && values['confirm-db'] === undefined) {
		throw new UsageError(`${values.json ? '--json' : '--plain'} needs --confirm-db to resume a run`, {hint: 'pass the database name, as you would type it in the console: --confirm-db <name>'});
	}

	if (!plain && !(process.stdin.isTTY && process.stdout.isTTY)) {
		throw new CutoverError('the console needs a terminal, and this is not one (a pipe, CI or nohup)', {
			hint: `resume without the console: cutover resume ${file} --plain --yes --confirm-db <name>`,
		});
	}

	const journalPath = path.resolve(file);
	if (!existsSync(journalPath)) {
		throw new UsageError(`${journalPath} does not exist`, {hint: 'cutover resume without arguments lists the unfinished runs'});
	}

	const started = readResumableRecord(journalPath);
	if (started.adoption !== undefined) {
		throw new CutoverError(`${journalPath} is the record of a cutover ${started.adoption}, not of a run: there is nothing to continue`, {
			hint: `its rows were written in one transaction, all or none: cutover status --db ${started.target} shows which; run cutover ${started.adoption} again if they are not there`,
		});
	}

	const checklistPath = path.resolve(values.checklist ?? started.checklist.path);
	const runbook = forRun(await loadChecklist(checklistPath));
	if (runbook.sha256 !== started.checklist.sha256) {
		throw new CutoverError(`the checklist ${checklistPath} changed since the run started (sha256 ${runbook.sha256.slice(0, 12)}…, the journal has ${started.checklist.sha256.slice(0, 12)}…)`, {
			hint: 'resume with the same checklist (--checklist <file>), or start a new run',
		});
	}

	// A signed record goes on being sealed by the same key; an unsigned one stays unsigned.
	const signingKey = started.signer === null ? null : findSigningKey(settings.signingKey);
	if (started.signer !== null && signingKey?.keyId !== started.signer.keyId) {
		throw new CutoverError(`the run is sealed by key ${started.signer.keyId}, and ${signingKey === null ? `there is no signing key at ${settings.signingKey}` : `the signing key here is ${signingKey.keyId}`}`, {
			hint: 'resume on the machine (or with the cutover config signingKey) that holds the run\'s key, so the rest of the record is sealed by it too',
		});
	}

	if (started.databases !== undefined) {
		// Each database's folder and format are the record's; a flag that would name one for all of them is refused.
		for (const [flag, value] of [['--migrations', values.migrations], ['--format', values.format]] as const) {
			if (value !== undefined) {
				throw new UsageError(`${flag} does not apply to a run over several databases: the record names each one's`, {hint: `leave ${flag} out`});
			}
		}

		const {resumeDatabases} = await import('../databases-resume.js');
		const resumed = await resumeDatabases({
			journalPath,
			started: {...started, databases: started.databases},
			runbook,
			signingKey,
			settings,
			plain,
			json: values.json,
			targets: values.db ?? [],
			confirm: values['confirm-db'] ?? [],
			rollback: values.rollback,
			traceLocks: !values['no-trace'],
			answers: {
				yes: values.yes,
				overrides: parseOverrides(values.override ?? []),
				onFailure: values['on-failure'] === undefined ? null : parseChoice('--on-failure', values['on-failure']),
				atEnd: values['at-end'] === undefined ? 'keep' : parseChoice('--at-end', values['at-end']),
				dropInvalidIndex: values['drop-invalid-index'],
				observe: parseObserve(values.observe),
				acknowledgeLint: values['ack-lint'] ?? [],
			},
			write,
		});
		return resumed === 'declined' ? 1 : report(resumed, values.json);
	}

	// Given twice for one database, the last one counts, as for any flag.
	const target = parseTarget(values.db?.at(-1) ?? started.target);
	const migrationsDir = path.resolve(values.migrations ?? started.migrationsDir);
	// Named, or as the run read it: a folder whose files leave the format open reads the same way again.
	const format = parseFormat(values.format ?? recordedFormat(journalPath));
	// The resumed run holds the database as the same run: its own id, this operator and process.
	const runLock = await takeRunLock(target, {
		runId: started.runId,
		operator: {osUser: os.userInfo().username, name: settings.operatorName},
		host: os.hostname(),
	}, systemClock.now());
	let connections: Connections;
	try {
		connections = await openConnections(target, migrationsDir, runbook.upgrade, format);
	} catch (error) {
		await runLock.release();
		throw error;
	}

	let reconciliation: Reconciliation;
	let reopened: ReturnType<typeof reopenFileJournal>;
	try {
		reopened = reopenFileJournal({path: journalPath, secrets: secretsOf(target)});
		const state = createSession({path: journalPath, append() {}, close() {}}, systemClock, reopened.entries).state;
		const artifact = state.backup?.artifact;
		reconciliation = reconcile(state, {
			fingerprint: await connections.database.fingerprint(),
			plan: await connections.migrator.plan(),
			backupSha256: artifact && existsSync(artifact.path) ? await sha256Artifact(artifact) : null,
			cut: reopened.cut,
			migrationsDir,
		});
	} catch (error) {
		await connections.close();
		await runLock.release();
		throw error;
	}

	const closeAll = async () => {
		reopened.journal.close();
		await connections.close();
		await runLock.release();
	};

	write(`Resuming ${journalPath}\n${reconciliation.lines.map(line => `  ${line}`).join('\n')}\n`);
	if (reconciliation.problems.length > 0) {
		await closeAll();
		throw new CutoverError(`cannot resume: ${reconciliation.problems.join('; ')}`, {hint: 'nothing was changed or journaled; check the database with cutover status'});
	}

	const name = reopened.entries.map(e => e.event).find(e => e.type === 'target.fingerprinted');
	const database = name?.type === 'target.fingerprinted' ? name.fingerprint.database : '';
	const then = plain
		? confirmPlain(values['confirm-db']?.at(-1) ?? '', database, values.rollback)
		: await confirmInConsole(database, reconciliation.upgradeOpen);
	if (then === null) {
		await closeAll();
		write('nothing was changed or journaled; the run is still unfinished\n');
		return 1;
	}

	if (reconciliation.partialBackup !== null) {
		// A killed SQLite copy also leaves its -journal beside it.
		await removePartial(reconciliation.partialBackup);
	}

	const operator = {osUser: os.userInfo().username, name: settings.operatorName};
	const host = os.hostname();
	const session = createSession(reopened.journal, systemClock, reopened.entries);
	const sealer = attachSealer(session, {journalPath, key: signingKey});
	const result = await driveRun({
		session,
		sealer,
		journal: reopened.journal,
		connections,
		runLock,
		target,
		runbook,
		plain,
		json: values.json,
		answers: {
			yes: values.yes,
			confirmDb: values['confirm-db']?.at(-1) ?? database,
			overrides: parseOverrides(values.override ?? []),
			onFailure: values['on-failure'] === undefined ? null : parseChoice('--on-failure', values['on-failure']),
			atEnd: values['at-end'] === undefined ? 'keep' : parseChoice('--at-end', values['at-end']),
			dropInvalidIndex: values['drop-invalid-index'],
			observe: parseObserve(values.observe),
			acknowledgeLint: values['ack-lint'] ?? [],
		},
		backupsDir: settings.backupsDir,
		runId: reopened.runId,
		appliedBy: `${operator.name} (${operator.osUser}@${host})`,
	}, deps => resumeFlow(deps, {
		reconciliation, operator, host, then,
		...withTracer(lockTracer(target, {enabled: !values['no-trace'], directory: migrationsDir, format, application: 'cutover resume (lock trace)'})),
	}));
	return report(result, values.json);
}

function confirmPlain(typed: string, database: string, rollback: boolean): 'continue' | 'rollback' {
	if (typed !== database) {
		throw new UsageError(`--confirm-db ${typed} is not the database of this run (${database})`, {hint: `pass --confirm-db ${database}`});
	}

	return rollback ? 'rollback' : 'continue';
}

/** The operator reads the reconciliation above and types the name again: nothing runs before that. */
async function confirmInConsole(database: string, upgradeOpen: boolean): Promise<'continue' | 'rollback' | null> {
	const prompt = createInterface({input: process.stdin, output: process.stdout});
	try {
		const ask = upgradeOpen
			? `Type ${database} to continue the upgrade, "rollback" to go to the rollback prompt, or Enter to leave: `
			: `Type ${database} to continue the run, or Enter to leave: `;
		const answer = (await prompt.question(ask)).trim();
		if (answer === database) {
			return 'continue';
		}

		return upgradeOpen && answer === 'rollback' ? 'rollback' : null;
	} finally {
		prompt.close();
	}
}

function listRuns(recordsDir: string, write: (text: string) => void): number {
	const runs = listUnfinishedRuns(recordsDir);
	if (runs.length === 0) {
		write(`no unfinished runs in ${recordsDir}\n`);
		return 0;
	}

	for (const run of runs) {
		const f = run.state.fingerprint;
		const databases = run.state.databases;
		write(databases === null
			? `${run.file}\n  ${f ? `${f.engine} ${f.database}` : run.state.target ?? 'unknown target'}; stopped in ${run.stoppedAt}\n`
			: `${run.file}\n  several databases (${databases.map(d => `${d.name}: ${d.state.fingerprint?.database ?? 'not reached'}`).join(', ')}); stopped in ${run.stoppedAt}\n`);
	}

	write(`continue one with: cutover resume <file> (add --plain --confirm-db <name> without a terminal)\n`);
	return 0;
}

function writeOut(text: string) {
	process.stdout.write(text);
}
