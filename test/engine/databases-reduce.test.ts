// A run over several databases as a fold: each database's events into its own state, the console's
// view of the one being worked on, and the run's outcome from every database's.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {activeView, combinedOutcome} from '../../source/engine/databases.js';
import type {RunEvent, RunOutcome} from '../../source/engine/events.js';
import {initialState} from '../../source/engine/state.js';
import {fold, fingerprinted, planned, started, windowPlanned} from '../support/run-fixtures.js';

const legs = [{name: 'users', target: 'postgres://db-1/users', migrationsDir: '/m/users'}, {name: 'pool', target: 'postgres://db-2/pool', migrationsDir: '/m/pool'}];
const of = (database: string, event: RunEvent): RunEvent => ({type: 'database.event', database, event});
const runStarted: RunEvent = {...started as Extract<RunEvent, {type: 'run.started'}>, databases: legs};

test('each database folds its own events; the run keeps only its own', () => {
	const state = fold([
		runStarted,
		of('users', started),
		of('users', fingerprinted),
		of('users', planned),
		of('pool', started),
		of('pool', {type: 'operator.abandoned', reason: 'not now'}),
	]);
	assert.deepEqual(state.databases?.map(d => d.name), ['users', 'pool']);
	const users = state.databases![0]!.state;
	assert.equal(users.fingerprint?.database, 'shop');
	assert.deepEqual(users.migrations.map(m => m.name), ['0003-unique-meter-serial', '0004-drop-legacy-tariffs']);
	// A decision counts where it was taken: in that database's state, not in the run's.
	assert.deepEqual(state.databases![1]!.state.decisions.map(d => d.summary), ['stopped the run: not now']);
	assert.deepEqual(state.decisions, []);
	assert.equal(state.fingerprint, null);
	assert.equal(state.activeDatabase, 'pool');
	// Sequence numbers are the record's.
	assert.equal(state.databases![1]!.state.lastSeq, 5);
});

test('the console shows the database whose event came last, with where it stands among the others', () => {
	const state = fold([runStarted, of('users', started), of('users', fingerprinted), of('pool', started), of('users', windowPlanned)]);
	const {state: shown, leg} = activeView(state);
	assert.equal(shown.window?.expectedMinutes, 20);
	assert.equal(shown.now, state.now);
	assert.deepEqual({name: leg?.name, index: leg?.index, count: leg?.count}, {name: 'users', index: 1, count: 2});
	assert.deepEqual(leg?.all.map(d => d.name), ['users', 'pool']);
	// A run over one database is shown as it is.
	const single = fold([started, fingerprinted]);
	assert.equal(activeView(single).state, single);
	assert.equal(activeView(single).leg, null);
});

test('an event of a database the run did not announce still folds (a damaged record replays as far as it goes)', () => {
	const state = fold([started, of('orders', fingerprinted)]);
	assert.deepEqual(state.databases?.map(d => d.name), ['orders']);
	assert.deepEqual(state.unknownEvents, []);
});

test('the versions after the upgrade are kept with whether they agree', () => {
	const state = fold([runStarted, {type: 'databases.versions', versions: [{database: 'users', migrationsDir: '/m', version: '0002', expected: '0002'}, {database: 'pool', migrationsDir: '/m', version: '0001', expected: '0002'}], consistent: false, problems: ['pool is at 0001, its plan brings it to 0002']}]);
	assert.equal(state.versions?.consistent, false);
	assert.deepEqual(state.versions?.problems, ['pool is at 0001, its plan brings it to 0002']);
});

test('the run\'s outcome from every database\'s', () => {
	const runs = (...outcomes: Array<RunOutcome | null>) => outcomes.map((outcome, i) => ({name: `d${i}`, target: '', migrationsDir: '', state: {...initialState(), outcome}}));
	const cases: Array<[Array<RunOutcome | null>, boolean | null, RunOutcome]> = [
		[['upgraded', 'upgraded'], true, 'upgraded'],
		[['upgraded', 'nothing-to-do'], true, 'upgraded'],
		[['upgraded', 'upgraded'], false, 'upgraded-with-failures'],
		[['upgraded', 'upgraded-with-failures'], true, 'upgraded-with-failures'],
		[['nothing-to-do', 'nothing-to-do'], null, 'nothing-to-do'],
		[['abandoned', 'abandoned'], null, 'abandoned'],
		[['rolled-back', 'rolled-back'], true, 'rolled-back'],
		[['rolled-back', 'abandoned'], null, 'rolled-back'],
		[['rolled-back', 'upgraded'], true, 'failed'],
		[['failed', 'abandoned'], null, 'failed'],
		[['upgraded', null], true, 'failed'],
	];
	for (const [outcomes, consistent, expected] of cases) {
		assert.equal(combinedOutcome(runs(...outcomes), consistent), expected, `${outcomes.join(', ')} (${String(consistent)})`);
	}

	// Stopped after one of its migrations applied: changed and not brought back, whatever its own outcome says.
	const changed = fold([started, planned, {type: 'upgrade.started', names: ['0003-unique-meter-serial']}, {type: 'migration.started', name: '0003-unique-meter-serial', direction: 'up'},
		{type: 'migration.finished', name: '0003-unique-meter-serial', direction: 'up', durationMs: 5}, {type: 'run.finished', outcome: 'abandoned', versionBefore: null, versionAfter: null}]);
	const untouched = {...initialState(), outcome: 'abandoned' as const};
	assert.equal(combinedOutcome([{name: 'a', target: '', migrationsDir: '', state: changed}, {name: 'b', target: '', migrationsDir: '', state: untouched}], null), 'failed');
	assert.equal(combinedOutcome([{name: 'a', target: '', migrationsDir: '', state: untouched}, {name: 'b', target: '', migrationsDir: '', state: untouched}], null), 'abandoned');
});
