import assert from 'node:assert/strict';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';
import {cli, prepareDemoTarget, productionChecklist, readJournal} from '../support/demo-targets.js';
import {exitPattern, openTerminal} from '../support/tmux.js';

describe('the observation period in a real 80x24 terminal, on SQLite', () => {
	it('shows the period within the post step, and e ends it early to the rollback prompt', async () => {
		const target = await prepareDemoTarget('sqlite');
		const checklist = path.join(target.dir, 'observed.yaml');
		writeFileSync(checklist, `${readFileSync(productionChecklist, 'utf8')}\nobserve: {minutes: 10}\n`);
		const terminal = openTerminal(
			[process.execPath, cli, 'run', '--db', target.db, '--checklist', checklist, '--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')],
			{cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: path.join(target.dir, 'config'), NO_COLOR: '1'}},
		);
		try {
			await terminal.waitFor('Type the database name');
			await terminal.keys('Tab', 'Space', 'Down', 'Space', 'Down', 'Space', 'Tab');
			await terminal.waitFor('(3/3 ticked)');
			await terminal.type(target.name);
			await terminal.keys('Enter');
			await terminal.waitFor('Press Enter to proceed', 60_000);
			await terminal.keys('Enter');

			const observing = await terminal.waitFor('e end early', 60_000);
			assert.match(observing, /step 5 of 7 · Post-verification/);
			assert.match(observing, /✓ Post-verification passed: \d+ checks/);
			assert.match(observing, /Observation period · \d+ m \d\d s left of 10 m 00 s · figures every 5 s/);
			assert.match(observing, /connections {6}n\/a {12}SQLite has no connection slots/);
			assert.match(observing, /thresholds: the maintenance handbook's/);
			assert.match(observing, /✓ No threshold breached/);
			await terminal.keys('e');

			const prompt = await terminal.waitFor('Enter to choose', 30_000);
			assert.match(prompt, /step 6 of 7 · Rollback/);
			assert.match(prompt, /observation period ended early/);
			await terminal.keys('Enter');
			await terminal.waitFor('UPGRADED');
			await terminal.keys('q');
			const end = await terminal.waitFor(exitPattern);
			assert.equal(exitPattern.exec(end)?.[1], '0');

			const file = readdirSync(path.join(target.dir, 'records')).find(f => f.endsWith('.jsonl'))!;
			const lines = readJournal(readFileSync(path.join(target.dir, 'records', file), 'utf8'));
			const kinds = lines.map(l => l.kind);
			const from = kinds.indexOf('observation.started');
			assert.deepEqual(kinds.slice(from, from + 4), ['observation.started', 'observation.sample', 'operator.observation-ended', 'observation.finished']);
			assert.equal(lines[from + 3]?.event['reason'], 'ended-early');
			assert.equal(lines.at(-1)?.event['outcome'], 'upgraded');
		} finally {
			terminal.close();
			await target.cleanup();
		}
	});
});
