// Fault matrix: a terminal smaller than 80x24, and no terminal at all.
import assert from 'node:assert/strict';
import path from 'node:path';
import {describe, it} from 'node:test';
import {cli, cliEnv, cutover, demoMigrations, prepareDemoTarget, productionChecklist, type DemoTarget} from '../support/demo-targets.js';
import {exitPattern, openTerminal} from '../support/tmux.js';
import {assertClearMessage, assertMigrationsWhole, assertNothingLost, assertVerifies, demoProbes, filesIn, snapshotTables} from '../support/faults.js';

const records = (target: DemoTarget) => path.join(target.dir, 'records');
const dirs = (target: DemoTarget) => ['--migrations', demoMigrations, '--checklist', productionChecklist, '--records', records(target), '--backups', path.join(target.dir, 'backups')];

async function withTarget(work: (target: DemoTarget) => Promise<void>) {
	const target = await prepareDemoTarget('sqlite');
	try {
		await work(target);
	} finally {
		await target.cleanup();
	}
}

/**
 * Readable: the step header, the prompt and the keys line are on screen, each on one line (a
 * capture never holds a line wider than the pane: what does not fit wraps, and breaks the match).
 */
function assertReadable(screen: string, prompt: string) {
	assert.match(screen, /cutover · step \d of 7/, `the step header is on screen:\n${screen}`);
	assert.ok(screen.includes(prompt), `the prompt "${prompt}" is on screen:\n${screen}`);
	// The key line may wrap at 60 columns; it must be there whole.
	assert.match(screen.replaceAll(/\s+/g, ' '), /\? keys · q leave|Enter continue · (\? or F1 keys · |F1 keys · )?Ctrl-C leave/, `the keys line is on screen:\n${screen}`);
}

describe('the console in a terminal smaller than 80x24 (60x20)', () => {
	it('still works readably: each gate shows its header, prompt and whole key line, and the run upgrades', async () => withTarget(async target => {
		const terminal = openTerminal([process.execPath, cli, 'run', '--db', target.db, ...dirs(target)], {cwd: target.dir, env: cliEnv(target), columns: 60, rows: 20});
		try {
			assertReadable(await terminal.waitFor('Type the database name'), 'Type the database name');
			await terminal.keys('Tab', 'Space', 'Down', 'Space', 'Down', 'Space', 'Tab');
			await terminal.waitFor('(3/3 ticked)');
			await terminal.type(target.name);
			await terminal.keys('Enter');
			assertReadable(await terminal.waitFor('Press Enter to proceed', 60_000), 'Press Enter to proceed');
			await terminal.keys('Enter');
			assertReadable(await terminal.waitFor('Enter to choose', 60_000), 'Enter to choose');
			await terminal.keys('Enter');
			const summary = await terminal.waitFor('UPGRADED');
			assertClearMessage(summary);
			await terminal.keys('q');
			assert.equal(exitPattern.exec(await terminal.waitFor(exitPattern))?.[1], '0');
		} finally {
			terminal.close();
		}

		const applied = await assertMigrationsWhole(target, demoProbes(target));
		assert.ok(Object.values(applied).every(Boolean), 'every migration applied');
		assertVerifies(target, records(target));
	}));
});

describe('no terminal', () => {
	it('cutover run without a terminal and without --plain names --plain, writes no record and touches nothing', async () => withTarget(async target => {
		const before = await snapshotTables(target);
		const run = cutover(target, ['run', '--db', target.db, ...dirs(target)]);
		assert.equal(run.code, 1, run.stdout + run.stderr);
		assertClearMessage(run.stderr, /needs a terminal/, /--plain/, new RegExp(`--confirm-db ${target.name}`));
		assert.deepEqual(filesIn(records(target)), [], 'no record');
		assert.deepEqual(filesIn(path.join(target.dir, 'backups')), [], 'no backup');
		await assertNothingLost(target, before, 'the refused run');
	}));

	it('cutover resume without a terminal and without --plain names --plain too', async () => withTarget(async target => {
		const resumed = cutover(target, ['resume', path.join(target.dir, 'any.jsonl'), ...dirs(target)]);
		assert.equal(resumed.code, 1, resumed.stdout + resumed.stderr);
		assertClearMessage(resumed.stderr, /needs a terminal/, /--plain/);
	}));
});
