import assert from 'node:assert/strict';
import {copyFileSync, readFileSync, renameSync} from 'node:fs';
import {describe, it} from 'node:test';
import pg from 'pg';
import {prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {adminUrl} from '../support/postgres.js';
import {resume, SLOW, slowMigrations, startRun, waitForExit, waitForLine} from './interrupted-runs.js';

/** A run stopped by a hang-up in the middle of the upgrade, its journal left for a resume. */
async function interruptedRun(target: DemoTarget): Promise<string> {
	const run = await startRun(target, slowMigrations(target), true);
	try {
		await waitForLine(run, l => l.kind === 'migration.started' && (l.event as {name?: string}).name === SLOW, `${SLOW} to start`);
		process.kill(run.pid, 'SIGHUP');
		await waitForExit(run.pid);
		return run.journal;
	} finally {
		run.terminal.close();
	}
}

async function recreate(name: string): Promise<void> {
	const admin = new pg.Client({connectionString: adminUrl});
	await admin.connect();
	try {
		await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
		await admin.query(`CREATE DATABASE ${name}`);
	} finally {
		await admin.end();
	}
}

describe('cutover resume refuses a database that is not the recorded one', () => {
	it('postgres: a database dropped and created again under the same name is refused, naming the OID with both values', async () => {
		const target = await prepareDemoTarget('postgres');
		try {
			const journal = await interruptedRun(target);
			const before = readFileSync(journal, 'utf8');
			await recreate(target.name);
			const refused = resume(target, journal);
			assert.notEqual(refused.code, 0, refused.stdout + refused.stderr);
			assert.match(refused.stderr, /this is not the database of the run: database OID differs: recorded \d+, now \d+/);
			assert.doesNotMatch(refused.stderr, /database name differs|system identifier differs/, 'only what differs is named');
			assert.doesNotMatch(refused.stderr, /at .*\.js:\d+/, 'no stack trace');
			assert.equal(readFileSync(journal, 'utf8'), before, 'a refused resume journals nothing');
		} finally {
			await target.cleanup();
		}
	});

	it('sqlite: a copy put in place of the file (same path, same bytes, new inode) is refused, naming device/inode', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const journal = await interruptedRun(target);
			const file = target.db.replace(/^sqlite:/, '');
			copyFileSync(file, `${file}.copy`);
			renameSync(`${file}.copy`, file);
			const refused = resume(target, journal);
			assert.notEqual(refused.code, 0, refused.stdout + refused.stderr);
			assert.match(refused.stderr, /this is not the database of the run: device\/inode differs: recorded device \d+, inode \d+, now device \d+, inode \d+/);
			assert.doesNotMatch(refused.stderr, /path differs/);
		} finally {
			await target.cleanup();
		}
	});
});
