// A whole recorded run as journal entries, built from the shared run fixtures: the override
// and the decisions are where a replay must highlight them.
import type {Entry, RunEvent} from '../../source/engine/events.js';
import {rollbackOptions} from '../../source/engine/gates.js';
import {fold} from '../support/run-fixtures.js';
import {backupDone, baseline, check, cleanPlanned, duplicateMeters, fingerprinted, orphanReadings, started, T0, verified, windowConfirmed, windowPlanned} from '../support/run-fixtures.js';

export const recordedEvents: RunEvent[] = [
	started,
	fingerprinted,
	cleanPlanned,
	windowPlanned,
	...windowConfirmed,
	...backupDone,
	verified(true),
	{type: 'check.finished', result: duplicateMeters},
	{type: 'check.finished', result: orphanReadings},
	baseline,
	{type: 'operator.override', checkId: 'pre.duplicate-meters', reason: 'known duplicates, archived by 0003'},
	{type: 'operator.proceed', step: 'pre'},
	{type: 'upgrade.started', names: ['0003-unique-meter-serial']},
	{type: 'migration.started', name: '0003-unique-meter-serial', direction: 'up'},
	{type: 'migration.finished', name: '0003-unique-meter-serial', direction: 'up', durationMs: 340},
	{type: 'upgrade.finished', ok: true},
	{type: 'check.finished', result: check('post.unique-serials', 'passed', {phase: 'post', title: 'Serials are unique'})},
	{type: 'post.compared', after: {meters: 3, readings: 10, tariffs: 4}, diff: []},
	{type: 'rollback.offered', reason: 'the upgrade is complete and verified', options: rollbackOptions(fold([started]))},
	{type: 'operator.rollback-chosen', choice: 'keep'},
	{type: 'rollback.finished', choice: 'keep', ok: true, detail: 'the database was left as it is', durationMs: 0},
	{type: 'run.finished', outcome: 'upgraded', versionBefore: '0002-add-readings', versionAfter: '0003-unique-meter-serial'},
];

/** One second between events, except ten minutes of thinking before the override. */
export const recordedEntries: Entry[] = (() => {
	let at = T0;
	return recordedEvents.map((event, seq) => {
		at += event.type === 'operator.override' ? 10 * 60_000 : 1000;
		return {seq, at, event};
	});
})();

export const positionOf = (type: RunEvent['type']): number => recordedEntries.findIndex(e => e.event.type === type);
