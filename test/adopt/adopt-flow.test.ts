import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {AdoptFile, HistoryRead} from '../../source/adopt/map-history.js';
import type {HistoryTool} from '../../source/engine/model.js';
import type {Adopter, AdoptedRow} from '../../source/ports/adopter.js';
import {runAdoption, type AdoptOptions} from '../../source/run/adopt-flow.js';
import {createSession} from '../../source/run/session.js';
import {describeEvent} from '../../source/journal/describe-event.js';

const files: AdoptFile[] = [
	{name: '0001_users', checksum: 'a'.repeat(64), flywayChecksum: 1, objects: [{kind: 'table', name: 'users'}]},
	{name: '0002_orders', checksum: 'b'.repeat(64), flywayChecksum: 2, objects: [{kind: 'table', name: 'orders'}]},
];

/** An adopter over fixed facts, that remembers what it was asked to write. */
type Facts = {histories: readonly HistoryTool[]; history?: HistoryRead; present?: readonly string[]; logged?: readonly string[]};

function fakeAdopter(facts: Facts) {
	const written: AdoptedRow[][] = [];
	const adopter: Adopter = {
		files: async () => files,
		logged: async () => [...(facts.logged ?? [])],
		liveSchema: async () => null,
		histories: async () => [...facts.histories],
		readHistory: async () => facts.history ?? {tool: 'dbmate', rows: [], notes: []},
		present: async () => new Set(facts.present ?? []),
		async write(rows) {
			written.push([...rows]);
		},
		close: async () => {},
	};
	return {adopter, written};
}

function options(action: 'import' | 'baseline', extra: Partial<AdoptOptions> = {}): AdoptOptions {
	return {
		start: {runId: 'r1', toolVersion: '0', operator: {osUser: 'ops', name: 'Ops'}, host: 'h', target: 'sqlite:/x.db', checklist: {name: 'none', path: `cutover ${action}`, sha256: ''}, migrationsDir: '/m', to: null, mode: 'plain', previousRecord: null, signer: null, adoption: action},
		action,
		from: null,
		to: action === 'baseline' ? '0002_orders' : null,
		force: false,
		...extra,
	};
}

async function adopt(adopter: Adopter, opts: AdoptOptions, typed: string, stop: () => string | null = () => null) {
	const session = createSession({path: 'memory', append() {}, close() {}}, {now: () => 1_700_000_000_000});
	const outcome = await runAdoption({
		session,
		adopter,
		database: {fingerprint: async () => ({engine: 'sqlite', serverVersion: '3', host: 'h', database: 'shop', sizeBytes: 1})},
		clock: {now: () => 1_700_000_000_000},
		confirmName: async () => ({typed}),
		onConfirmed: async () => {},
		appliedBy: 'Ops via cutover',
		stopRequested: stop,
	}, opts);
	return {outcome, kinds: session.entries.map(e => e.event.type), session};
}

const dbmate: HistoryRead = {tool: 'dbmate', rows: [{key: '1', shown: 'version 1', state: 'applied', checksum: null, upTo: false}], notes: []};

describe('runAdoption', () => {
	it('imports the one history found, and records the whole way to run.finished', async () => {
		const {adopter, written} = fakeAdopter({histories: ['dbmate'], history: dbmate});
		const {outcome, kinds} = await adopt(adopter, options('import'), 'shop');
		assert.equal(outcome, 'adopted');
		assert.deepEqual(written, [[{name: '0001_users', checksum: 'a'.repeat(64)}]]);
		assert.deepEqual(kinds, ['run.started', 'target.fingerprinted', 'adoption.planned', 'operator.adoption-confirmed', 'adoption.written', 'run.finished']);
	});

	it('a wrong name, no history table, several of them, or cutover history already there: nothing written', async () => {
		const table: Array<[Facts, AdoptOptions, string, string, RegExp]> = [
			[{histories: ['dbmate'], history: dbmate}, options('import'), 'shp', 'abandoned', /"shp" is not the database name \(shop\)/],
			[{histories: []}, options('import'), 'shop', 'failed', /no history table of golang-migrate.*cutover baseline --to/],
			[{histories: ['dbmate', 'flyway']}, options('import'), 'shop', 'failed', /several tools are here \(dbmate, flyway\).*--from/],
			[{histories: ['dbmate']}, options('import', {from: 'goose'}), 'shop', 'failed', /there is no goose history table.*--from dbmate/],
			[{histories: ['dbmate'], history: dbmate, logged: ['0001_users']}, options('import'), 'shop', 'failed', /cutover_migrations already holds 1 row/],
			[{histories: []}, options('baseline', {to: '0009_nope'}), 'shop', 'failed', /there is no migration 0009_nope/],
		];
		for (const [facts, opts, typed, outcome, message] of table) {
			const {adopter, written} = fakeAdopter(facts as Facts);
			// eslint-disable-next-line no-await-in-loop
			const {outcome: got, session} = await adopt(adopter, opts, typed);
			assert.equal(got, outcome);
			assert.deepEqual(written, []);
			const said = session.entries.map(e => describeEvent(e.event)).join('\n');
			assert.match(said, message);
		}
	});

	it('baseline: missing objects refuse it; --force writes them with an override on the record', async () => {
		const refused = fakeAdopter({histories: [], present: ['table:users']});
		assert.equal((await adopt(refused.adopter, options('baseline'), 'shop')).outcome, 'failed');
		assert.deepEqual(refused.written, []);
		const forced = fakeAdopter({histories: [], present: ['table:users']});
		const {outcome, kinds} = await adopt(forced.adopter, options('baseline', {force: true}), 'shop');
		assert.equal(outcome, 'adopted');
		assert.ok(kinds.includes('operator.override'));
		assert.deepEqual(forced.written[0]?.map(r => r.name), ['0001_users', '0002_orders']);
	});

	it('a terminate before the write stops on a finished record, writing nothing', async () => {
		const {adopter, written} = fakeAdopter({histories: ['dbmate'], history: dbmate});
		const {outcome, kinds} = await adopt(adopter, options('import'), 'shop', () => 'received SIGTERM');
		assert.equal(outcome, 'abandoned');
		assert.deepEqual(written, []);
		assert.deepEqual(kinds.slice(-2), ['error', 'run.finished']);
	});
});
