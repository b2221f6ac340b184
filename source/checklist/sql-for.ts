import type {Engine} from '../engine/model.js';
import type {CheckDefinition} from './types.js';

/** The check's SQL for this engine, or null when the checklist gives none for it. */
export function sqlFor(check: CheckDefinition, engine: Engine): string | null {
	return check.sql[engine] ?? null;
}
