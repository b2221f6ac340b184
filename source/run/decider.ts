import type {RunEvent} from '../engine/events.js';
import {lintToAcknowledge, unresolvedBlockers, upgradeGate, windowGate} from '../engine/gates.js';
import type {RollbackChoice} from '../engine/model.js';
import type {InvalidIndex} from '../ports/migrator.js';
import type {Session} from './session.js';

/**
 * Where the operator's answers at the human gates come from: the console's screens, or
 * the flags of the non-interactive form. Each answer is journaled as an operator.* event.
 */
export type Decider = {
	/** true once the window is confirmed, false when the operator stops. */
	confirmWindow(session: Session): Promise<boolean>;
	/** true to go on to the upgrade, false to stop. */
	proceedToUpgrade(session: Session): Promise<boolean>;
	chooseRollback(session: Session, failed: boolean): Promise<RollbackChoice>;
	/** true to drop the INVALID indexes an earlier CREATE INDEX CONCURRENTLY of `name` left, before it runs again. */
	dropInvalidIndexes(session: Session, name: string, indexes: readonly InvalidIndex[]): Promise<boolean>;
	/**
	 * During the observation period: resolves when the operator ends it early, goes to the rollback
	 * prompt, or skipped it by a flag; never while they let it run its time.
	 */
	observationDecision(session: Session): Promise<ObservationDecision>;
};

export type ObservationDecision = 'ended-early' | 'rollback' | 'skipped';

/** A decision that never comes: the period runs its time (or the run is stopped). */
const never = async <T>() => new Promise<T>(() => {});

const isAbandon = (e: RunEvent): e is Extract<RunEvent, {type: 'operator.abandoned'}> => e.type === 'operator.abandoned';

/**
 * The operator's answers at one gate, in order: first those already in the journal since the
 * gate opened (`opened`: the event that opens it), then those still to come. A screen takes
 * a key as soon as its gate is drawn, which may be a moment before the flow asks; that key
 * is on the record and must count, or the flow waits for an answer already given.
 */
export function answersAt<T extends RunEvent>(session: Session, opened: RunEvent['type'], match: (event: RunEvent) => event is T): () => Promise<T> {
	const since = session.entries.findLastIndex(entry => entry.event.type === opened);
	const given = session.entries.slice(since + 1).map(entry => entry.event).filter(match);
	return async () => given.shift() ?? session.next(match);
}

/** Waits for the screens: they only send a decision once its gate is open, and the gate is checked again here. */
export const consoleDecider: Decider = {
	async confirmWindow(session) {
		const next = answersAt(session, 'window.planned', (e): e is Extract<RunEvent, {type: 'operator.window-confirmed' | 'operator.abandoned'}> =>
			e.type === 'operator.window-confirmed' || isAbandon(e));
		for (;;) {
			// eslint-disable-next-line no-await-in-loop -- events come one at a time
			const event = await next();
			if (event.type === 'operator.abandoned') {
				return false;
			}

			if (windowGate(session.state, event.typedName).open) {
				return true;
			}
		}
	},
	async proceedToUpgrade(session) {
		const next = answersAt(session, 'baseline.captured', (e): e is Extract<RunEvent, {type: 'operator.proceed' | 'operator.abandoned'}> =>
			e.type === 'operator.proceed' || isAbandon(e));
		for (;;) {
			// eslint-disable-next-line no-await-in-loop -- events come one at a time
			const event = await next();
			if (event.type === 'operator.abandoned') {
				return false;
			}

			if (upgradeGate(session.state).open) {
				return true;
			}
		}
	},
	async chooseRollback(session) {
		const event = await answersAt(session, 'rollback.offered', (e): e is Extract<RunEvent, {type: 'operator.rollback-chosen' | 'operator.abandoned'}> =>
			e.type === 'operator.rollback-chosen' || isAbandon(e))();
		// Leaving at the prompt changes nothing: the safe default.
		return event.type === 'operator.rollback-chosen' ? event.choice : 'keep';
	},
	async dropInvalidIndexes(session, name) {
		const next = answersAt(session, 'invalid-index.found', (e): e is Extract<RunEvent, {type: 'operator.invalid-index-drop' | 'operator.abandoned'}> =>
			(e.type === 'operator.invalid-index-drop' && e.name === name) || isAbandon(e));
		const event = await next();
		return event.type === 'operator.invalid-index-drop' && event.drop;
	},
	async observationDecision(session) {
		const event = await answersAt(session, 'observation.started', (e): e is Extract<RunEvent, {type: 'operator.observation-ended' | 'operator.observation-rollback' | 'operator.abandoned'}> =>
			e.type === 'operator.observation-ended' || e.type === 'operator.observation-rollback' || isAbandon(e))();
		if (event.type === 'operator.abandoned') {
			// Leaving stops the run through its signal; nothing is decided here.
			return never();
		}

		return event.type === 'operator.observation-ended' ? 'ended-early' : 'rollback';
	},
};

export type PlainAnswers = {
	/** --yes: tick every preparation item. */
	yes: boolean;
	/** --confirm-db: the database name, as the operator would type it. */
	confirmDb: string | null;
	/** --override id=reason, for blocking checks the operator accepts failing. */
	overrides: ReadonlyMap<string, string>;
	/** --on-failure: what to do when something fails after the backup. Absent: keep, and the run fails. */
	onFailure: RollbackChoice | null;
	/** --at-end: what to do after a successful upgrade (default keep). */
	atEnd: RollbackChoice;
	/** --drop-invalid-index: drop an INVALID index an earlier CREATE INDEX CONCURRENTLY left before the migration runs again. */
	dropInvalidIndex?: boolean;
	/** --observe: wait out the observation period (the default), or skip it, on the record as the operator's flag. */
	observe?: 'wait' | 'skip';
	/** --ack-lint: the lint's error findings accepted, each by its rule id (all of that rule) or file:line. */
	acknowledgeLint?: readonly string[];
};

/** Answers from flags, and fails closed at every gate the flags do not open. */
export function plainDecider(answers: PlainAnswers): Decider {
	return {
		async confirmWindow(session) {
			if (answers.yes) {
				for (const item of session.state.window?.prep ?? []) {
					session.emit({type: 'operator.prep-ticked', itemId: item.id, ticked: true});
				}
			}

			for (const finding of lintToAcknowledge(session.state)) {
				const flag = (answers.acknowledgeLint ?? []).find(a => a === finding.rule || a === `${finding.file}:${finding.line}`);
				if (flag !== undefined) {
					session.emit({type: 'operator.lint-acknowledged', rule: finding.rule, file: finding.file, line: finding.line, statement: finding.statement, typed: `--ack-lint ${flag}`});
				}
			}

			const typed = answers.confirmDb ?? '';
			const gate = windowGate(session.state, typed);
			if (!gate.open) {
				const lint = lintToAcknowledge(session.state).map(f => `--ack-lint ${f.rule}`);
				const hint = `${answers.yes ? '' : ' (--yes ticks the preparation items)'}${lint.length > 0 ? ` (to accept a lint finding as written: ${[...new Set(lint)].join(' ')})` : ''}`;
				session.emit({type: 'operator.abandoned', reason: `maintenance window not confirmed: ${gate.reasons.join('; ')}${hint}`});
				return false;
			}

			session.emit({type: 'operator.window-confirmed', typedName: typed});
			return true;
		},
		async proceedToUpgrade(session) {
			for (const check of unresolvedBlockers(session.state)) {
				const reason = answers.overrides.get(check.id);
				if (reason !== undefined) {
					session.emit({type: 'operator.override', checkId: check.id, reason});
				}
			}

			const gate = upgradeGate(session.state);
			if (!gate.open) {
				const blockers = unresolvedBlockers(session.state).map(c => `--override ${c.id}="<reason>"`);
				const hint = blockers.length > 0 ? ` (to accept a failing check: ${blockers.join(' ')})` : '';
				session.emit({type: 'operator.abandoned', reason: `upgrade not started: ${gate.reasons.join('; ')}${hint}`});
				return false;
			}

			session.emit({type: 'operator.proceed', step: 'pre'});
			return true;
		},
		async chooseRollback(session, failed) {
			// The flag's choice is the operator's, available or not: one that turns out unavailable is
			// recorded as that and fails the run, never passed off as a choice to keep.
			const choice = failed ? answers.onFailure ?? 'keep' : answers.atEnd;
			session.emit({type: 'operator.rollback-chosen', choice});
			return choice;
		},
		async dropInvalidIndexes(session, name, indexes) {
			// Without the flag nothing is decided: the migration does not run, and its failure says which flag to pass.
			if (answers.dropInvalidIndex !== true) {
				return false;
			}

			// A decision that could not be recorded is no decision: nothing is dropped.
			return session.emit({type: 'operator.invalid-index-drop', name, indexes: indexes.map(i => i.qualified), drop: true}) !== null;
		},
		async observationDecision(session) {
			if (answers.observe !== 'skip') {
				return never();
			}

			session.emit({type: 'operator.observation-ended', flag: '--observe skip'});
			return 'skipped';
		},
	};
}
