import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {DatabaseSnapshot} from '../../source/engine/snapshot.js';
import {diffSnapshots, summarizeDiff} from '../../source/engine/snapshot-diff.js';
import {isKnownKind} from '../../source/engine/event-kinds.js';
import type {Entry} from '../../source/engine/events.js';
import {reduce} from '../../source/engine/reduce.js';
import {initialState} from '../../source/engine/state.js';
import {downgradeLeftovers, extensionsLeft} from '../../source/engine/downgrade-check.js';
import {expectedChanges} from '../../source/engine/expected-changes.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import {snapshotOf} from '../support/snapshots.js';

const base = (): DatabaseSnapshot => ({
	engine: 'postgres',
	database: 'shop',
	migration: '0003_c',
	bytes: 10_000,
	tables: [
		{name: 'meters', rows: 10, bytes: 8192, columns: [{name: 'id', type: 'integer', nullable: false, default: null}, {name: 'kind', type: 'text', nullable: true, default: null}]},
		{name: 'users', rows: 3, bytes: 8192, columns: [{name: 'id', type: 'integer', nullable: false, default: null}]},
	],
	indexes: [{name: 'meters_kind', table: 'meters', unique: false, definition: 'CREATE INDEX meters_kind ON public.meters USING btree (kind)'}],
	constraints: [{name: 'meters_pkey', table: 'meters', kind: 'primary-key', definition: 'PRIMARY KEY (id)'}],
	views: [{name: 'active', definition: 'SELECT 1'}],
});

/** The base with one change made by `change`. */
const changed = (change: (s: DatabaseSnapshot) => void) => {
	const s = structuredClone(base());
	change(s);
	return s;
};

const table = (s: DatabaseSnapshot, name: string) => s.tables.find(t => t.name === name)!;

// Types, functions, triggers and the rest: compared where both snapshots read them.
const withOthers = (): DatabaseSnapshot => ({...base(), others: [
	{kind: 'type', name: 'mood', table: null, definition: 'enum (\'ok\', \'sad\')'},
	{kind: 'function', name: 'touch()', table: null, definition: 'CREATE FUNCTION touch() …'},
	{kind: 'trigger', name: 'meters.touch', table: 'meters', definition: 'CREATE TRIGGER touch …'},
]});
const othersChanged = (change: (s: DatabaseSnapshot) => void) => {
	const s = structuredClone(withOthers());
	change(s);
	return s;
};


describe('diffSnapshots: what is unexpected', () => {
	const cases: Array<{name: string; after: DatabaseSnapshot; objects: string[]; unexpected: string[]}> = [
		{name: 'no change', after: base(), objects: [], unexpected: []},
		{name: 'a table added (with its index)', after: changed(s => {
			s.tables.push({name: 'archive', rows: 2, bytes: 0, columns: [{name: 'id', type: 'integer', nullable: false, default: null}]});
			s.indexes.push({name: 'archive_id', table: 'archive', unique: true, definition: 'CREATE UNIQUE INDEX archive_id ON public.archive (id)'});
		}), objects: ['added table archive'], unexpected: []},
		{name: 'a table removed (its index and constraint go with it)', after: changed(s => {
			s.tables = s.tables.filter(t => t.name !== 'meters');
			s.indexes = [];
			s.constraints = [];
		}), objects: ['removed table meters'], unexpected: ['table meters was removed (it had 10 rows)']},
		{name: 'a column added', after: changed(s => table(s, 'users').columns.push({name: 'status', type: 'text', nullable: false, default: "'active'::text"})), objects: ['added column users.status'], unexpected: []},
		{name: 'a column removed', after: changed(s => table(s, 'meters').columns.pop()), objects: ['removed column meters.kind'], unexpected: ['column meters.kind was removed']},
		{name: 'a column\'s type changed', after: changed(s => {
			table(s, 'meters').columns[1]!.type = 'character varying(10)';
		}), objects: ['changed column meters.kind'], unexpected: ['column meters.kind changed: text → character varying(10)']},
		{name: 'a column made NOT NULL', after: changed(s => {
			table(s, 'meters').columns[1]!.nullable = false;
		}), objects: ['changed column meters.kind'], unexpected: ['column meters.kind changed: text → text not null']},
		{name: 'an index redefined', after: changed(s => {
			s.indexes[0]!.definition = 'CREATE INDEX meters_kind ON public.meters USING btree (kind, id)';
		}), objects: ['changed index meters_kind'], unexpected: ['index meters_kind on meters was defined otherwise']},
		{name: 'an index removed, another added', after: changed(s => {
			s.indexes = [{name: 'meters_kind_id', table: 'meters', unique: false, definition: 'CREATE INDEX meters_kind_id ON public.meters USING btree (kind, id)'}];
		}), objects: ['removed index meters_kind', 'added index meters_kind_id'], unexpected: ['index meters_kind on meters was removed']},
		{name: 'a constraint removed', after: changed(s => {
			s.constraints = [];
		}), objects: ['removed constraint meters_pkey'], unexpected: ['constraint meters_pkey on meters was removed']},
		{name: 'a view removed', after: changed(s => {
			s.views = [];
		}), objects: ['removed view active'], unexpected: ['view active was removed']},
		{name: 'rows dropped', after: changed(s => {
			table(s, 'meters').rows = 7;
		}), objects: [], unexpected: ['table meters lost 3 rows (10 → 7)']},
		{name: 'rows grew, sizes changed, a new version', after: changed(s => {
			table(s, 'meters').rows = 12;
			table(s, 'users').bytes = 16_384;
			s.migration = '0004_d';
			s.bytes = 20_000;
		}), objects: [], unexpected: []},
		{name: 'the version went to an earlier name (a rollback, or a format not in name order)', after: changed(s => {
			s.migration = '0002_b';
		}), objects: [], unexpected: []},
		{name: 'the version vanished', after: changed(s => {
			s.migration = null;
		}), objects: [], unexpected: ['the migration version 0003_c is gone (no cutover_migrations row after)']},
	];

	for (const c of cases) {
		it(c.name, () => {
			const diff = diffSnapshots(base(), c.after);
			assert.deepEqual(diff.objects.map(o => `${o.change} ${o.kind} ${o.name}`).sort(), [...c.objects].sort());
			assert.deepEqual(diff.unexpected, c.unexpected);
		});
	}

	const otherCases: Array<{name: string; before?: DatabaseSnapshot; after: DatabaseSnapshot; objects: string[]; unexpected: string[]}> = [
		{name: 'a type and a function removed', after: othersChanged(s => {
			s.others = s.others!.filter(o => o.kind === 'trigger');
		}), objects: ['removed function touch()', 'removed type mood'], unexpected: ['function touch() was removed', 'type mood was removed']},
		{name: 'an enum given a value', after: othersChanged(s => {
			s.others![0]!.definition = 'enum (\'ok\', \'sad\', \'glad\')';
		}), objects: ['changed type mood'], unexpected: ['type mood was defined otherwise']},
		{name: 'a function made again with other indentation and line breaks: not changed', after: othersChanged(s => {
			s.others![1]!.definition = 'CREATE FUNCTION\n\ttouch()   …';
		}), objects: [], unexpected: []},
		{name: 'a sequence added', after: othersChanged(s => {
			s.others!.push({kind: 'sequence', name: 'ids', table: null, definition: 'bigint start 1'});
		}), objects: ['added sequence ids'], unexpected: []},
		{name: 'a trigger goes with its table', after: othersChanged(s => {
			s.tables = s.tables.filter(t => t.name !== 'meters');
			s.indexes = [];
			s.constraints = [];
			s.others = s.others!.filter(o => o.kind !== 'trigger');
		}), objects: ['removed table meters'], unexpected: ['table meters was removed (it had 10 rows)']},
		{name: 'a snapshot recorded before they were read is not compared on them', after: base(), objects: [], unexpected: []},
		{name: 'nor one recorded after, against one from before', before: base(), after: withOthers(), objects: [], unexpected: []},
		{name: 'a serial\'s sequence goes with its table', after: othersChanged(s => {
			s.tables = s.tables.filter(t => t.name !== 'meters');
			s.indexes = [];
			s.constraints = [];
			s.others = s.others!.filter(o => o.kind !== 'trigger');
		}), before: othersChanged(s => {
			s.others!.push({kind: 'sequence', name: 'meters_id_seq', table: 'meters', definition: 'integer start 1 owned by meters.id'});
		}), objects: ['removed table meters'], unexpected: ['table meters was removed (it had 10 rows)']},
	];

	for (const c of otherCases) {
		it(c.name, () => {
			const diff = diffSnapshots(c.before ?? withOthers(), c.after);
			assert.deepEqual(diff.objects.map(o => `${o.change} ${o.kind} ${o.name}`).sort(), [...c.objects].sort());
			assert.deepEqual(diff.unexpected, c.unexpected);
		});
	}

	it('lists unexpected changes first, and rows and sizes per table', () => {
		const after = changed(s => {
			s.views.push({name: 'zz_new', definition: 'SELECT 2'});
			s.views = s.views.filter(v => v.name !== 'active');
			table(s, 'meters').rows = 12;
			table(s, 'meters').bytes = 16_384;
		});
		const diff = diffSnapshots(base(), after);
		assert.deepEqual(diff.objects.map(o => `${o.unexpected === null ? ' ' : '!'} ${o.name}`), ['! active', '  zz_new']);
		assert.deepEqual(diff.data, [{table: 'meters', rows: {before: 10, after: 12}, bytes: {before: 8192, after: 16_384}, unexpected: null, allowed: false}]);
		assert.equal(diff.unchangedTables, 1);
		assert.deepEqual(summarizeDiff(diff), {added: 1, removed: 1, changed: 0, unexpected: ['view active was removed']});
	});

	it('--allow accepts an object by name, or everything on a table by its name', () => {
		const after = changed(s => {
			table(s, 'meters').columns.pop();
			table(s, 'meters').rows = 1;
			s.views = [];
		});
		assert.equal(diffSnapshots(base(), after).unexpected.length, 3);
		const byName = diffSnapshots(base(), after, {allow: ['meters.kind', 'active']});
		assert.deepEqual(byName.unexpected, ['table meters lost 9 rows (10 → 1)']);
		assert.ok(byName.objects.every(o => o.allowed && o.unexpected === null));
		const byTable = diffSnapshots(base(), after, {allow: ['meters']});
		assert.deepEqual(byTable.unexpected, ['view active was removed']);
		assert.equal(byTable.data[0]?.allowed, true);
	});

	it('notes snapshots of different databases, without judging them', () => {
		const other = {...base(), database: 'shop_copy'};
		assert.deepEqual(diffSnapshots(base(), other).notes, ['the snapshots are of different databases (shop, shop_copy)']);
		assert.deepEqual(diffSnapshots(base(), snapshotOf({meters: 10, users: 3})).notes, ['the snapshots are of different engines (postgres, sqlite)']);
	});
});

describe('reduce: snapshot.taken', () => {
	it('keeps the snapshot of each phase; a record without any leaves them null', () => {
		const start = initialState();
		assert.deepEqual(start.snapshots, {before: null, after: null, downgraded: null});
		const before = base();
		const after = changed(s => {
			s.migration = '0004_d';
		});
		const entries: Entry[] = [
			{seq: 0, at: 1, event: {type: 'snapshot.taken', phase: 'before', snapshot: before}},
			{seq: 1, at: 2, event: {type: 'snapshot.taken', phase: 'after', snapshot: after, compared: summarizeDiff(diffSnapshots(before, after))}},
		];
		const [first, second] = [reduce(start, entries[0]!), entries.reduce(reduce, start)];
		assert.deepEqual(first.snapshots, {before, after: null, downgraded: null});
		assert.deepEqual(second.snapshots, {before, after, downgraded: null});
		// A snapshot taken again (a resumed run that had not recorded its baseline yet) replaces the first.
		const again = reduce(second, {seq: 2, at: 3, event: {type: 'snapshot.taken', phase: 'before', snapshot: after}});
		assert.equal(again.snapshots.before, after);
		assert.equal(describeEvent(entries[1]!.event), 'snapshot after the upgrade: postgres database shop, 9.8 kB, migration 0004_d, 2 tables (13 rows), 1 index, 1 constraint, 1 view; against the one before: 0 added, 0 removed, 0 changed, no unexpected change');
		assert.ok(isKnownKind('snapshot.taken'));
	});

	it('keeps the snapshot after a downgrade, and says so in plain output', () => {
		const before = base();
		const event = {type: 'snapshot.taken', phase: 'downgraded', snapshot: before, compared: summarizeDiff(diffSnapshots(before, before))} as const;
		const state = reduce(initialState(), {seq: 0, at: 1, event});
		assert.deepEqual(state.snapshots, {before: null, after: null, downgraded: before});
		assert.match(describeEvent(event), /^snapshot after the downgrade: postgres database shop/);
	});
});

describe('downgradeLeftovers', () => {
	it('names what the downs left behind, what is gone and what changed; null when the schema matches', () => {
		const before = base();
		assert.equal(downgradeLeftovers(before, before), null);
		const after = changed(s => {
			s.tables.push({name: 'bench_x', rows: 0, bytes: 0, columns: []});
			s.tables[0]!.rows += 5;
		});
		assert.equal(downgradeLeftovers(before, after), 'the downs left behind: table bench_x');
	});

	it('takes what the migrations\' own statements name as expected: a function by its bare name, a trigger by its own, rows only where they remove them', () => {
		const before = withOthers();
		const after = othersChanged(s => {
			s.others = [];
			table(s, 'users').rows = 1;
			s.views = [];
		});
		assert.equal(diffSnapshots(before, after).unexpected.length, 5);
		const diff = diffSnapshots(before, after, {expected: {objects: ['touch', 'mood', 'active', 'users'], rows: []}});
		assert.deepEqual(diff.unexpected, ['table users lost 2 rows (3 → 1)']);
		assert.deepEqual(diff.objects.filter(o => o.allowed).map(o => `${o.kind} ${o.name}`).sort(), ['function touch()', 'trigger meters.touch', 'type mood', 'view active']);
		assert.deepEqual(diffSnapshots(before, after, {expected: {objects: ['touch', 'mood', 'active'], rows: ['users']}}).unexpected, []);
	});

	it('expects what the migrations this run applied name, not the ones it did not get to', () => {
		const touches = (objects: string[]) => ({objects, rows: objects});
		const plan = {applied: [], pending: [{name: '1', checksum: 'a', reversible: true, touches: touches(['users'])}, {name: '2', checksum: 'b', reversible: true, touches: touches(['meters'])}, {name: '3', checksum: 'c', reversible: true}], format: 'golang-migrate' as const, ignored: [], skipped: []};
		const row = (name: string, status: 'done' | 'failed') => ({name, direction: 'up' as const, reversible: true, status, attempt: 1, retry: null, startedAt: 0, durationMs: 1, error: null, statement: null});
		assert.deepEqual(expectedChanges({plan, migrations: [row('1', 'done'), row('2', 'failed')]}), {objects: ['users'], rows: ['users']});
		assert.deepEqual(expectedChanges({plan, migrations: []}), {objects: [], rows: []});
	});

	it('says when one snapshot was taken before the other objects were read', () => {
		const read: DatabaseSnapshot = {...base(), others: []};
		assert.deepEqual(diffSnapshots(base(), read).notes, ['the first snapshot was taken before triggers, types, functions and sequences were read: those are not compared']);
		assert.deepEqual(diffSnapshots(read, base()).notes, ['the second snapshot was taken before triggers, types, functions and sequences were read: those are not compared']);
		assert.deepEqual(diffSnapshots(read, read).notes, []);
	});

	it('on SQLite, a trigger whose names SQLite quoted when a table was renamed away and back is unchanged', () => {
		const trigger = (definition: string): DatabaseSnapshot => ({...base(), engine: 'sqlite', others: [{kind: 'trigger', name: 'users.touch', table: 'users', definition}]});
		const quoted = trigger('CREATE TRIGGER touch AFTER UPDATE ON "users" BEGIN UPDATE "meters" SET kind = kind; END');
		assert.deepEqual(diffSnapshots(trigger('CREATE TRIGGER touch AFTER UPDATE ON users BEGIN UPDATE meters SET kind = kind; END'), quoted).objects, []);
		assert.equal(diffSnapshots(trigger('CREATE TRIGGER touch AFTER UPDATE ON users BEGIN UPDATE meters SET kind = 1; END'), quoted).objects.length, 1);
		// Its views and indexes the same.
		const sqlite = (view: string, index: string): DatabaseSnapshot => ({...base(), engine: 'sqlite', views: [{name: 'active', definition: view}], indexes: [{name: 'meters_kind', table: 'meters', unique: false, definition: index}]});
		assert.deepEqual(diffSnapshots(sqlite('CREATE VIEW active AS SELECT id FROM meters', 'CREATE INDEX meters_kind ON meters (kind)'), sqlite('CREATE VIEW active AS SELECT id FROM "meters"', 'CREATE INDEX meters_kind ON "meters" (kind)')).objects, []);
		// On PostgreSQL a quoted name is another name ("Users" is not users): compared as written.
		assert.equal(diffSnapshots({...base(), views: [{name: 'active', definition: 'SELECT 1 FROM users'}]}, {...base(), views: [{name: 'active', definition: 'SELECT 1 FROM "users"'}]}).objects.length, 1);
	});

	it('does not fail a downgrade on an extension the upgrade installed, and says it stays; one the downs removed fails it', () => {
		const before: DatabaseSnapshot = {...base(), others: [{kind: 'extension', name: 'plpgsql', table: null, definition: 'version 1.0 in pg_catalog'}]};
		const installed = structuredClone(before);
		installed.others!.push({kind: 'extension', name: 'pg_trgm', table: null, definition: 'version 1.6 in public'});
		assert.equal(downgradeLeftovers(before, installed), null);
		assert.equal(extensionsLeft(before, installed), 'extension pg_trgm stays installed (no down drops it; an up that creates it without IF NOT EXISTS would fail on it)');
		assert.equal(extensionsLeft(before, before), null);
		assert.equal(downgradeLeftovers(installed, before), 'gone: extension pg_trgm');
	});

	it('does not count the folder\'s tool history table cutover made and keeps (maragu\'s migrations) as left behind', () => {
		const before = base();
		const after = changed(s => {
			s.tables.push({name: 'migrations', rows: 1, bytes: 0, columns: []});
		});
		assert.equal(downgradeLeftovers(before, after, ['migrations']), null);
		assert.equal(downgradeLeftovers(before, after), 'the downs left behind: table migrations');
	});
});
