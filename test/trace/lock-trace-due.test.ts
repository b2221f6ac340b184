// When a run still has its locks to measure (a resume in particular), and how a trace's events
// fold in a run over several databases: engine tables, no database.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {activeView} from '../../source/engine/databases.js';
import type {RunEvent} from '../../source/engine/events.js';
import {lockTraceDue, lockTraceLeftOut} from '../../source/engine/lock-trace-due.js';
import {judgeTrace, type TracedMigration} from '../../source/engine/lock-trace.js';
import {backupStarted, fold, started, windowConfirmed, windowEvents, windowPlanned} from '../support/run-fixtures.js';

const migration = (name: string): TracedMigration => ({name, transaction: true, problem: null, statements: []});
const reportOf = (...names: string[]) => judgeTrace({migrations: names.map(migration), appliedBefore: 2}, new Map(), {target: 't', scratch: 's', migrationsDirectory: 'm'});
const traced = (...names: string[]): RunEvent => ({type: 'lock-impact.traced', report: reportOf(...names), left: null});
const resumed: RunEvent = {type: 'run.resumed', operator: {osUser: 'ops', name: 'Ops'}, host: 'h', reconciliation: []};
const both = ['0003-unique-meter-serial', '0004-drop-legacy-tariffs'];
const maintenanceOn: RunEvent = {type: 'command.started', id: 'maintenance-on', purpose: 'maintenance mode on', command: 'echo on'};

describe('lockTraceDue: whether a run still has its locks to measure', () => {
	const cases: Array<[string, RunEvent[], boolean]> = [
		['planned, never traced', windowEvents, true],
		['a trace that failed', [...windowEvents, {type: 'lock-impact.started'}, {type: 'lock-impact.failed', reason: 'no CREATEDB'}], true],
		['a trace the stop cut short, then resumed', [...windowEvents, {type: 'lock-impact.started'}, resumed], true],
		['a trace of the same migrations', [...windowEvents, {type: 'lock-impact.started'}, traced(...both)], false],
		['a trace missing one of them', [...windowEvents, {type: 'lock-impact.started'}, traced(both[0]!)], true],
		['the upgrade began', [...windowEvents, {type: 'upgrade.started', names: both}], false],
		['nothing pending', [started, {type: 'migrations.planned', applied: [], pending: []}], false],
		['window confirmed, maintenance not yet on', [...windowEvents, ...windowConfirmed], true],
		['maintenance mode went on', [...windowEvents, ...windowConfirmed, maintenanceOn], false],
		['the backup began (no maintenance command)', [...windowEvents, ...windowConfirmed, backupStarted], false],
	];
	for (const [what, events, due] of cases) {
		it(`${what}: ${due ? 'due' : 'not due'}`, () => {
			assert.equal(lockTraceDue(fold(events)), due);
		});
	}

	it('says why a trace is left out once the downtime has begun, and only then', () => {
		assert.equal(lockTraceLeftOut(fold([...windowEvents, ...windowConfirmed])), null);
		assert.match(lockTraceLeftOut(fold([...windowEvents, ...windowConfirmed, maintenanceOn])) ?? '', /^maintenance mode went on before the stop, and tracing on this resume would lengthen the downtime/);
		assert.match(lockTraceLeftOut(fold([...windowEvents, ...windowConfirmed, backupStarted])) ?? '', /^the backup began before the stop/);
		// Nothing left to measure: nothing to leave out either.
		assert.equal(lockTraceLeftOut(fold([...windowEvents, ...windowConfirmed, maintenanceOn, {type: 'lock-impact.started'}, traced(...both)])), null);
		// A run over several databases keeps maintenance in the run's own state.
		const database = fold([...windowEvents, ...windowConfirmed]);
		const run = fold([...windowEvents, ...windowConfirmed, maintenanceOn]);
		assert.equal(lockTraceDue(database, run), false);
		assert.notEqual(lockTraceLeftOut(database, run), null);
	});

	it('leaves an earlier failure\'s reason standing, and does not say it twice', () => {
		const failed: RunEvent = {type: 'lock-impact.failed', reason: 'the scratch database "x" could not be dropped: drop it with DROP DATABASE "x"'};
		const earlier = fold([...windowEvents, {type: 'lock-impact.started'}, failed, ...windowConfirmed, maintenanceOn, resumed]);
		assert.equal(lockTraceDue(earlier), false);
		assert.equal(lockTraceLeftOut(earlier), null);
		const saidOnce = fold([...windowEvents, ...windowConfirmed, maintenanceOn, resumed]);
		const reason = lockTraceLeftOut(saidOnce) ?? assert.fail('said on the first resume');
		assert.equal(lockTraceLeftOut(fold([...windowEvents, ...windowConfirmed, maintenanceOn, resumed, {type: 'lock-impact.failed', reason}, resumed])), null);
	});

	it('a resume forgets a trace the stop cut short, and keeps one that finished', () => {
		assert.equal(fold([...windowEvents, {type: 'lock-impact.started'}, resumed]).lockImpact, null);
		assert.equal(fold([...windowEvents, {type: 'lock-impact.started'}, traced(...both), resumed]).lockImpact?.status, 'traced');
	});
});

describe('a trace\'s events in a run over several databases', () => {
	const of = (database: string, event: RunEvent): RunEvent => ({type: 'database.event', database, event});
	const legs = [{name: 'users', target: 'postgres://db-1/users', migrationsDir: '/m/users'}, {name: 'pool', target: 'postgres://db-2/pool', migrationsDir: '/m/pool'}];
	const runStarted: RunEvent = {...started as Extract<RunEvent, {type: 'run.started'}>, databases: legs};

	it('fold into their own database, and a result does not take the screen from the database being worked on', () => {
		const state = fold([
			runStarted,
			...windowEvents.slice(0, 3).map(e => of('users', e)), of('users', {type: 'lock-impact.started'}),
			...windowEvents.slice(0, 3).map(e => of('pool', e)), of('pool', {type: 'lock-impact.started'}),
			of('users', windowPlanned),
			of('users', {type: 'lock-impact.failed', reason: 'no CREATEDB'}),
			// Pool's result comes last, while the users window is on screen.
			of('pool', traced(...both)),
		]);
		assert.equal(state.activeDatabase, 'users');
		assert.equal(activeView(state).state.lockImpact?.status, 'failed');
		assert.equal(state.databases?.find(d => d.name === 'pool')?.state.lockImpact?.status, 'traced');
		assert.equal(state.lockImpact, null);
	});

	it('count any database\'s backup begun as the downtime of the others', () => {
		const run = fold([
			runStarted,
			...[...windowEvents.slice(1), ...windowConfirmed].map(e => of('users', e)),
			...[...windowEvents.slice(1), ...windowConfirmed].map(e => of('pool', e)),
			of('users', backupStarted),
		]);
		const pool = run.databases?.find(d => d.name === 'pool')?.state ?? assert.fail('pool');
		assert.equal(pool.backup, null);
		assert.equal(lockTraceDue(pool, run), false);
		assert.match(lockTraceLeftOut(pool, run) ?? '', /^the backup began before the stop/);
	});
});
