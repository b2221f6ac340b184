import {canonicalJson} from '../journal/canonical-json.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** Names this predicate's shape; a URN because nothing has to be fetched to read it. */
export const CHECKPOINT_PREDICATE_TYPE = 'urn:cutover:checkpoint:v1';

/** What a checkpoint vouches for, besides the digest of the journal's first `bytes` bytes. */
export type CheckpointPredicate = {
	runId: string;
	/** The seq of the line the checkpoint is about; the journal up to and including its newline is the subject. */
	seq: number;
	/** Length of that prefix: `head -c <bytes> record.jsonl | sha256sum` gives the subject digest. */
	bytes: number;
	/** sha256 of that line's text: the chain head, what the next line's `prev` must be. */
	head: string;
	kind: string;
	checklistSha256: string | null;
	migrations: Array<{name: string; checksum: string}>;
	toolVersion: string;
	/** Where the checkpoint was sealed. */
	host: string;
};

export type CheckpointStatement = {
	_type: string;
	subject: Array<{name: string; digest: {sha256: string}}>;
	predicateType: string;
	predicate: CheckpointPredicate;
};

export function checkpointStatement(recordName: string, sha256: string, predicate: CheckpointPredicate): CheckpointStatement {
	return {_type: STATEMENT_TYPE, subject: [{name: recordName, digest: {sha256}}], predicateType: CHECKPOINT_PREDICATE_TYPE, predicate};
}

/** Canonical JSON, so `grep -o '"bytes":[0-9]*'` finds one field in a fixed place. */
export const encodeStatement = (statement: CheckpointStatement) => Buffer.from(canonicalJson(statement), 'utf8');
