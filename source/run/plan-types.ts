import type {CheckDefinition, Checklist} from '../checklist/index.js';

/** A run follows a loaded checklist; these names say what it is to the run. */
export type Runbook = Checklist;
export type RunbookCheck = CheckDefinition;
