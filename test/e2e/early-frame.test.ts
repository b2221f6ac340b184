import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';
import {bundledCli, prepareDemoTarget} from '../support/demo-targets.js';
import {exitPattern, openTerminal} from '../support/tmux.js';

// The console writes its first lines before Ink has loaded, and Ink's first frame takes their place.
// What the pty received is read from `script`'s copy of it; what stays on screen from tmux, at 80x24.
const earlyFrame = 'cutover · step 1 of 7 · Maintenance window\n⟳ Reading the target…\n';
const inkStarts = '\u001B[?2026h';

describe('the console\'s early frame, in a real 80x24 terminal', () => {
	it('comes before Ink, and Ink\'s first frame replaces it in the same write: no empty screen, no stale line', async () => {
		const target = await prepareDemoTarget('sqlite');
		const bytes = path.join(target.dir, 'pty.log');
		const command = [process.execPath, bundledCli, 'run', '--db', target.db, '--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')]
			.map(arg => `'${arg}'`).join(' ');
		const terminal = openTerminal(['script', '-qfec', command, bytes], {cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: path.join(target.dir, 'config'), NO_COLOR: '1'}});
		try {
			const screen = await terminal.waitFor('Type the database name');
			const received = readFileSync(bytes, 'utf8').replaceAll('\r\n', '\n');
			const early = received.indexOf(earlyFrame);
			assert.notEqual(early, -1, `the early frame was not written:\n${JSON.stringify(received.slice(0, 400))}`);
			assert.ok(early < received.indexOf(inkStarts), 'the early frame comes before Ink draws anything');
			// Cursor up over its two rows and clear below, then at once Ink's header where the early one was.
			// eslint-disable-next-line no-control-regex -- the escapes that move the cursor and clear
			assert.match(received, /\u001B\[2A\r\u001B\[Jcutover · step 1 of 7 · Maintenance window · db demo · run [\da-f]{8}\n/);
			const rows = screen.split('\n');
			assert.match(rows[0]!, /^cutover · step 1 of 7 · Maintenance window · db demo · run [\da-f]{8}$/);
			assert.equal(rows.filter(row => row.startsWith('cutover ·')).length, 1, screen);
			assert.doesNotMatch(screen, /Reading the target/);
		} finally {
			terminal.close();
			await target.cleanup();
		}
	});

	it('gives its place to the error of a run that stops before its console', async () => {
		const target = await prepareDemoTarget('sqlite');
		const missing = path.join(target.dir, 'missing.db');
		const terminal = openTerminal(
			[process.execPath, bundledCli, 'run', '--db', `sqlite:${missing}`, '--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')],
			{cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: path.join(target.dir, 'config'), NO_COLOR: '1'}},
		);
		try {
			const screen = await terminal.waitFor(exitPattern);
			const rows = screen.split('\n');
			assert.match(rows[0]!, /^cutover: .*missing\.db/, screen);
			assert.doesNotMatch(screen, /Reading the target|Maintenance window/);
			assert.equal(exitPattern.exec(screen)?.[1], '1');
		} finally {
			terminal.close();
			await target.cleanup();
		}
	});
});
