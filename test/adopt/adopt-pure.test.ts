import assert from 'node:assert/strict';
import {crc32 as zlibCrc32} from 'node:zlib';
import {describe, it} from 'node:test';
import {crc32, flywayChecksum} from '../../source/adopt/flyway-checksum.js';
import {mapBaseline, mapHistory, objectKey, type AdoptFile, type HistoryRow} from '../../source/adopt/map-history.js';
import {compareVersions, versionOf} from '../../source/adopt/versions.js';
import type {RunEvent} from '../../source/engine/events.js';
import {adoptionGate, rowsToWrite, windowGate} from '../../source/engine/gates.js';
import {createdObjects} from '../../source/sql/created-objects.js';
import {fold, opening} from '../support/run-events.js';

const file = (name: string, extra: Partial<AdoptFile> = {}): AdoptFile => ({name, checksum: `sha-${name}`, flywayChecksum: null, objects: [], ...extra});
const row = (key: string, extra: Partial<HistoryRow> = {}): HistoryRow => ({key, shown: `version ${key}`, state: 'applied', checksum: null, upTo: false, ...extra});

describe('Flyway checksum', () => {
	it('uses the standard CRC-32 (check value of "123456789")', () => {
		assert.equal(crc32(new TextEncoder().encode('123456789')), 0xCB_F4_39_26);
	});

	it('is the CRC-32 of the lines without their line endings, as a signed int', () => {
		const fixture = 'CREATE TABLE accounts (\n\tid bigint PRIMARY KEY,\n\tname text NOT NULL -- é\n);\nCREATE INDEX accounts_name ON accounts (name);\n';
		// The documented algorithm, computed independently: node's own CRC-32 over the lines' UTF-8 bytes, concatenated.
		const lines = ['CREATE TABLE accounts (', '\tid bigint PRIMARY KEY,', '\tname text NOT NULL -- é', ');', 'CREATE INDEX accounts_name ON accounts (name);'];
		const expected = zlibCrc32(Buffer.from(lines.join(''), 'utf8')) | 0;
		assert.equal(flywayChecksum(fixture), expected);
		assert.equal(flywayChecksum(fixture.replaceAll('\n', '\r\n')), expected, 'CRLF gives the same');
		assert.equal(flywayChecksum(`\uFEFF${fixture}`), expected, 'a BOM is dropped');
		assert.equal(flywayChecksum(fixture.trimEnd()), expected, 'the final newline does not count');
		assert.notEqual(flywayChecksum(fixture.replace('bigint', 'integer')), expected);
		// A value computed by hand once: 'SELECT 1;' → CRC-32 0x… signed.
		assert.equal(flywayChecksum('SELECT 1;\n'), zlibCrc32(Buffer.from('SELECT 1;')) | 0);
	});
});

describe('versions by prefix', () => {
	it('reads today\'s, goose\'s, timestamp and Flyway names', () => {
		assert.equal(versionOf('0001_create_users'), '1');
		assert.equal(versionOf('00001_create_users'), '1');
		assert.equal(versionOf('20240101120000_add_index'), '20240101120000');
		assert.equal(versionOf('V1.2__add_status'), '1.2');
		assert.equal(versionOf('V1_2__add_status'), '1.2');
		assert.equal(versionOf('V010__x'), '10');
		assert.equal(versionOf('R__views'), null);
		assert.equal(versionOf('init'), null);
		assert.ok(compareVersions('1.10', '1.9') > 0);
		assert.ok(compareVersions('20240101120000', '9') > 0);
		assert.equal(compareVersions('1.0', '1'), 0);
	});
});

describe('mapHistory', () => {
	const files = [file('0001_a'), file('0002_b'), file('0003_c'), file('0004_d')];
	it('one row per applied version (dbmate, goose): applied, then pending', () => {
		const m = mapHistory(files, {tool: 'dbmate', rows: [row('1'), row('2')], notes: []}, new Set());
		assert.deepEqual(m.rows.map(r => r.status), ['applied', 'applied', 'pending', 'pending']);
		assert.deepEqual(m.problems, []);
	});

	it('golang-migrate\'s one row covers everything up to it; dirty blocks', () => {
		const clean = mapHistory(files, {tool: 'golang-migrate', rows: [row('3', {upTo: true})], notes: []}, new Set());
		assert.deepEqual(clean.rows.map(r => r.status), ['applied', 'applied', 'applied', 'pending']);
		const dirty = mapHistory(files, {tool: 'golang-migrate', rows: [row('3', {upTo: true, state: 'dirty'})], notes: []}, new Set());
		assert.equal(dirty.rows[2]?.status, 'dirty');
		assert.match(dirty.problems[0]?.detail ?? '', /dirty: it stopped half-way through 0003_c/);
	});

	it('a gap, a row with no file, a failed row, a checksum mismatch: each a problem', () => {
		const withSums = [file('0001_a', {flywayChecksum: 11}), file('0002_b', {flywayChecksum: 22}), file('0003_c', {flywayChecksum: 33})];
		const m = mapHistory(withSums, {tool: 'flyway', rows: [row('1', {checksum: 11}), row('3', {checksum: 99}), row('7')], notes: []}, new Set());
		assert.deepEqual(m.rows.map(r => `${r.file ?? '-'}:${r.status}`), ['0001_a:applied', '0002_b:not-in-history', '0003_c:checksum-mismatch', '-:no-file']);
		assert.equal(m.problems.length, 3);
		assert.ok(m.problems.every(p => !p.overridable));
		const failed = mapHistory(withSums, {tool: 'flyway', rows: [row('1', {checksum: 11, state: 'failed'})], notes: []}, new Set());
		assert.equal(failed.rows[0]?.status, 'failed');
	});

	it('an Alembic head maps only to a file that names its revision', () => {
		const named = [file('0001_ae1027a6acf_init'), file('0002_1975ea83b712_add')];
		assert.deepEqual(mapHistory(named, {tool: 'alembic', rows: [row('ae1027a6acf', {upTo: true, revision: true})], notes: []}, new Set()).rows.map(r => r.status), ['applied', 'pending']);
		const unnamed = mapHistory(files, {tool: 'alembic', rows: [row('ae1027a6acf', {upTo: true, revision: true})], notes: []}, new Set());
		assert.match(unnamed.problems[0]?.detail ?? '', /Alembic keeps only its head.*cutover baseline --to/);
	});
});

describe('mapBaseline and the adoption gate', () => {
	const files = [
		file('0001_a', {objects: [{kind: 'table', name: 'users'}, {kind: 'index', name: 'users_email'}]}),
		file('0002_b', {objects: [{kind: 'table', name: 'orders'}]}),
		file('0003_c', {objects: [{kind: 'table', name: 'later'}]}),
	];
	const start: RunEvent[] = opening.slice(0, 2);
	it('evidence per migration; missing objects are an overridable problem; --force writes them', () => {
		const present = new Set([objectKey({kind: 'table', name: 'users'}), objectKey({kind: 'index', name: 'users_email'})]);
		const m = mapBaseline(files, '0002_b', present, new Set());
		assert.deepEqual(m.rows.map(r => r.status), ['applied', 'objects-missing', 'pending']);
		assert.deepEqual(m.rows[1]?.objects, [{kind: 'table', name: 'orders', present: false}]);
		const planned: RunEvent = {type: 'adoption.planned', action: 'baseline', tool: null, to: '0002_b', ...m};
		const state = fold([...start, planned]);
		assert.equal(adoptionGate(state, 'demo').open, false);
		const forced = fold([...start, planned, {type: 'operator.override', checkId: 'baseline-evidence', reason: '--force'}]);
		assert.deepEqual(adoptionGate(forced, 'demo'), {open: true});
		assert.deepEqual(rowsToWrite(forced).map(r => r.file), ['0001_a', '0002_b']);
		assert.equal(adoptionGate(forced, 'prod').open, false, 'the name is asked as in the window');
	});

	it('the window gate stays shut on a live database without history', () => {
		const live: RunEvent = {type: 'migrations.planned', applied: [], pending: [{name: '0001_a', checksum: 'x', reversible: true}], adoption: {tables: ['users'], tableCount: 1, histories: ['flyway'], commands: ['cutover import --db x --migrations m --from flyway']}};
		const state = fold([opening[0]!, opening[1]!, live, opening[3]!, {type: 'operator.prep-ticked', itemId: 'notified', ticked: true}]);
		const gate = windowGate(state, 'demo');
		assert.equal(gate.open, false);
		assert.match(gate.open ? '' : gate.reasons.join('\n'), /1 table but no cutover_migrations.*cutover import --db x --migrations m --from flyway/);
	});
});

describe('createdObjects', () => {
	for (const engine of ['sqlite', 'postgres'] as const) {
		it(`${engine}: reads CREATE TABLE and CREATE INDEX names, quoted and qualified, and skips temporary tables and unnamed indexes`, async () => {
			const sql = `-- the first
CREATE TABLE IF NOT EXISTS users (id int);
create unique index concurrently if not exists users_email on users (email);
CREATE TABLE "Mixed Case" (id int);
CREATE TABLE audit.events (id int);
CREATE TEMP TABLE scratch (id int);
CREATE INDEX ON users (id);
/* c */ CREATE UNLOGGED TABLE fast (id int);
ALTER TABLE users ADD COLUMN x int;`;
			assert.deepEqual(await createdObjects(sql, engine), [
				{kind: 'table', name: 'users'},
				{kind: 'index', name: 'users_email'},
				{kind: 'table', name: '"Mixed Case"'},
				{kind: 'table', name: 'audit.events'},
				{kind: 'table', name: 'fast'},
			]);
		});
	}
});
