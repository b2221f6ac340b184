import {describeExpectation, toEvidence} from '../engine/judge.js';
import {commandEvidence, judgeCommand, judgeHttp} from '../engine/judge-probes.js';
import type {CheckPhase, CheckResult} from '../engine/model.js';
import {commandSecrets, probeEnvNames, probeText, redact, resolveHttp, secretForms} from '../engine/probes.js';
import {DEFAULT_CHECK_TIMEOUT_MS} from '../ports/database.js';
import type {Probes} from '../ports/probes.js';
import type {Clock} from '../ports/clock.js';
import type {RunbookCheck} from './plan-types.js';
import type {CheckControl} from './checks.js';

/**
 * Runs an HTTP or command probe and judges its answer. The variables it names are read first: one
 * not set is an error verdict naming it, before anything is sent. What is kept (detail, evidence)
 * has every value read replaced by ***; the recorded request is the checklist's text, names only.
 */
export async function runProbeCheck(
	probes: Probes | undefined,
	check: RunbookCheck,
	phase: CheckPhase,
	clock: Clock,
	id: string,
	control: CheckControl,
): Promise<CheckResult> {
	const spec = check.probe!;
	const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
	const base = {id, phase, title: check.title, sql: probeText(spec), blocking: check.blocking, expectation: describeExpectation(check.expect), timeoutMs, probe: spec.kind};
	const none = toEvidence([], []);
	if (probes === undefined) {
		return {...base, verdict: 'error', detail: `this run was given no way to run ${spec.kind} probes`, evidence: none, durationMs: 0};
	}

	const names = probeEnvNames(spec);
	const missing = names.filter(name => (probes.env(name) ?? '') === '');
	if (missing.length > 0) {
		const list = missing.join(', ');
		return {
			...base, verdict: 'error', evidence: none, durationMs: 0,
			detail: `${missing.length === 1 ? 'the environment variable' : 'the environment variables'} ${list} ${missing.length === 1 ? 'is' : 'are'} not set: set ${missing.length === 1 ? 'it' : 'them'} where cutover runs (export ${missing[0]!}=…); the runbook reads the credential from ${missing.length === 1 ? 'it' : 'them'}`,
		};
	}

	const values = new Map(names.map(name => [name, probes.env(name)!]));
	const secrets = secretForms(spec, values);
	const clean = (text: string) => redact(text, secrets);
	const started = clock.now();
	const options = {timeoutMs, ...(control.signal === undefined ? {} : {signal: control.signal})};
	const stopped = (reason: 'timed-out' | 'cancelled', durationMs: number) => reason === 'timed-out'
		? `stopped at its timeout of ${seconds(timeoutMs)}`
		: `${control.reason?.() ?? 'cancelled'} after ${seconds(durationMs)}`;

	if (spec.kind === 'http') {
		const outcome = await probes.http(resolveHttp(spec, values), options);
		const durationMs = clock.now() - started;
		if (outcome.kind === 'stopped') {
			return {...base, verdict: outcome.reason, detail: stopped(outcome.reason, durationMs), evidence: none, durationMs};
		}

		if (outcome.kind === 'failed') {
			return {...base, verdict: 'error', detail: clean(outcome.message), evidence: none, durationMs};
		}

		const judged = judgeHttp(check.expect as Extract<RunbookCheck['expect'], {kind: 'http'}>, outcome, secrets);
		return {...base, ...judged, detail: clean(judged.detail), durationMs};
	}

	const lines = check.evidenceLimit ?? undefined;
	const raw = await probes.command(spec.run, options);
	const durationMs = clock.now() - started;
	const hide = commandSecrets(spec.run, name => probes.env(name));
	const outcome = {...raw, output: redact(raw.output, hide), ...('stdout' in raw ? {stdout: redact(raw.stdout, hide)} : {})} as typeof raw;
	if (outcome.kind === 'answer') {
		return {...base, ...judgeCommand(check.expect as Extract<RunbookCheck['expect'], {kind: 'command'}>, outcome, lines), durationMs};
	}

	// What it wrote before it was stopped is often why it hung.
	const evidence = commandEvidence(outcome.kind === 'stopped' ? outcome.reason : 'none', outcome.output, lines);
	return outcome.kind === 'stopped'
		? {...base, verdict: outcome.reason, detail: stopped(outcome.reason, durationMs), evidence, durationMs}
		: {...base, verdict: 'error', detail: outcome.message, evidence, durationMs};
}

function seconds(ms: number): string {
	return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
