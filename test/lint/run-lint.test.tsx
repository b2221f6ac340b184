import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, it} from 'node:test';
import {App} from '../../screens/app.js';
import type {LintFinding, RunEvent} from '../../source/engine/events.js';
import {lintToAcknowledge, windowGate} from '../../source/engine/gates.js';
import type {RunState} from '../../source/engine/state.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {fold, windowEvents} from '../support/run-fixtures.js';
import {cutover, demoMigrations, prepareDemoTarget, readJournal} from '../support/demo-targets.js';

const dropColumn: LintFinding = {migration: '0004-drop-legacy-tariffs', file: '0004-drop-legacy-tariffs.up.sql', line: 3, rule: 'drop-column', severity: 'error', detail: 'DROP COLUMN tariffs.legacy', statement: 'ALTER TABLE tariffs DROP COLUMN legacy;', fix: 'stop using the column first', allowed: null};
const allowedIndex: LintFinding = {...dropColumn, line: 1, rule: 'index-not-concurrent', detail: 'CREATE INDEX on meters', allowed: 'a handful of rows'};
const renamed: LintFinding = {...dropColumn, line: 5, rule: 'rename-column', severity: 'warning', detail: 'column meters.serial renamed to serial_no'};
const linted: RunEvent = {type: 'lint.findings', findings: [allowedIndex, dropColumn, renamed], failure: null};
const ticks: RunEvent[] = [{type: 'operator.prep-ticked', itemId: 'notify', ticked: true}, {type: 'operator.prep-ticked', itemId: 'traffic', ticked: true}];
const acknowledged: RunEvent = {type: 'operator.lint-acknowledged', rule: 'drop-column', file: dropColumn.file, line: 3, statement: dropColumn.statement, typed: 'drop-column'};

describe('lint findings in a run: the engine', () => {
	it('keeps the findings and holds the window until each error finding not allowed is acknowledged', () => {
		const before = fold([...windowEvents, linted, ...ticks]);
		assert.deepEqual(lintToAcknowledge(before), [dropColumn]);
		const gate = windowGate(before, 'shop');
		assert.ok(!gate.open);
		assert.deepEqual(gate.reasons, ['lint: drop-column at 0004-drop-legacy-tariffs.up.sql:3 (DROP COLUMN tariffs.legacy) needs an acknowledgement: type drop-column']);
		const after = fold([...windowEvents, linted, ...ticks, acknowledged]);
		assert.deepEqual(lintToAcknowledge(after), []);
		assert.deepEqual(windowGate(after, 'shop'), {open: true});
		assert.match(after.decisions.at(-1)?.summary ?? '', /^acknowledged drop-column at 0004-drop-legacy-tariffs\.up\.sql:3 \(ALTER TABLE tariffs DROP COLUMN legacy;\)$/);
		// A record made before the lint opens the window as ever.
		assert.deepEqual(windowGate(fold([...windowEvents, ...ticks]), 'shop'), {open: true});
	});

	it('describes the findings in one line for the plain output and the record', () => {
		assert.equal(describeEvent(linted), 'lint of the pending migrations: 1 error, 1 warning, 1 allowed: 0004-drop-legacy-tariffs.up.sql:1 index-not-concurrent (allowed: a handful of rows); 0004-drop-legacy-tariffs.up.sql:3 drop-column (error); 0004-drop-legacy-tariffs.up.sql:5 rename-column (warning)');
		assert.equal(describeEvent({type: 'lint.findings', findings: [], failure: '0001.up.sql:2: statement 1 does not parse'}), 'lint of the pending migrations could not run: 0001.up.sql:2: statement 1 does not parse');
	});
});

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

function show(state: RunState, decisions: RunEvent[]) {
	current = render(<App state={state} now={state.now} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive/>);
	return current;
}

describe('lint findings in a run: the window screen', () => {
	it('shows the finding to acknowledge at 80 columns and takes its rule id, typed, as the acknowledgement', async () => {
		const decisions: RunEvent[] = [];
		const screen = show(fold([...windowEvents, linted, ...ticks]), decisions);
		const frame = await screen.waitForFrame('Type the database name');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /Lint {4}1 to acknowledge, 1 warning, 1 allowed/);
		assert.match(frame, /! 0004-drop-legacy-tariffs\.up\.sql:3 drop-column: DROP COLUMN tariffs\.legacy/);
		assert.match(frame, /type drop-column and Enter to accept it as written/);
		screen.stdin.write(keys.tab);
		await screen.waitForFrame('› Type the database name');
		// The name alone does not open the window while the finding stands.
		screen.stdin.write('shop');
		await screen.waitForFrame('shop▌');
		screen.stdin.write(keys.enter);
		await screen.waitForFrame('! lint: drop-column at 0004-drop-legacy-tariffs.up.sql:3');
		assert.deepEqual(decisions, []);
		for (let i = 0; i < 4; i++) {
			screen.stdin.write(keys.backspace);
		}

		await screen.waitForFrame('continue: ▌');
		screen.stdin.write('drop-column');
		await screen.waitForFrame('drop-column▌');
		screen.stdin.write(keys.enter);
		assert.deepEqual(decisions, [acknowledged]);
	});
});

describe('lint findings in a run: a plain run', () => {
	it('records the findings at plan time, stops at the window without --ack-lint, and goes on with it, the acknowledgement on the record', async () => {
		const target = await prepareDemoTarget('sqlite');
		const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-run-lint-'));
		try {
			const migrations = path.join(dir, 'migrations');
			cpSync(demoMigrations, migrations, {recursive: true});
			writeFileSync(path.join(migrations, '0005_drop_reading.up.sql'), '-- readings moved to the readings service\nALTER TABLE meters DROP COLUMN reading;\n');
			writeFileSync(path.join(migrations, '0005_drop_reading.down.sql'), 'ALTER TABLE meters ADD COLUMN reading double precision;\n');
			const args = (records: string, ...extra: string[]) => ['run', '--db', target.db, '--migrations', migrations, '--plain', '--yes', '--confirm-db', target.name, '--records', path.join(target.dir, records), '--backups', path.join(target.dir, 'backups'), ...extra];
			const stopped = cutover(target, args('records-1'));
			assert.notEqual(stopped.code, 0, stopped.stdout + stopped.stderr);
			assert.match(stopped.stdout, /lint\.findings +lint of the pending migrations: 1 error, \d+ warnings?, 0 allowed: .*0005_drop_reading\.up\.sql:2 drop-column \(error\)/);
			assert.match(stopped.stdout, /needs an acknowledgement: type drop-column \(to accept a lint finding as written: --ack-lint drop-column\)/);
			assert.match(stopped.stdout, /^outcome: abandoned$/m);
			const columns = await target.rows('SELECT name FROM pragma_table_info(\'meters\')');
			assert.ok(columns.some(c => c['name'] === 'reading'), 'nothing ran');

			const run = cutover(target, args('records-2', '--ack-lint', '0005_drop_reading.up.sql:2'));
			assert.match(run.stdout, /operator\.lint-acknowledged operator acknowledged drop-column at 0005_drop_reading\.up\.sql:2 \(ALTER TABLE meters DROP COLUMN reading\)/, run.stdout + run.stderr);
			const record = /^change record: (.+)$/m.exec(run.stdout)?.[1] ?? assert.fail(run.stdout);
			const events = readJournal(readFileSync(record, 'utf8')).map(line => line.event);
			const kinds = events.map(e => e.type);
			assert.ok(kinds.indexOf('migrations.planned') < kinds.indexOf('lint.findings') && kinds.indexOf('lint.findings') < kinds.indexOf('window.planned'), kinds.join(' '));
			assert.deepEqual(events.find(e => e.type === 'operator.lint-acknowledged'), {type: 'operator.lint-acknowledged', rule: 'drop-column', file: '0005_drop_reading.up.sql', line: 2, statement: 'ALTER TABLE meters DROP COLUMN reading', typed: '--ack-lint 0005_drop_reading.up.sql:2'});
			assert.ok(kinds.includes('upgrade.finished'), kinds.join(' '));
		} finally {
			rmSync(dir, {recursive: true, force: true});
			await target.cleanup();
		}
	});
});
