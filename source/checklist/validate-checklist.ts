import {mentionsTarget, TARGET_TOKEN} from '../engine/target-migration.js';
import type {PrepItem} from '../engine/model.js';
import type {LockPolicy} from '../ports/migrator.js';
import {DEFAULT_CHECK_TIMEOUT_MS} from '../ports/database.js';
import {CHECK_BODY_KEYS, CHECK_OPTION_KEYS, readBlocking, readCheckBody, readEvidenceLimit} from './check-body.js';
import {readBackup} from './backup-section.js';
import {readThresholds} from './thresholds.js';
import type {CheckDefinition, Checklist, CheckSection, Observation, RunbookDatabase} from './types.js';
import type {Path, Validator} from './validator.js';

const sections: readonly CheckSection[] = ['pre', 'post', 'health'];
/** A file with no run in it (health checks and thresholds only) has no window to plan: this one stands in. */
const HEALTH_ONLY_WINDOW_MINUTES = 30;
/** A check may be given from 100 ms to an hour: past that it is no longer a check but a job of its own. */
const timeoutRange = {min: 100, max: 3_600_000};

/**
 * Whether a checklist's top-level mapping is a runbook for a run, which plans its window and lists
 * its checks, rather than a file of health checks and thresholds alone (for cutover health).
 */
export function isForRun(root: Record<string, unknown>): boolean {
	const checks = typeof root['checks'] === 'object' && root['checks'] !== null ? root['checks'] as Record<string, unknown> : {};
	return ['pre', 'post'].some(k => checks[k] !== undefined) || ['window', 'preparation', 'maintenance', 'upgrade', 'backup', 'observe'].some(k => root[k] !== undefined)
		|| (checks['health'] === undefined && root['thresholds'] === undefined);
}

/** Turns the parsed YAML into a Checklist, or throws a ChecklistError at the first problem. */
export function validateChecklist(value: unknown, v: Validator): Omit<Checklist, 'path' | 'sha256'> {
	const root = v.object(value, [], {required: ['name'], optional: ['window', 'checks', 'preparation', 'maintenance', 'upgrade', 'backup', 'thresholds', 'observe', 'databases']});
	const rawChecks = root['checks'];
	const checks = rawChecks === undefined ? {} : v.object(rawChecks, ['checks'], {required: [], optional: [...sections, 'timeout']});
	if (isForRun(root)) {
		for (const key of ['window', 'checks']) {
			if (root[key] === undefined) {
				v.fail([key], key === 'window'
					? '"window" is missing: say how long the run expects to take, window: {expected-minutes: 30} (only a file of health checks and thresholds alone may leave it out)'
					: '"checks" is missing: give checks: {pre: [...], post: [...]}, or checks: {} for a runbook without checks');
			}
		}
	}

	const window = root['window'] === undefined ? undefined : v.object(root['window'], ['window'], {required: ['expected-minutes'], optional: []});
	const maintenance = root['maintenance'] === undefined || root['maintenance'] === null
		? {}
		: v.object(root['maintenance'], ['maintenance'], {required: [], optional: ['on', 'off', 'off-when-mid-change']});
	// `checks: {timeout: 1m}` is every check's unless it names its own.
	const timeoutMs = checks['timeout'] === undefined ? DEFAULT_CHECK_TIMEOUT_MS : v.duration(checks['timeout'], ['checks', 'timeout'], timeoutRange);

	const databases = readDatabases(root['databases'], v);
	const pre = readChecks(checks['pre'], 'pre', [], () => new Map(), timeoutMs, v);
	// A post row_count with within: compares with the pre check that counted the same table.
	// Over several databases, the count of a table on the database the post check runs on (or on each, for a pre check without database:).
	const baselines = (database: unknown) => new Map(pre.flatMap(c => c.counts === undefined || (c.database !== undefined && c.database !== database) ? [] : [[c.counts, `pre.${c.id}`] as const]));
	const post = readChecks(checks['post'], 'post', pre.map(c => `pre.${c.id}`), baselines, timeoutMs, v);
	const health = readChecks(checks['health'], 'health', [], () => new Map(), timeoutMs, v);
	checkDatabaseNames({pre, post, health}, databases, v);
	const observe = readObserve(root['observe'], v);
	if (databases !== null && observe !== null) {
		v.fail(['observe'], 'a run over several databases has no observation period yet: leave observe: out of this runbook, and watch the databases with cutover watch after the run');
	}

	const backup = readBackup(root['backup'], v);
	return {
		forRun: isForRun(root),
		name: v.text(root['name'], ['name']),
		window: {expectedMinutes: window === undefined ? HEALTH_ONLY_WINDOW_MINUTES : v.positiveNumber(window['expected-minutes'], ['window', 'expected-minutes'])},
		preparation: readPreparation(root['preparation'], v),
		maintenance: {
			on: v.optionalText(maintenance['on'], ['maintenance', 'on']),
			off: v.optionalText(maintenance['off'], ['maintenance', 'off']),
			offWhenMidChange: v.boolean(maintenance['off-when-mid-change'], ['maintenance', 'off-when-mid-change'], false),
		},
		checks: {pre, post, health},
		thresholds: readThresholds(root['thresholds'], v),
		upgrade: readUpgrade(root['upgrade'], v),
		...(observe === null ? {} : {observe}),
		...(databases === null ? {} : {databases}),
		...(backup === null ? {} : {backup}),
	};
}

/**
 * `databases: [{name: users, migrations: migrations/users}, …]`: a run over several databases, in
 * this order. Names are how the command line gives their targets (--db users=…) and how checks say where they run.
 */
function readDatabases(value: unknown, v: Validator): RunbookDatabase[] | null {
	if (value === undefined || value === null) {
		return null;
	}

	const list = v.list(value, ['databases']);
	const databases: RunbookDatabase[] = [];
	for (const [index, raw] of list.entries()) {
		const path = ['databases', index];
		const item = v.object(raw, path, {required: ['name'], optional: ['migrations', 'format']});
		const name = v.id(item['name'], [...path, 'name']);
		if (databases.some(d => d.name === name)) {
			v.fail([...path, 'name'], `duplicate database "${name}": each database of the run needs its own name`);
		}

		databases.push({name, migrations: v.optionalText(item['migrations'], [...path, 'migrations']), format: v.optionalText(item['format'], [...path, 'format'])});
	}

	if (databases.length < 2) {
		v.fail(['databases'], `a run over several databases names at least two (this one names ${databases.length}); for one database leave databases: out and give --db`);
	}

	return databases;
}

/** A check's `database:` names one of the runbook's databases, and only a runbook over several has them. */
function checkDatabaseNames(checks: Record<CheckSection, CheckDefinition[]>, databases: RunbookDatabase[] | null, v: Validator): void {
	for (const phase of sections) {
		for (const [index, check] of checks[phase].entries()) {
			if (check.database === undefined) {
				continue;
			}

			const path = ['checks', phase, index, 'database'];
			if (databases === null) {
				v.fail(path, `database: ${check.database} names a database, and this runbook is over one: add databases: [{name: ${check.database}, migrations: …}, …] or leave database: out`);
			}

			if (!databases.some(d => d.name === check.database)) {
				v.fail(path, `database: ${check.database} is not one of this runbook's databases (${databases.map(d => d.name).join(', ')})`);
			}
		}
	}

	// A check that compares with an earlier one needs it to have run on the same database.
	for (const [index, check] of checks.post.entries()) {
		const reference = 'check' in check.expect && typeof check.expect.check === 'string' ? check.expect.check : null;
		const earlier = reference === null ? undefined : [...checks.pre.map(c => ['pre', c] as const), ...checks.post.map(c => ['post', c] as const)].find(([phase, c]) => `${phase}.${c.id}` === reference)?.[1];
		if (earlier?.database !== undefined && earlier.database !== check.database) {
			v.fail(['checks', 'post', index, check.database === undefined ? 'id' : 'database'], `${check.id} compares with ${reference}, which runs on ${earlier.database} only, and ${check.id} runs on ${check.database ?? 'every database'}: give it database: ${earlier.database}`);
		}
	}
}

/** An observation period longer than a day is no longer a step of a run. */
const OBSERVE_MAX_MS = 24 * 60 * 60_000;
const OBSERVE_EVERY_MS = 5000;

/**
 * `observe: {minutes: 15}` or `observe: {duration: 90s}`, and `every: 5s` (how often the figures
 * are read). Minutes may be fractional; 0 means no observation, as leaving the section out does.
 */
function readObserve(value: unknown, v: Validator): Observation | null {
	if (value === undefined || value === null) {
		return null;
	}

	const map = v.object(value, ['observe'], {required: [], optional: ['minutes', 'duration', 'every']});
	if ((map['minutes'] === undefined) === (map['duration'] === undefined)) {
		v.fail(['observe'], 'give one of minutes: or duration:, for example observe: {minutes: 15} or observe: {duration: 90s}');
	}

	let durationMs: number;
	if (map['minutes'] === undefined) {
		durationMs = v.duration(map['duration'], ['observe', 'duration'], {min: 0, max: OBSERVE_MAX_MS});
	} else {
		const minutes = map['minutes'];
		if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 0 || minutes * 60_000 > OBSERVE_MAX_MS) {
			v.fail(['observe', 'minutes'], `expected a number of minutes from 0 to ${OBSERVE_MAX_MS / 60_000} (0: no observation), found ${JSON.stringify(minutes) ?? 'nothing'}`);
		}

		durationMs = Math.round(minutes * 60_000);
	}

	const everyMs = map['every'] === undefined ? OBSERVE_EVERY_MS : v.duration(map['every'], ['observe', 'every'], {min: 100, max: 60_000});
	return durationMs === 0 ? null : {durationMs, everyMs};
}

/** `upgrade: {lock-timeout: 5s, attempts: 3, backoff: 1s}`, every key optional. */
function readUpgrade(value: unknown, v: Validator): Partial<LockPolicy> {
	if (value === undefined || value === null) {
		return {};
	}

	const map = v.object(value, ['upgrade'], {required: [], optional: ['lock-timeout', 'attempts', 'backoff']});
	const policy: Partial<LockPolicy> = {};
	if (map['lock-timeout'] !== undefined) {
		// Past a few minutes a migration waiting for its lock is the outage it was meant to avoid.
		policy.lockTimeoutMs = v.duration(map['lock-timeout'], ['upgrade', 'lock-timeout'], {min: 1, max: 600_000});
	}

	if (map['attempts'] !== undefined) {
		policy.maxAttempts = v.count(map['attempts'], ['upgrade', 'attempts'], {min: 1, max: 20});
	}

	if (map['backoff'] !== undefined) {
		policy.backoffMs = v.duration(map['backoff'], ['upgrade', 'backoff'], {min: 0, max: 600_000});
	}

	return policy;
}

function readPreparation(value: unknown, v: Validator): PrepItem[] {
	const items: PrepItem[] = [];
	for (const [index, raw] of v.list(value, ['preparation']).entries()) {
		const path = ['preparation', index];
		const item = v.object(raw, path, {required: ['id', 'text'], optional: []});
		const id = v.id(item['id'], [...path, 'id']);
		if (items.some(i => i.id === id)) {
			v.fail([...path, 'id'], `duplicate id "${id}": each preparation item needs its own`);
		}

		items.push({id, text: v.text(item['text'], [...path, 'text'])});
	}

	return items;
}

/** `earlier` holds the qualified ids (pre.x) a same-rows-as may refer to: checks that have run before this phase. */
function readChecks(value: unknown, phase: CheckSection, earlier: readonly string[], baselinesOn: (database: unknown) => ReadonlyMap<string, string>, timeoutMs: number, v: Validator): CheckDefinition[] {
	const checks: CheckDefinition[] = [];
	for (const [index, raw] of v.list(value, ['checks', phase]).entries()) {
		const path: Path = ['checks', phase, index];
		const check = v.object(raw, path, {required: ['id', 'title'], optional: [...CHECK_BODY_KEYS, ...CHECK_OPTION_KEYS]});
		const id = v.id(check['id'], [...path, 'id']);
		if (checks.some(c => c.id === id)) {
			v.fail([...path, 'id'], `duplicate id "${id}" in checks.${phase}`);
		}

		const before = [...earlier, ...checks.map(c => `${phase}.${c.id}`)];
		const title = v.text(check['title'], [...path, 'title']);
		const body = readCheckBody(check, path, {phase, id, before, baselines: baselinesOn(check['database'])}, (sql, at) => readSql(sql, at, v), v);
		// A health check runs outside any run: there is no migration a run brings the database to.
		if (phase === 'health' && Object.values(body.sql).some(sql => sql !== undefined && mentionsTarget(sql))) {
			v.fail(check['version'] === undefined ? [...path, 'sql'] : [...path, 'version'], check['version'] === undefined
				? `${TARGET_TOKEN} is the migration a run brings the database to, and a health check runs outside a run: name the migration in the SQL`
				: 'version: {} compares with the migration a run brings the database to, and a health check runs outside a run: name it, version: {equals: \'0004_x\'}');
		}

		const evidenceLimit = readEvidenceLimit(check['evidence'], [...path, 'evidence'], v);
		checks.push({
			id,
			title,
			blocking: readBlocking(check, path, v),
			expect: body.expect,
			sql: body.sql,
			timeoutMs: check['timeout'] === undefined ? timeoutMs : v.duration(check['timeout'], [...path, 'timeout'], timeoutRange),
			...(evidenceLimit === undefined ? {} : {evidenceLimit}),
			...(body.counts === undefined ? {} : {counts: body.counts}),
			...(body.probe === undefined ? {} : {probe: body.probe}),
			...(check['database'] === undefined ? {} : {database: v.id(check['database'], [...path, 'database'])}),
		});
	}

	return checks;
}

function readSql(value: unknown, path: Path, v: Validator): CheckDefinition['sql'] {
	if (typeof value === 'string') {
		const sql = v.text(value, path);
		return {sqlite: sql, postgres: sql};
	}

	const map = v.object(value, path, {required: [], optional: ['sqlite', 'postgres']});
	const sql: CheckDefinition['sql'] = {};
	if (map['sqlite'] !== undefined) {
		sql.sqlite = v.text(map['sqlite'], [...path, 'sqlite']);
	}

	if (map['postgres'] !== undefined) {
		sql.postgres = v.text(map['postgres'], [...path, 'postgres']);
	}

	if (sql.sqlite === undefined && sql.postgres === undefined) {
		v.fail(path, 'give the SQL as text for both engines, or as {sqlite: …, postgres: …}');
	}

	return sql;
}
