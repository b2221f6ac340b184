import type {Expectation} from '../engine/judge.js';
import type {PrepItem} from '../engine/model.js';

/** The part of a loaded checklist a run uses (see source/checklist). */
export type RunbookCheck = {
	id: string;
	title: string;
	blocking: boolean;
	expect: Expectation;
	sql: {sqlite?: string; postgres?: string};
};

export type Runbook = {
	name: string;
	path: string;
	sha256: string;
	window: {expectedMinutes: number};
	preparation: PrepItem[];
	maintenance: {on: string | null; off: string | null};
	checks: {pre: RunbookCheck[]; post: RunbookCheck[]};
};
