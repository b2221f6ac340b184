import {createHash} from 'node:crypto';
import {closeSync, fstatSync, openSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Entry} from '../engine/events.js';
import type {RunState} from '../engine/state.js';
import {canonicalJson} from '../journal/canonical-json.js';
import {nodeAppendFs, writeWhole, type AppendFs} from '../journal/write-whole.js';
import {toolVersion as ownVersion} from '../package-root.js';
import type {Session} from '../run/session.js';
import {checkpointStatement, encodeStatement} from './checkpoint.js';
import {IN_TOTO_PAYLOAD_TYPE, signEnvelope} from './dsse.js';
import {followJournal} from './journal-prefix.js';
import {checkpointsPath, signaturePath} from './record-files.js';
import type {SigningKey} from './signing-key.js';
import {sshsigSign} from './sshsig.js';
import {errnoCode, RecordWriteError} from '../errors/index.js';

export type SealerOptions = {
	/** The journal the session writes; it may already hold lines (a resumed run). */
	journalPath: string;
	/** No key: nothing is sealed, and the record says it is unsigned (`run.started.signer: null`). */
	key: SigningKey | null;
	toolVersion?: string;
	host?: string;
	/** A seal that cannot be written must not stop a migration halfway; by default it is reported on stderr. */
	onError?: (error: Error) => void;
	/** How checkpoint lines reach the disk; node:fs unless a test hands in one that fails. */
	fs?: AppendFs;
};

export type Sealer = {
	/** Checkpoints written since attaching. */
	readonly checkpoints: number;
	/** The first failure; later events are not sealed (verify then reports the record unsealed from there). */
	readonly error: Error | null;
	/** Hears of the first failure too (the run stops when the disk is full); a write failure is a RecordWriteError. */
	onError(listener: (error: Error) => void): () => void;
	detach(): void;
};

/** Decisions and the ends of a run are what a later reader must be able to trust. */
export const sealsAfter = (kind: string) => kind.startsWith('operator.') || kind === 'run.finished' || kind === 'run.interrupted';

/**
 * Seals the record as the session writes it: after every operator decision and at the end
 * (finished or interrupted) a signed checkpoint over the journal so far, and at `run.finished`
 * an SSHSIG over the whole journal. Listeners run after the line is on disk, so the file
 * holds exactly the lines up to the one being sealed.
 */
export function attachSealer(session: Session, options: SealerOptions): Sealer {
	const {key} = options;
	let checkpoints = 0;
	let error: Error | null = null;
	if (key === null) {
		return {checkpoints, error, onError: () => () => {}, detach() {}};
	}

	const listeners = new Set<(error: Error) => void>();
	let sealedThrough: number | null = null;

	const prefix = followJournal(options.journalPath);
	const recordName = path.basename(options.journalPath);
	const onError = options.onError ?? ((e: Error) => process.stderr.write(`cutover: the record is no longer being sealed: ${e.message}\n`));

	const seal = (state: RunState, entry: Entry) => {
		const {bytes, sha256, sha512, lastLine} = prefix.advance();
		const last = lastLine === null ? null : JSON.parse(lastLine.toString('utf8')) as {seq?: unknown; runId?: unknown};
		if (lastLine === null || last?.seq !== entry.seq) {
			throw new Error(`${options.journalPath} does not end with seq ${entry.seq} (${entry.event.type}); it ends with ${lastLine === null ? 'no line' : `seq ${String(last?.seq)}`}`);
		}

		const statement = checkpointStatement(recordName, sha256, {
			runId: typeof last.runId === 'string' ? last.runId : state.runId ?? '',
			seq: entry.seq,
			bytes,
			head: createHash('sha256').update(lastLine).digest('hex'),
			kind: entry.event.type,
			checklistSha256: state.checklist?.sha256 ?? null,
			migrations: [state, ...(state.databases ?? []).map(d => d.state)].flatMap(s => [...s.plan?.applied ?? [], ...s.plan?.pending ?? []]).map(m => ({name: m.name, checksum: m.checksum})),
			toolVersion: options.toolVersion ?? ownVersion,
			host: options.host ?? os.hostname(),
		});
		const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, encodeStatement(statement), key);
		const fd = openSync(checkpointsPath(options.journalPath), 'a', 0o640);
		try {
			// Whole or not at all: a disk that fills up leaves the sidecar at its last complete checkpoint.
			writeWhole(options.fs ?? nodeAppendFs, fd, Buffer.from(`${canonicalJson(envelope)}\n`, 'utf8'), fstatSync(fd).size);
		} catch (caught) {
			throw new RecordWriteError(checkpointsPath(options.journalPath), {code: errnoCode(caught), lines: checkpoints, resume: options.journalPath, sealedThrough, cause: caught});
		} finally {
			closeSync(fd);
		}

		checkpoints += 1;
		sealedThrough = entry.seq + 1;
		if (entry.event.type === 'run.finished') {
			const file = signaturePath(options.journalPath);
			try {
				writeFileSync(`${file}.tmp`, sshsigSign(sha512, key), {mode: 0o640});
				renameSync(`${file}.tmp`, file);
			} catch (caught) {
				rmSync(`${file}.tmp`, {force: true});
				throw caught;
			}
		}
	};

	const off = session.subscribe((state, entry) => {
		// A decision at one database of a run over several is sealed as any decision is (not its own run.finished: the run's is the end).
		const event = entry.event;
		const decision = event.type === 'database.event' && event.event.type.startsWith('operator.');
		if (error !== null || !(decision || sealsAfter(event.type))) {
			return;
		}

		try {
			seal(state, entry);
		} catch (caught) {
			error = caught instanceof Error ? caught : new Error(String(caught));
			for (const listener of [onError, ...listeners]) {
				try {
					listener(error);
				} catch {
					// Reporting the lost seal must not stop the run either.
				}
			}
		}
	});
	return {
		get checkpoints() {
			return checkpoints;
		},
		get error() {
			return error;
		},
		onError(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		detach: () => {
			off();
		},
	};
}
