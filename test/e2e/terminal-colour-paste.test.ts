import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';
import {cli, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {createThrowawayDatabase} from '../support/postgres.js';
import {openTerminal, type Terminal} from '../support/tmux.js';

/** An SGR sequence that sets a colour: 30–37, 90–97, 38;5;n or 38;2;r;g;b (and their backgrounds). */
// eslint-disable-next-line no-control-regex
const colourSgr = /\u001B\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|4[0-7]|10[0-7]|38;[25]|48;[25])[;m]/;

function console80x24(target: DemoTarget, env: Record<string, string>): Terminal {
	return openTerminal(
		[process.execPath, cli, 'run', '--db', target.db, '--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')],
		{cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: path.join(target.dir, 'config'), ...env}},
	);
}

async function tickEverything(terminal: Terminal): Promise<void> {
	await terminal.waitFor('Type the database name');
	await terminal.keys('Tab', 'Space', 'Down', 'Space', 'Down', 'Space', 'Tab');
	await terminal.waitFor('(3/3 ticked)');
}

describe('colour in a real 80x24 terminal', () => {
	// CI=1 as in a CI job's shell: at a terminal there is still an operator, who gets frames and colour.
	for (const [what, env, coloured] of [['at a terminal, even with CI set', {CI: '1'}, true], ['with NO_COLOR=1', {CI: '1', NO_COLOR: '1'}, false]] as const) {
		it(`the console ${coloured ? 'shows' : 'shows no'} colour ${what}`, async () => {
			const target = await prepareDemoTarget('sqlite');
			const terminal = console80x24(target, env);
			try {
				await tickEverything(terminal);
				await terminal.type('wrong');
				await terminal.keys('Enter');
				await terminal.waitFor('is not the database name');
				const styled = terminal.styled();
				if (coloured) {
					assert.match(styled, colourSgr, JSON.stringify(styled));
					// The gate's reason is the yellow line.
					// eslint-disable-next-line no-control-regex -- the escape that starts a colour
					assert.match(styled, /\u001B\[33m! [^\n]*is not the database name/);
				} else {
					assert.doesNotMatch(styled, colourSgr, JSON.stringify(styled));
				}
			} finally {
				terminal.close();
				await target.cleanup();
			}
		});
	}

	for (const [what, env, coloured] of [['at a terminal', {CI: '1'}, true], ['with NO_COLOR=1', {NO_COLOR: '1'}, false]] as const) {
		it(`cutover watch ${coloured ? 'turns' : 'does not turn'} a threshold red ${what}`, async () => {
			const db = await createThrowawayDatabase('cutover_colour');
			const dir = mkdtempSync(path.join(tmpdir(), 'cutover-colour-'));
			const terminal = openTerminal(
				[process.execPath, cli, 'watch', '--db', db.url, '--records', path.join(dir, 'records'), '--threshold', 'connections-warn=0', '--threshold', 'connections-alert=0'],
				{cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: path.join(dir, 'config'), ...env}},
			);
			try {
				await terminal.waitFor(/sessions \d+\/\d+/);
				const styled = terminal.styled();
				if (coloured) {
					// eslint-disable-next-line no-control-regex -- the escape that starts a colour
					assert.match(styled, /\u001B\[31m[^\n]*sessions \d+\/\d+/, JSON.stringify(styled));
				} else {
					assert.doesNotMatch(styled, colourSgr, JSON.stringify(styled));
					// Without colour the level still reads: the mark.
					assert.match(styled, /sessions \d+\/\d+!!/);
				}

				await terminal.keys('?');
				await terminal.waitFor('Keys on this screen');
				await terminal.keys('q');
			} finally {
				terminal.close();
				rmSync(dir, {recursive: true, force: true});
				await db.drop();
			}
		});
	}
});

describe('a pasted name in a real 80x24 terminal', () => {
	for (const [what, paste] of [
		['with its Enter in one send-keys', (terminal: Terminal, name: string) => terminal.send(name, 'Enter')],
		['in bracketed-paste markers, then Enter', (terminal: Terminal, name: string) => {
			terminal.send('-l', `\u001B[200~${name}\u001B[201~`);
			terminal.send('Enter');
		}],
	] as const) {
		it(`gets through the window gate of a demo SQLite run ${what}`, async () => {
			const target = await prepareDemoTarget('sqlite');
			const terminal = console80x24(target, {NO_COLOR: '1'});
			try {
				await tickEverything(terminal);
				paste(terminal, target.name);
				const pre = await terminal.waitFor('Press Enter to proceed', 60_000);
				assert.match(pre, /step 3 of 7 · Pre-validation/);
				assert.doesNotMatch(pre, /200~|201~/);
				// Enter the moment the gate is drawn: the run must take it, not wait with no prompt.
				terminal.send('Enter');
				await terminal.waitFor('Enter to choose', 60_000);
			} finally {
				terminal.close();
				await target.cleanup();
			}
		});
	}
});
