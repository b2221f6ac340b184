import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {checkpointsPath, signaturePath} from '../../source/signing/record-files.js';
import {cli, cliEnv, cutover, prepareDemoTarget, productionChecklist, readJournal, type DemoTarget} from '../support/demo-targets.js';

const recordsOf = (target: DemoTarget) => path.join(target.dir, 'records');
const dirs = (target: DemoTarget) => ['--records', recordsOf(target), '--backups', path.join(target.dir, 'backups')];
const keyFile = (target: DemoTarget) => path.join(target.dir, 'config', 'signing-key.pem');
const journals = (dir: string) => readdirSync(dir).filter(f => f.endsWith('.jsonl')).sort().map(f => path.join(dir, f));
const firstLine = (file: string) => readJournal(readFileSync(file, 'utf8'))[0]!;
const plainRun = (target: DemoTarget, extra: string[] = []) =>
	cutover(target, ['run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name, ...dirs(target), ...extra]);

describe('a run with no signing key', () => {
	let target: DemoTarget;
	before(async () => {
		target = await prepareDemoTarget('sqlite');
	});
	after(async () => target.cleanup());

	it('makes one as keygen does, says where and which, signs, and its record verifies as it is', () => {
		assert.equal(existsSync(keyFile(target)), false);
		const run = plainRun(target);
		assert.equal(run.code, 0, run.stdout + run.stderr);
		const made = /cutover: made a signing key at (\S+) \(Ed25519, mode 0600\), key id (SHA256:\S+);/.exec(run.stderr);
		assert.ok(made, `the new key is announced on stderr:\n${run.stderr}`);
		assert.equal(made[1], keyFile(target));
		assert.equal(run.stderr.split('\n').filter(l => l.includes('signing key')).length, 1, 'one line');
		assert.equal(statSync(keyFile(target)).mode & 0o777, 0o600);
		assert.match(readFileSync(keyFile(target), 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
		assert.ok(!readdirSync(path.dirname(keyFile(target))).some(f => f.endsWith('.tmp')), 'nothing left aside');
		assert.ok(run.stdout.includes(`signed by ${made[2]!}`), 'the plain output names the signer');

		const [record] = journals(recordsOf(target));
		const signer = firstLine(record!).event['signer'] as {keyId: string} | null;
		assert.equal(signer?.keyId, made[2]);
		assert.ok(existsSync(checkpointsPath(record!)) && existsSync(signaturePath(record!)), 'sealed');
		const verified = cutover(target, ['verify', record!]);
		assert.equal(verified.code, 0, verified.stdout + verified.stderr);
		assert.match(verified.stdout, /the SSH signature by SHA256:\S+ \(signingKey, trusted in /);
		assert.match(verified.stdout, /verified: 1 record, trusted keys from the public key of /);
	});

	it('the next run signs with the same key and says nothing of a new one; keygen still refuses to overwrite it', () => {
		const key = readFileSync(keyFile(target), 'utf8');
		const run = plainRun(target);
		assert.equal(run.code, 0, run.stdout + run.stderr);
		assert.doesNotMatch(run.stderr, /made a signing key/);
		assert.equal(readFileSync(keyFile(target), 'utf8'), key);
		const signers = journals(recordsOf(target)).map(f => (firstLine(f).event['signer'] as {keyId: string}).keyId);
		assert.equal(new Set(signers).size, 1);
		const keygen = cutover(target, ['keygen']);
		assert.equal(keygen.code, 1);
		assert.match(keygen.stderr, /already exists/);
		const verified = cutover(target, ['verify', recordsOf(target)]);
		assert.equal(verified.code, 0, verified.stdout);
		assert.match(verified.stdout, /verified: 2 records/);
	});

	it('--unsigned asks for an unsigned record: it says so, and verify accepts it only with --allow-unsigned', () => {
		const run = plainRun(target, ['--records', path.join(target.dir, 'unsigned'), '--unsigned']);
		assert.equal(run.code, 0, run.stdout + run.stderr);
		assert.match(run.stdout, /, unsigned\n/);
		const [record] = journals(path.join(target.dir, 'unsigned'));
		assert.equal(firstLine(record!).event['signer'], null);
		assert.equal(existsSync(checkpointsPath(record!)), false);
		const strict = cutover(target, ['verify', record!]);
		assert.equal(strict.code, 1, strict.stdout);
		assert.match(strict.stdout, /unsigned: the record names no signer/);
		assert.equal(cutover(target, ['verify', record!, '--allow-unsigned']).code, 0);
	});

	it('an unsigned record stopped mid-run resumes unsigned, though a key exists now', async () => {
		const fresh = await prepareDemoTarget('sqlite');
		try {
			resumesUnsigned(fresh);
		} finally {
			await fresh.cleanup();
		}
	});
});

/** A key exists, yet a record started --unsigned goes on unsigned when resumed. */
function resumesUnsigned(target: DemoTarget) {
	assert.equal(cutover(target, ['keygen']).code, 0);
	// The maintenance-on hook stops the run as a terminate from outside would: at the next safe point, resumable.
	const checklist = path.join(target.dir, 'stop-after-maintenance.yaml');
	const text = readFileSync(productionChecklist, 'utf8').replace(/^ {2}on: .*$/m, '  on: \'kill -TERM $PPID\'');
	assert.notEqual(text, readFileSync(productionChecklist, 'utf8'));
	writeFileSync(checklist, text);
	const dir = path.join(target.dir, 'resumed');
	const run = cutover(target, ['run', '--db', target.db, '--checklist', checklist, '--plain', '--yes', '--confirm-db', target.name, '--records', dir, '--unsigned']);
	assert.equal(run.code, 1, run.stdout + run.stderr);
	assert.match(run.stdout, /outcome: interrupted/);
	const [record] = journals(dir);
	assert.ok(existsSync(keyFile(target)), 'keygen made a key');
	const resumed = cutover(target, ['resume', record!, '--plain', '--yes', '--confirm-db', target.name]);
	assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
	assert.match(resumed.stdout, /outcome: upgraded/);
	const lines = readJournal(readFileSync(record!, 'utf8'));
	assert.equal(lines[0]?.event['signer'], null);
	assert.ok(lines.some(l => l.kind === 'run.resumed'));
	assert.equal(existsSync(checkpointsPath(record!)), false, 'nothing sealed it halfway');
	assert.equal(cutover(target, ['verify', record!, '--allow-unsigned']).code, 0);
}

describe('the demo (npm start)', () => {
	let target: DemoTarget;
	before(async () => {
		target = await prepareDemoTarget('sqlite');
	});
	after(async () => target.cleanup());

	it('signs its record with a key it makes, and cutover verify accepts the record as it is', () => {
		const dir = path.join(target.dir, 'demo');
		const demo = spawnSync(process.execPath, [cli, 'demo', '--plain', '--dir', dir], {encoding: 'utf8', env: {...process.env, ...cliEnv(target)}, timeout: 120_000});
		assert.equal(demo.status, 0, demo.stdout + demo.stderr);
		assert.match(demo.stderr, /made a signing key at /);
		const record = /change record: (\S+)/.exec(demo.stdout)?.[1];
		assert.ok(record, demo.stdout);
		const verified = cutover(target, ['verify', record]);
		assert.equal(verified.code, 0, verified.stdout + verified.stderr);
		assert.match(verified.stdout, /verified: 1 record,/);
	});
});
