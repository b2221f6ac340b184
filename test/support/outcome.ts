import assert from 'node:assert/strict';
import type {Cell} from '../../source/engine/model.js';
import type {QueryOutcome} from '../../source/ports/index.js';

/** The rows of a query that must have found its tables. */
export function rowsOf(outcome: QueryOutcome): Cell[][] {
	assert.ok(outcome.kind === 'rows', `expected rows, got ${JSON.stringify(outcome)}`);
	return outcome.rows;
}
