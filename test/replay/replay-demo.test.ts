import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';
import {cli, readJournal} from '../support/demo-targets.js';
import {exitPattern, openTerminal} from '../support/tmux.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-replay-demo-'));
const env = {...process.env, CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'};
const cutover = (args: string[]) => spawnSync(process.execPath, [cli, ...args], {cwd: packageRoot, env, encoding: 'utf8'});

/** What the live demo run printed and left behind. */
let live: {lines: string[]; outcome: string; record: string; versions: string};

before(() => {
	const demo = cutover(['demo', '--plain', '--dir', path.join(dir, 'demo')]);
	assert.equal(demo.status, 0, demo.stderr);
	const out = demo.stdout.trimEnd().split('\n');
	const record = /^change record: (.+)$/m.exec(demo.stdout)?.[1];
	const outcome = /^outcome: (.+)$/m.exec(demo.stdout)?.[1];
	const versions = /run finished: \w+; version (.+)$/m.exec(demo.stdout)?.[1];
	assert.ok(record && outcome && versions, demo.stdout);
	live = {lines: out.filter(l => /^\d\d:\d\d:\d\d\.\d{3} /.test(l)), outcome, record, versions};
	// Replay needs nothing but the record: the database and its backup are gone.
	rmSync(path.join(dir, 'demo', 'demo.db'));
	rmSync(path.join(dir, 'demo', 'backups'), {recursive: true});
});

after(() => {
	rmSync(dir, {recursive: true, force: true});
});

describe('replaying a demo record', () => {
	it('prints every event line of the live run with --plain, decisions marked », with the database gone', () => {
		assert.equal(existsSync(path.join(dir, 'demo', 'demo.db')), false);
		const replay = cutover(['replay', live.record, '--plain']);
		assert.equal(replay.status, 0, replay.stderr);
		const out = replay.stdout.trimEnd().split('\n');
		assert.equal(out[0], `# replay of ${live.record}: ${live.lines.length} events, ${/, (\S+ to \S+)$/.exec(out[0]!)?.[1]}`);
		assert.equal(out.at(-1), '# end of record');
		const events = out.slice(1, -1);
		assert.deepEqual(events.map(l => l.slice(2)), live.lines, 'the same lines the live run printed');
		const kinds = readJournal(readFileSync(live.record, 'utf8')).map(l => l.kind);
		assert.deepEqual(events.map(l => l.startsWith('» ')), kinds.map(k => k.startsWith('operator.')));
		assert.ok(events.filter(l => l.startsWith('» ')).length >= 5);
		assert.deepEqual(events.filter(l => !l.startsWith('» ')).map(l => l.slice(0, 2)), Array.from({length: kinds.filter(k => !k.startsWith('operator.')).length}, () => '  '));
	});

	it('replays a damaged copy up to the damage, says where it stopped, and exits 1', () => {
		const copy = path.join(dir, 'damaged.jsonl');
		copyFileSync(live.record, copy);
		const text = readFileSync(copy, 'utf8').split('\n');
		text.splice(20, 0, 'this line is not JSON');
		writeFileSync(copy, text.join('\n'));
		const replay = cutover(['replay', copy, '--plain']);
		assert.equal(replay.status, 1);
		const out = replay.stdout.trimEnd().split('\n');
		assert.equal(out.length, 1 + 20 + 1);
		assert.match(out.at(-1)!, /^# replay stopped: line 21 is not JSON; the 20 events above/);
	});

	it('asks for --plain when there is no terminal', () => {
		const replay = cutover(['replay', live.record]);
		assert.equal(replay.status, 1);
		assert.match(replay.stderr, /the replay console needs a terminal/);
		assert.ok(replay.stderr.includes(`cutover replay ${live.record} --plain`), replay.stderr);
		assert.equal(replay.stdout, '');
	});

	it('rejects a missing record and a missing argument', () => {
		const missing = cutover(['replay', path.join(dir, 'nope.jsonl'), '--plain']);
		assert.equal(missing.status, 1);
		assert.match(missing.stderr, /nope\.jsonl: does not exist\n/);
		assert.doesNotMatch(missing.stderr, /\n\s+at /);
		assert.equal(cutover(['replay', '--plain']).status, 2);
	});

	it('walks the record in a real 80x24 terminal: ] through the steps, back, then instant to the live run\'s summary', async () => {
		const terminal = openTerminal([process.execPath, cli, 'replay', live.record], {cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: env.CUTOVER_CONFIG_DIR, NO_COLOR: '1'}});
		const total = live.lines.length;
		try {
			const first = await terminal.waitFor(`event 1/${total}`);
			assert.match(first, /cutover · step 1 of 7 · Maintenance window/);
			assert.match(first, /^‖ paused ×1 · event 1\/\d+ · \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/m);

			// Each ] lands on the first event of the next step; the bar names it even when a tall screen pushes the header off the top.
			const steps: Array<[kind: string, shows: string]> = [
				['backup.started', 'step 2 of 7 · Backup '],
				['backup.finished', 'step 2 of 7 · Backup verification'],
				['verify.finished', 'step 3 of 7 · Pre-validation'],
				['upgrade.started', 'step 4 of 7 · Upgrade'],
				['upgrade.finished', 'step 5 of 7 · Post-verification'],
				['rollback.offered', 'Waiting for the operator to choose.'],
			];
			for (const [kind, shows] of steps) {
				// eslint-disable-next-line no-await-in-loop -- one key, then its frame
				await terminal.keys(']');
				// eslint-disable-next-line no-await-in-loop -- one key, then its frame
				const screen = await terminal.waitFor(new RegExp(`^  ${kind.replace('.', '\\.')}: `, 'm'));
				assert.ok(screen.includes(shows), screen);
				assert.ok(screen.split('\n').every(line => [...line].length <= 80));
			}

			// The operator's decision at the rollback prompt is highlighted when stepped onto.
			await terminal.keys('.');
			await terminal.waitFor(/^» DECISION operator\.rollback-chosen: operator chose keep/m);

			// Back two steps: the screen is redrawn from scratch, nothing of the later screens left on it.
			await terminal.keys('[', '[');
			const post = await terminal.waitFor(/^ {2}upgrade\.finished: /m);
			assert.match(post, /step 5 of 7 · Post-verification/);
			assert.doesNotMatch(post, /Rollback|Downgrade|UPGRADED/);
			assert.equal(post.split('✓ Upgrade ').length, 2, post);

			await terminal.keys('>', '>', '>');
			await terminal.waitFor('‖ paused instant');
			await terminal.keys('Space');
			const summary = await terminal.waitFor(`■ end instant · event ${total}/${total}`);
			assert.match(summary, /step 7 of 7 · Summary/);
			assert.match(summary, new RegExp(`✓ ${live.outcome.toUpperCase()}`));
			assert.ok(summary.includes(`Schema   ${live.versions}`), summary);
			// A long path is cut to 80 columns, as on the live run's summary.
			const shown = /^Record {3}(.+?)…?$/m.exec(summary)?.[1] ?? '';
			assert.ok(shown.length > 60 && live.record.startsWith(shown), summary);
			assert.match(summary, /run\.finished: run finished: upgraded/);
			await terminal.keys('q');
			assert.equal(exitPattern.exec(await terminal.waitFor(exitPattern))?.[1], '0');
		} finally {
			terminal.close();
		}
	});
});
