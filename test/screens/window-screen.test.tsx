import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {EventOf, RunEvent} from '../../source/engine/events.js';
import type {RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {fingerprinted, fold, planned, started, windowEvents, windowPlanned} from '../support/run-fixtures.js';
import type {PreflightItem} from '../../source/engine/model.js';

const preflightOk: PreflightItem[] = [
	{id: 'migrations', title: 'migrations folder', ok: true, blocking: true, detail: '4 migrations load, 2 pending'},
	{id: 'drift', title: 'applied migrations unchanged', ok: true, blocking: true, detail: 'the 2 applied match their files'},
	{id: 'pg_dump', title: 'pg_dump', ok: true, blocking: true, detail: '16.4, server 16'},
	{id: 'pg_restore', title: 'pg_restore', ok: true, blocking: true, detail: '16.4, server 16'},
	{id: 'backups', title: 'backups directory', ok: true, blocking: true, detail: '20.0 GB free, 9.2 MB needed'},
	{id: 'records', title: 'records directory', ok: true, blocking: true, detail: '20.0 GB free, 8.0 MB needed'},
];
const oldPgDump = 'pg_dump is 13.0, older than the server (16): it cannot back up or restore this database safely; install the PostgreSQL client tools of the server\'s major version or newer and put them first on PATH';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

function show(state: RunState, decisions: RunEvent[] = [], interactive = true, size: {columns?: number; rows?: number} = {}) {
	current = render(<App state={state} now={state.now} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive={interactive}/>, size);
	return current;
}

describe('window screen', () => {
	it('says it is reading the target before the fingerprint arrives', async () => {
		const screen = show(fold([started]));
		const frame = await screen.waitForFrame('Reading the target…');
		assert.match(frame, /step 1 of 7 · Maintenance window/);
		assert.deepEqual(overflowing(frame), []);
	});

	it('marks a pending migration whose BEGIN/COMMIT wrapper was absorbed, in the plan and in plain lines', async () => {
		const wrapped: RunEvent = {...planned, pending: [{...planned.pending[0]!, wrapperAbsorbed: true}, planned.pending[1]!]};
		const events = windowEvents.map(event => event.type === 'migrations.planned' ? wrapped : event);
		const screen = show(fold(events));
		const frame = await screen.waitForFrame('Type the database name to continue');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /0003-unique-meter-serial\s+d4e5d4e5d4e5\s+\(BEGIN\/COMMIT wrapper absorbed\)/);
		assert.match(describeEvent(wrapped), /pending: 0003-unique-meter-serial \(BEGIN\/COMMIT wrapper absorbed\), 0004-drop-legacy-tariffs \(irreversible\)/);
	});

	it('names the format the migrations were read in, the files ignored and the migrations skipped on this engine, from the event', async () => {
		const read: RunEvent = {
			...planned,
			format: 'goose',
			ignored: ['README.md', 'atlas.sum', 'notes.txt', 'seeds/'],
			skipped: [{name: '20240101000000000004_accounts_engine', engines: ['mysql']}],
		};
		const screen = show(fold(windowEvents.map(event => event.type === 'migrations.planned' ? read : event)));
		const frame = await screen.waitForFrame('Type the database name to continue');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame.replaceAll(/\s+/g, ' '), /Migrations: \S+ · goose format · 4 files ignored: README\.md, atlas\.sum, notes\.txt …and 1 more/);
		assert.match(frame.replaceAll(/\s+/g, ' '), /1 migration skipped on postgres, only for mysql: 20240101000000000004_accounts_engine/);
		assert.match(describeEvent(read), /; goose format · 4 files ignored: README\.md, atlas\.sum, notes\.txt …and 1 more; 1 migration skipped, only for mysql: 20240101000000000004_accounts_engine$/);
		// A record made before formats were read says nothing of them, and still shows its plan.
		const older = show(fold(windowEvents));
		assert.doesNotMatch(await older.waitForFrame('Type the database name to continue'), /format/);
	});

	it('shows the fingerprint, the plan with checksums, drift, the window and the checklist at 80 columns', async () => {
		const screen = show(fold(windowEvents));
		const frame = await screen.waitForFrame('Type the database name to continue');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /PostgreSQL 16\.4 · database shop on db-1:5432 · 1\.2 MB/);
		assert.match(frame, /system identifier 7301234567890123456/);
		assert.match(frame, /! DRIFT 0002-add-readings: its file changed since it was applied/);
		assert.match(frame, /0003-unique-meter-serial\s+d4e5d4e5d4e5\n/);
		assert.match(frame, /0004-drop-legacy-tariffs\s+f6f6f6f6f6f6\s+irreversible \(no down\)/);
		assert.match(frame, /expected 20 min/);
		assert.match(frame, /\[ \] Support has been told about the window/);
		assert.match(frame, /cutover · step 1 of 7 · Maintenance window · db shop · run r-7f3a9c/);
	});

	it('ticks the selected preparation item with space and moves with the arrows', async () => {
		const decisions: RunEvent[] = [];
		const screen = show(fold(windowEvents), decisions);
		await screen.waitForFrame('› [ ] Support');
		screen.stdin.write(keys.space);
		assert.deepEqual(decisions, [{type: 'operator.prep-ticked', itemId: 'notify', ticked: true}]);
		screen.stdin.write(keys.down);
		await screen.waitForFrame('› [ ] Writes');
		screen.stdin.write(keys.space);
		assert.deepEqual(decisions.at(-1), {type: 'operator.prep-ticked', itemId: 'traffic', ticked: true});
	});

	it('unticks an item that is ticked', async () => {
		const decisions: RunEvent[] = [];
		const screen = show(fold([...windowEvents, {type: 'operator.prep-ticked', itemId: 'notify', ticked: true}]), decisions);
		await screen.waitForFrame('› [x] Support');
		screen.stdin.write(keys.space);
		assert.deepEqual(decisions, [{type: 'operator.prep-ticked', itemId: 'notify', ticked: false}]);
	});

	it('refuses a wrong name and says why, then confirms with the right name once everything is ticked', async () => {
		const decisions: RunEvent[] = [];
		const ticked = fold([...windowEvents,
			{type: 'operator.prep-ticked', itemId: 'notify', ticked: true},
			{type: 'operator.prep-ticked', itemId: 'traffic', ticked: true}]);
		const screen = show(ticked, decisions);
		await screen.waitForFrame('[x] Writes');
		screen.stdin.write(keys.tab);
		await screen.waitForFrame('› Type the database name');
		screen.stdin.write('shp');
		await screen.waitForFrame('continue: shp▌');
		screen.stdin.write(keys.enter);
		const refused = await screen.waitForFrame('is not the database name');
		assert.match(refused, /! "shp" is not the database name \(shop\)/);
		assert.deepEqual(decisions, []);
		screen.stdin.write(keys.backspace);
		screen.stdin.write(keys.backspace);
		await screen.waitForFrame('continue: s▌');
		screen.stdin.write('hop');
		await screen.waitForFrame('continue: shop▌');
		screen.stdin.write(keys.enter);
		assert.deepEqual(decisions, [{type: 'operator.window-confirmed', typedName: 'shop'}]);
	});

	it('does not confirm with the right name while preparation is not ticked', async () => {
		const decisions: RunEvent[] = [];
		const screen = show(fold(windowEvents), decisions);
		await screen.waitForFrame('Type the database name');
		screen.stdin.write(keys.tab);
		await screen.waitForFrame('› Type the database name');
		screen.stdin.write('shop');
		await screen.waitForFrame('shop▌');
		screen.stdin.write(keys.enter);
		const frame = await screen.waitForFrame('preparation not ticked');
		assert.match(frame, /! preparation not ticked: Support has been told about the window/);
		assert.match(frame, /! preparation not ticked: Writes from the billing job are paused/);
		assert.deepEqual(decisions, []);
	});

	it('types q into the name field instead of leaving', async () => {
		let quits = 0;
		const state = fold(windowEvents);
		current = render(<App state={state} now={state.now} onDecision={() => {}} onQuit={() => quits++} interactive/>);
		await current.waitForFrame('Type the database name');
		current.stdin.write(keys.tab);
		await current.waitForFrame('› Type the database name');
		current.stdin.write('q');
		const frame = await current.waitForFrame('continue: q▌');
		assert.doesNotMatch(frame, /Leave the run/);
		assert.equal(quits, 0);
	});

	it('shows the confirmed name once the window is confirmed', async () => {
		const state = fold([...windowEvents,
			{type: 'operator.prep-ticked', itemId: 'notify', ticked: true},
			{type: 'operator.prep-ticked', itemId: 'traffic', ticked: true},
			{type: 'operator.window-confirmed', typedName: 'shop'}]);
		const frame = await show(state).waitForFrame('Confirmed by typing shop');
		assert.doesNotMatch(frame, /Type the database name/);
	});

	it('shows the maintenance hook output tail', async () => {
		const state = fold([...windowEvents,
			{type: 'command.started', id: 'on', purpose: 'maintenance on', command: 'maint on'},
			...['one', 'two', 'three', 'four'].map(line => ({type: 'command.output', id: 'on', line}) satisfies RunEvent),
			{type: 'command.finished', id: 'on', exitCode: 0, durationMs: 1500}]);
		const frame = await show(state).waitForFrame('maintenance on');
		assert.match(frame, /✓ exit 0 in 2 s · maintenance on: maint on/);
		assert.match(frame, /│ four/);
		assert.doesNotMatch(frame, /│ one/);
	});

	it('takes no decision in replay', async () => {
		const decisions: RunEvent[] = [];
		const state = fold([...windowEvents,
			{type: 'operator.prep-ticked', itemId: 'notify', ticked: true},
			{type: 'operator.prep-ticked', itemId: 'traffic', ticked: true}]);
		const screen = show(state, decisions, false);
		const frame = await screen.waitForFrame('Waiting for the operator to confirm');
		assert.doesNotMatch(frame, /Type the database name/);
		for (const key of [keys.space, keys.tab, 'shop', keys.enter, keys.down, keys.space]) {
			screen.stdin.write(key);
		}

		await new Promise(resolve => setImmediate(resolve));
		assert.deepEqual(decisions, []);
	});

	it('keeps an empty plan readable', async () => {
		const state = fold([started, {...planned, pending: []} as RunEvent]);
		const frame = await show(state).waitForFrame('Reading the target…');
		assert.deepEqual(overflowing(frame), []);
	});

	it('shows the preflight in one line when it passed, and the whole screen still fits 80x24', async () => {
		const state = fold([started, fingerprinted, planned, {type: 'preflight.finished', items: preflightOk}, windowPlanned]);
		const frame = await show(state).waitForFrame('Type the database name to continue');
		assert.deepEqual(overflowing(frame), []);
		assert.ok(frame.split('\n').length <= 24, `${frame.split('\n').length} lines`);
		assert.match(frame, /✓ Preflight 6\/6: migrations · drift · pg_dump · pg_restore · backups · records\n/);
		assert.equal(frame.split('\n').filter(line => line.includes('Preflight')).length, 1);
		// With the folder's format, files ignored and a migration skipped named too.
		const read: RunEvent = {...planned, format: 'pop', ignored: ['README.md', 'atlas.sum'], skipped: [{name: '20240101000000000004_accounts_engine', engines: ['mysql']}]};
		current?.unmount();
		const noted = await show(fold([started, fingerprinted, read, {type: 'preflight.finished', items: preflightOk}, windowPlanned])).waitForFrame('Type the database name to continue');
		assert.ok(noted.split('\n').length <= 24, `${noted.split('\n').length} lines:\n${noted}`);
	});

	it('shows each failed preflight item in full, and asks for no name', async () => {
		const items = preflightOk.map(i => i.id === 'pg_dump' ? {...i, ok: false, detail: oldPgDump} : i);
		const state = fold([started, fingerprinted, planned, {type: 'preflight.finished', items}, {type: 'error', step: 'window', message: `preflight failed, nothing was changed: pg_dump: ${oldPgDump}`}]);
		const frame = await show(state).waitForFrame('Preflight 5/6');
		assert.deepEqual(overflowing(frame), []);
		assert.doesNotMatch(frame, /Type the database name|Reading the target/);
		assert.match(frame, /PostgreSQL 16\.4 · database shop/);
		// Wrapped, not cut: the whole detail is on screen.
		assert.ok(frame.replaceAll(/\s+/g, ' ').includes(`✗ pg_dump: ${oldPgDump}`), frame);
		assert.doesNotMatch(frame, /✓ Preflight/, 'not ticked as a whole');
	});

	it('shows the preflight in replay, at the point it was recorded', async () => {
		const state = fold([started, fingerprinted, planned, {type: 'preflight.finished', items: preflightOk}, windowPlanned]);
		const frame = await show(state, [], false).waitForFrame('Preflight 6/6');
		assert.match(frame, /Waiting for the operator to confirm/);
	});

	it('keeps the failed preflight items in full on the summary the console stays on', async () => {
		const items = preflightOk.map(i => i.id === 'pg_dump' ? {...i, ok: false, detail: oldPgDump} : i);
		const state = fold([started, fingerprinted, planned, {type: 'preflight.finished', items},
			{type: 'error', step: 'window', message: `preflight failed, nothing was changed: pg_dump: ${oldPgDump}`},
			{type: 'run.finished', outcome: 'failed', versionBefore: '0002-add-readings', versionAfter: '0002-add-readings'}]);
		const frame = await show(state).waitForFrame('FAILED');
		assert.deepEqual(overflowing(frame), []);
		assert.ok(frame.replaceAll(/\s+/g, ' ').includes(`✗ pg_dump: ${oldPgDump}`), frame);
		assert.match(frame, /Backup {3}none/);
	});
});

describe('window screen in a short terminal (60x20) with long paths', () => {
	const deep = '/check/work/teams/billing/main';
	const longStarted: RunEvent = {...(started as EventOf<'run.started'>), checklist: {name: 'production', path: `${deep}/checklists/production.yaml`, sha256: 'c'.repeat(64)}, migrationsDir: `${deep}/migrations`};
	const sqliteTarget: RunEvent = {type: 'target.fingerprinted', fingerprint: {engine: 'sqlite', serverVersion: '3.53.2', host: 'vm', database: 'demo', sizeBytes: 20_480, path: '/tmp/cutover-sqlite-oSstHp/a-longer-name/demo.db', inode: '22118501'}};
	const read: RunEvent = {...planned, format: 'golang-migrate', pending: [...planned.pending, {name: '0005-more', checksum: 'e'.repeat(64), reversible: true}]};
	const prepThree: RunEvent = {...(windowPlanned as EventOf<'window.planned'>), prep: [...(windowPlanned as EventOf<'window.planned'>).prep, {id: 'dash', text: 'The dashboard is open'}]};

	it('keeps the step header, the prompt and the keys in 20 rows: the paths cut from their start, the identity whole', async () => {
		const screen = show(fold([longStarted, sqliteTarget, read, prepThree]), [], true, {columns: 60, rows: 20});
		const frame = await screen.waitForFrame('Type the database name to continue');
		assert.deepEqual(overflowing(frame, 60), []);
		const lines = frame.split('\n').filter(line => line.trim() !== '');
		assert.ok(lines.length <= 20, `the frame takes ${lines.length} of 20 rows:\n${frame}`);
		assert.match(frame, /cutover · step 1 of 7/);
		assert.match(frame, /Runbook …\S*\/checklists\/production\.yaml( \(\d checks? before\))?\n/);
		assert.match(frame, /Migrations: …\S*\/main\/migrations · golang-migrate format\n/);
		// The identity is what the operator compares with the ticket: wrapped, never cut.
		assert.match(frame.replaceAll(/\s+/g, ' '), /path \/tmp\/cutover-sqlite-oSstHp\/a-longer-name\/demo\.db · inode 22118501/);
		assert.match(frame, /Pending 3 migrations:/);
		assert.match(frame, /…and \d more( \(1 irreversible\))? · p: whole plan\n/);
		assert.match(frame, /Preparation \(0\/3 ticked(, \d shown, ↑↓ for the rest)?\):/);
		// Every item can still be reached and ticked: the arrows bring the last one into view.
		screen.stdin.write(keys.down);
		screen.stdin.write(keys.down);
		const last = await screen.waitForFrame('› [ ] The dashboard is open');
		assert.ok(last.split('\n').filter(line => line.trim() !== '').length <= 20, last);
	});
});
