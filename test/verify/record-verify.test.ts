import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {openFileJournal} from '../../source/adapters/journal-file.js';
import type {RunEvent} from '../../source/engine/events.js';
import {readJournal} from '../../source/journal/read-journal.js';
import {packageRoot} from '../../source/package-root.js';
import {createSession} from '../../source/run/session.js';
import {checkpointsPath, signaturePath} from '../../source/signing/record-files.js';
import {attachSealer} from '../../source/signing/sealer.js';
import {loadSigningKey, signerOf} from '../../source/signing/signing-key.js';
import {listRecords} from '../../source/verify/record-list.js';
import {cli, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cutover-verify-'));
const config = path.join(scratch, 'config');
const records = path.join(scratch, 'records');
const allowedSigners = path.join(scratch, 'allowed_signers');
const publicPem = path.join(scratch, 'cutover.pub.pem');
let target: DemoTarget;
/** The three records in the order their runs started: an upgrade, then two runs with nothing to do. */
let names: string[] = [];

function cutover(args: string[], configDir = config) {
	const result = spawnSync(process.execPath, [cli, ...args], {
		encoding: 'utf8',
		env: {...process.env, CUTOVER_CONFIG_DIR: configDir, NO_COLOR: '1'},
		stdio: ['ignore', 'pipe', 'pipe'],
		timeout: 120_000,
	});
	return {code: result.status, out: result.stdout + result.stderr};
}

const runDemo = (db: DemoTarget, dir: string, configDir = config, extra: string[] = []) => cutover(['run', '--db', db.db, '--plain', '--yes', '--confirm-db', db.name, '--records', dir, '--backups', path.join(scratch, 'backups'), ...extra], configDir);

/** A copy of the records directory to tamper with. */
function copy(): string {
	const dir = mkdtempSync(path.join(scratch, 'tampered-'));
	cpSync(records, dir, {recursive: true});
	return dir;
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').slice(0, -1);
const writeLines = (file: string, text: string[]) => writeFileSync(file, `${text.join('\n')}\n`);

/** The README's stock recipe, run exactly as written, on `record` copied to record.jsonl with its sidecars. */
function stockRecipe(name: 'ssh-keygen' | 'openssl', record: string) {
	const readme = readFileSync(path.join(packageRoot, 'README.md'), 'utf8');
	const block = new RegExp(`<!-- stock recipe: ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
	assert.ok(block, `README has the ${name} recipe`);
	const dir = mkdtempSync(path.join(scratch, 'stock-'));
	copyFileSync(record, path.join(dir, 'record.jsonl'));
	for (const [from, to] of [[checkpointsPath(record), 'record.jsonl.checkpoints'], [signaturePath(record), 'record.jsonl.sig']] as const) {
		if (existsSync(from)) {
			copyFileSync(from, path.join(dir, to));
		}
	}

	copyFileSync(allowedSigners, path.join(dir, 'allowed_signers'));
	copyFileSync(publicPem, path.join(dir, 'cutover.pub.pem'));
	const result = spawnSync('bash', ['-euo', 'pipefail', '-c', block], {cwd: dir, encoding: 'utf8'});
	return {code: result.status, out: result.stdout + result.stderr};
}

/** Rewrites a record the way a forger with cutover's own code and another key would: new content, new chain, new seals. */
function forge(record: string, keyFile: string) {
	const original = readJournal(record);
	for (const file of [record, checkpointsPath(record), signaturePath(record)]) {
		rmSync(file, {force: true});
	}

	const key = loadSigningKey(keyFile);
	const journal = openFileJournal({path: record, runId: original.lines[0]!.runId});
	let at = 0;
	const session = createSession(journal, {now: () => at});
	attachSealer(session, {journalPath: record, key});
	for (const entry of original.entries) {
		at = entry.at;
		const event: RunEvent = entry.event.type === 'run.started'
			? {...entry.event, signer: signerOf(key), operator: {...entry.event.operator, name: 'Someone Else'}}
			: entry.event;
		session.emit(event);
	}

	journal.close();
}

describe('cutover verify on real signed runs', () => {
	before(async () => {
		target = await prepareDemoTarget('sqlite');
		const keygen = cutover(['keygen']);
		assert.equal(keygen.code, 0, keygen.out);
		const exported = [cutover(['key', 'export', '--format', 'allowed-signers']), cutover(['key', 'export', '--format', 'pem'])];
		assert.deepEqual(exported.map(e => e.code), [0, 0], exported.map(e => e.out).join(''));
		writeFileSync(allowedSigners, exported[0]!.out);
		writeFileSync(publicPem, exported[1]!.out);
		for (const expected of [/run finished: upgraded/, /run finished: nothing-to-do/, /run finished: nothing-to-do/]) {
			const run = runDemo(target, records);
			assert.equal(run.code, 0, run.out);
			assert.match(run.out, expected);
			assert.match(run.out, /signed by SHA256:/);
		}

		names = listRecords(records).map(r => r.name);
		assert.equal(names.length, 3);
	});

	after(async () => {
		await target.cleanup();
		rmSync(scratch, {recursive: true, force: true});
	});

	it('keygen wrote a 0600 PKCS#8 key and refuses to overwrite it', () => {
		const file = path.join(config, 'signing-key.pem');
		assert.match(readFileSync(file, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
		assert.equal(spawnSync('stat', ['-c', '%a', file], {encoding: 'utf8'}).stdout.trim(), '600');
		const before = readFileSync(file, 'utf8');
		const again = cutover(['keygen']);
		assert.equal(again.code, 1);
		assert.match(again.out, /already exists; cutover keygen never overwrites/);
		assert.equal(readFileSync(file, 'utf8'), before);
	});

	it('the records directory verifies: every chain, every seal, and the chain of runs', () => {
		const result = cutover(['verify', records, '--trusted', allowedSigners]);
		assert.equal(result.code, 0, result.out);
		assert.match(result.out, new RegExp(`ok {3}${names[0]}: \\d+ lines, chain intact; \\d+ checkpoints and the SSH signature by SHA256:\\S+ \\(cutover, .*first of its chain`));
		assert.match(result.out, new RegExp(`ok {3}${names[1]}: .*follows ${names[0]}`));
		assert.match(result.out, new RegExp(`ok {3}${names[2]}: .*follows ${names[1]}`));
		assert.match(result.out, /verified: 3 records/);
		// Without --trusted, the configured signing key's own public key is the trusted one.
		assert.equal(cutover(['verify', path.join(records, names[0]!)]).code, 0);
	});

	it('the README\'s stock recipes verify the record with ssh-keygen and openssl', () => {
		const record = path.join(records, names[0]!);
		const ssh = stockRecipe('ssh-keygen', record);
		assert.equal(ssh.code, 0, ssh.out);
		assert.match(ssh.out, /Good "cutover-record" signature for cutover with ED25519 key SHA256:/);
		const openssl = stockRecipe('openssl', record);
		assert.equal(openssl.code, 0, openssl.out);
		assert.match(openssl.out, /Signature Verified Successfully/);
		assert.match(openssl.out, /the first \d+ bytes of record.jsonl match the checkpoint/);
	});

	const tampers: Array<{name: string; tamper: (dir: string) => string; expect: () => RegExp; stock: boolean}> = [
		{
			name: 'one byte flipped',
			tamper(dir) {
				const file = path.join(dir, names[0]!);
				const text = lines(file);
				const at = text[4]!.indexOf('"at":') + 5;
				const digit = text[4]![at] === '9' ? '8' : '9';
				text[4] = text[4]!.slice(0, at) + digit + text[4]!.slice(at + 1);
				writeLines(file, text);
				return file;
			},
			expect: () => /line 6: its prev .* is not the sha256 of line 5 .*: line 5 was changed/,
			stock: true,
		},
		{
			name: 'one line deleted',
			tamper(dir) {
				const file = path.join(dir, names[0]!);
				writeLines(file, lines(file).filter((_, i) => i !== 7));
				return file;
			},
			expect: () => /line 8: has seq 8 where seq 7 belongs: a line before it is missing/,
			stock: true,
		},
		{
			name: 'two lines swapped',
			tamper(dir) {
				const file = path.join(dir, names[0]!);
				const text = lines(file);
				[text[7], text[8]] = [text[8]!, text[7]!];
				writeLines(file, text);
				return file;
			},
			expect: () => /line 8: has seq 8 where seq 7 belongs/,
			stock: true,
		},
		{
			name: 'the tail truncated',
			tamper(dir) {
				const file = path.join(dir, names[0]!);
				writeLines(file, lines(file).slice(0, -2));
				return file;
			},
			expect: () => /checkpoint \d+ .*: it seals \d+ bytes through seq \d+, but the record holds \d+: its tail was cut off/,
			stock: true,
		},
		{
			name: 'the tail truncated mid-line',
			tamper(dir) {
				const file = path.join(dir, names[0]!);
				truncateSync(file, readFileSync(file).length - 10);
				return file;
			},
			expect: () => /its tail was cut off/,
			stock: true,
		},
		{
			name: 'a whole record removed from the directory',
			tamper(dir) {
				const file = path.join(dir, names[1]!);
				for (const f of [file, checkpointsPath(file), signaturePath(file)]) {
					rmSync(f);
				}

				return path.join(dir, names[2]!);
			},
			expect: () => new RegExp(`FAIL ${names[2]}: line 1 names ${names[1]} as the record before it, and it is not in this directory`),
			stock: false,
		},
		{
			name: 'a record re-signed with a key that is not trusted',
			tamper(dir) {
				const other = path.join(dir, 'other-key.pem');
				const made = cutover(['keygen', '--out', other]);
				assert.equal(made.code, 0, made.out);
				const file = path.join(dir, names[0]!);
				forge(file, other);
				rmSync(other);
				return file;
			},
			expect: () => /checkpoint 1: it is signed by SHA256:\S+, which is not a trusted key/,
			stock: true,
		},
	];

	for (const {name, tamper, expect, stock} of tampers) {
		it(`detects ${name}`, () => {
			const dir = copy();
			const record = tamper(dir);
			const result = cutover(['verify', dir, '--trusted', allowedSigners]);
			assert.equal(result.code, 1, result.out);
			assert.match(result.out, expect(), result.out);
			assert.match(result.out, /NOT VERIFIED/);
			if (stock) {
				const ssh = stockRecipe('ssh-keygen', record);
				assert.notEqual(ssh.code, 0, `ssh-keygen accepted the tampered record: ${ssh.out}`);
			}

			if (name === 'one byte flipped') {
				assert.notEqual(stockRecipe('openssl', record).code, 0, 'the checkpoint recipe notices the change');
			}
		});
	}

	it('a replaced record breaks the link of the run after it, even when the key holder re-sealed it', () => {
		const dir = copy();
		// Someone with the signing key rewrites the second record: it verifies on its own, the third run's link does not.
		forge(path.join(dir, names[1]!), path.join(config, 'signing-key.pem'));
		const result = cutover(['verify', dir, '--trusted', allowedSigners]);
		assert.equal(result.code, 1, result.out);
		assert.match(result.out, new RegExp(`ok {3}${names[1]}: `));
		assert.match(result.out, new RegExp(`FAIL ${names[2]}: line 1 names chain head [0-9a-f]{12}… of ${names[1]}, and no line there has it: ${names[1]} was replaced or changed`));
	});

	it('a crashed run leaves a verifiable prefix: verify says how far it is sealed and that it did not end', () => {
		const dir = copy();
		const file = path.join(dir, names[0]!);
		const checkpoints = lines(checkpointsPath(file)).slice(0, 2);
		const payload = JSON.parse(Buffer.from((JSON.parse(checkpoints[1]!) as {payload: string}).payload, 'base64').toString('utf8')) as {predicate: {bytes: number; seq: number}};
		// The process died right after sealing the second decision and writing one more line.
		const keep = lines(file).slice(0, payload.predicate.seq + 2);
		writeLines(file, keep);
		writeLines(checkpointsPath(file), checkpoints);
		rmSync(signaturePath(file));
		const result = cutover(['verify', file, '--trusted', allowedSigners]);
		assert.equal(result.code, 1, result.out);
		assert.match(result.out, new RegExp(`the run crashed, is still running, or its tail was cut off; lines 1–${payload.predicate.seq + 1} are sealed and verify`));
	});

	it('a run asked to be unsigned (--unsigned) works, says it is unsigned, and verify says so plainly', async () => {
		const unsignedConfig = path.join(scratch, 'no-key-config');
		mkdirSync(unsignedConfig);
		const other = await prepareDemoTarget('sqlite');
		try {
			const dir = path.join(scratch, 'unsigned-records');
			const run = runDemo(other, dir, unsignedConfig, ['--unsigned']);
			assert.equal(run.code, 0, run.out);
			assert.match(run.out, /, unsigned\n/);
			assert.equal(existsSync(path.join(unsignedConfig, 'signing-key.pem')), false, 'no key was made');
			const [record] = listRecords(dir);
			assert.equal(existsSync(checkpointsPath(record!.path)), false);
			const strict = cutover(['verify', dir, '--trusted', allowedSigners], unsignedConfig);
			assert.equal(strict.code, 1, strict.out);
			assert.match(strict.out, /unsigned: the record names no signer, so only its hash chain was checked.*--allow-unsigned/);
			const lenient = cutover(['verify', dir, '--allow-unsigned'], unsignedConfig);
			assert.equal(lenient.code, 0, lenient.out);
			assert.match(lenient.out, /unsigned: the record names no signer/);
		} finally {
			await other.cleanup();
		}
	});
});
