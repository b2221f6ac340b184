// checklists/checklist.schema.json, the schema editors check runbooks with, against the loader that
// cutover checks them with: every shipped checklist passes both; each bad checklist the loader
// refuses, the schema refuses too; and every key the loader knows is in the schema.
import assert from 'node:assert/strict';
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {parse} from 'yaml';
import {CHECK_BODY_KEYS, CHECK_KINDS, CHECK_OPTION_KEYS} from '../../source/checklist/check-body.js';
import {loadChecklist} from '../../source/checklist/index.js';
import {THRESHOLD_NAMES} from '../../source/checklist/thresholds.js';
import {SCALAR_OPS} from '../../source/engine/judge-kinds.js';
import {ChecklistError} from '../../source/errors/index.js';
import {packageRoot} from '../../source/package-root.js';
import {validateJson, type Schema} from '../support/json-schema.js';

const shipped = path.join(packageRoot, 'checklists');
const schema = JSON.parse(readFileSync(path.join(shipped, 'checklist.schema.json'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const check = schema['$defs']['check'] as {properties: Record<string, unknown>; oneOf: Array<{required: string[]}>};

const dir = mkdtempSync(path.join(tmpdir(), 'cutover-schema-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

let counter = 0;
async function loaderAccepts(text: string): Promise<string | true> {
	const file = path.join(dir, `case-${counter++}.yaml`);
	writeFileSync(file, text);
	try {
		await loadChecklist(file);
		return true;
	} catch (error) {
		if (error instanceof ChecklistError) {
			return error.message;
		}

		throw error;
	}
}

const schemaErrors = (text: string) => validateJson(schema as Schema, parse(text));

/** A runbook whose pre phase holds the given check lines (indented as list items under pre:). */
const withPre = (lines: string) => `name: case
window: {expected-minutes: 5}
checks:
  pre:
    - id: meter-count
      title: Meters before
      row_count: {table: meters, min: 0}
${lines}`;

const good: Array<[string, string]> = [
	['sql with every expectation', withPre(`    - {id: a, title: A, sql: SELECT 1, expect: no-rows}
    - {id: b, title: B, sql: {sqlite: SELECT 1, postgres: SELECT 1}, expect: some-rows, severity: warn, evidence: 5, timeout: 2s}
    - {id: c, title: C, sql: SELECT 1, expect: {at-least: 2}, blocking: false}
    - {id: d, title: D, sql: SELECT 1, expect: {scalar: '<= 5'}}
    - {id: e, title: E, sql: SELECT 1 AS t, expect: {columns-equal: [total, unique]}}
    - {id: f, title: F, sql: SELECT 1, expect: {same-rows-as: pre.a}}
`)],
	['every data test', withPre(`    - {id: a, title: A, unique: {table: billing.meters, columns: [unit_id, kind]}}
    - {id: b, title: B, not_null: {table: users, column: email}}
    - {id: c, title: C, accepted_values: {table: users, column: role, values: [admin, member, 3, true]}}
    - {id: d, title: D, accepted_range: {table: meters, column: slot, min: 0}}
    - {id: e, title: E, accepted_range: {table: users, column: created_at, min: '2020-01-01', max: '2030-01-01'}}
    - {id: f, title: F, recency: {table: users, column: created_at, within: 30d}}
    - {id: g, title: G, row_count: {table: users, max: 10}}
  post:
    - {id: h, title: H, row_count: {table: meters, within: 10%}}
`)],
	['every schema check', withPre(`    - {id: a, title: A, exists: {table: users}}
    - {id: b, title: B, exists: {column: email, table: users}}
    - {id: c, title: C, absent: {index: uq_meter_unit_kind_slot, table: meters}}
    - {id: d, title: D, exists: {constraint: users_pkey}}
    - {id: e, title: E, version: {}}
    - {id: f, title: F, version: {equals: '0004_meters_unique_slot'}}
    - {id: g, title: G, version:}
    - {id: h, title: H, unexpected-tables: {allowed: []}}
    - {id: i, title: I, unexpected-tables: {belong-elsewhere: [pool_slots]}}
`)],
	['every probe', withPre(`    - {id: a, title: A, http: {url: 'http://127.0.0.1:8080/health', body: ok}}
    - {id: b, title: B, http: {method: post, url: '\${env:APP_URL}/login', json: {user: admin, password: '\${env:PW}'}, status: [200, 201], body: '/"ok":\\s*true/i'}}
    - {id: c, title: C, http: {url: 'https://app.example/admin', auth: {user: member, password: '\${env:MEMBER_PASSWORD}'}, status: 403, headers: {X-Request-Id: 7}}}
    - {id: d, title: D, http: {method: PUT, url: 'http://x/y', send: 'text \${env:A}', headers: {Authorization: 'Bearer \${env:TOKEN}'}}}
    - {id: e, title: E, command: {run: 'pgrep -f "$APP_MARKER"', exit: [1], stdout: x}, timeout: 5s}
    - {id: f, title: F, command: {run: [node, --version, 2], stdout: '/^v\\d+/'}}
`)],
	['every root key, thresholds and a health section', `name: all
window: {expected-minutes: 1.5}
preparation:
  - {id: p, text: Prepared}
maintenance: {on: 'echo on', off: null, off-when-mid-change: true}
upgrade: {lock-timeout: 5s, attempts: 3, backoff: 500ms}
checks:
  timeout: 1M
  pre:
  post: []
  health:
    - {id: h, title: H, row_count: {table: users, min: 1}}
thresholds:
  connections: {warn: 80%, alert: 90%}
  cache-hit: {alert: 95%}
  lock-wait: {warn: 2s}
  replication-lag: {warn: 5s, alert: 10s}
`],
	['an observation period in minutes', 'name: o\nwindow: {expected-minutes: 5}\nchecks: {}\nobserve: {minutes: 0.5, every: 2s}\n'],
	['an observation period as a duration', 'name: o\nwindow: {expected-minutes: 5}\nchecks: {}\nobserve: {duration: 90s}\n'],
	['a backup section', 'name: b\nwindow: {expected-minutes: 5}\nchecks: {}\nbackup: {format: auto, parallel-threshold: 500MB, jobs: 2, compression: 0}\n'],
	['a backup section naming its format', 'name: b\nwindow: {expected-minutes: 5}\nchecks: {}\nbackup: {format: directory, compression: 9}\n'],
	['a health file alone', 'name: h\nchecks:\n  health:\n    - {id: a, title: A, sql: SELECT 1, expect: some-rows}\n'],
	['empty sections', 'name: e\nwindow: {expected-minutes: 5}\nchecks: {}\npreparation:\nmaintenance:\nupgrade:\nthresholds:\n'],
];

const bad: Array<[string, string]> = [
	['an unknown root key', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nwindows: 3\n'],
	['an unknown key in a check', withPre('    - {id: a, title: A, sql: SELECT 1, expect: no-rows, blockng: true}\n')],
	['an unknown key in checks', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {pre: [], during: []}\n'],
	['an unknown key in a data test', withPre('    - {id: a, title: A, unique: {table: meters, columns: [a], where: x}}\n')],
	['an unknown key in a probe', withPre('    - {id: a, title: A, http: {url: "http://x", timeout: 5s}}\n')],
	['an unknown threshold', 'name: x\nthresholds: {disk: {warn: 80%}}\n'],
	['a missing name', 'window: {expected-minutes: 5}\nchecks: {}\n'],
	['a missing title', withPre('    - {id: a, sql: SELECT 1, expect: no-rows}\n')],
	['a missing expect', withPre('    - {id: a, title: A, sql: SELECT 1}\n')],
	['a missing body', withPre('    - {id: a, title: A, severity: warn}\n')],
	['a missing url', withPre('    - {id: a, title: A, http: {status: 200}}\n')],
	['a missing expected-minutes', 'name: x\nwindow: {}\nchecks: {}\n'],
	['a missing unique columns', withPre('    - {id: a, title: A, unique: {table: meters}}\n')],
	['a wrong type: window minutes as text', 'name: x\nwindow: {expected-minutes: half an hour}\nchecks: {}\n'],
	['a wrong type: checks as a list', 'name: x\nwindow: {expected-minutes: 5}\nchecks: [a]\n'],
	['a wrong type: evidence as text', withPre('    - {id: a, title: A, sql: SELECT 1, expect: no-rows, evidence: many}\n')],
	['a wrong type: blocking as text', withPre('    - {id: a, title: A, sql: SELECT 1, expect: no-rows, blocking: yes please}\n')],
	['a timeout without its unit', withPre('    - {id: a, title: A, sql: SELECT 1, expect: no-rows, timeout: 5}\n')],
	['a bare-number threshold', 'name: x\nthresholds: {connections: {alert: 90}}\n'],
	['an observation period of minutes and a duration', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nobserve: {minutes: 5, duration: 5m}\n'],
	['an observation period without its length', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nobserve: {every: 5s}\n'],
	['an observation period in negative minutes', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nobserve: {minutes: -1}\n'],
	['an unknown backup format', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nbackup: {format: tar}\n'],
	['a backup threshold without its unit', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nbackup: {parallel-threshold: 1024}\n'],
	['a backup threshold with a format that leaves no choice', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nbackup: {format: custom, parallel-threshold: 1GB}\n'],
	['no backup jobs', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nbackup: {jobs: 0}\n'],
	['a compression level past 9', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nbackup: {compression: 10}\n'],
	['attempts out of range', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nupgrade: {attempts: 50}\n'],
	['a bad severity', withPre('    - {id: a, title: A, sql: SELECT 1, expect: no-rows, severity: critical}\n')],
	['an unknown expectation', withPre('    - {id: a, title: A, sql: SELECT 1, expect: all-rows}\n')],
	['an expectation map with two forms', withPre('    - {id: a, title: A, sql: SELECT 1, expect: {at-least: 1, scalar: "= 1"}}\n')],
	['an unquoted-looking scalar', withPre('    - {id: a, title: A, sql: SELECT 1, expect: {scalar: "about 5"}}\n')],
	['an unknown check kind', withPre('    - {id: a, title: A, freshness: {table: users}}\n')],
	['two kinds in one check', withPre('    - {id: a, title: A, unique: {table: m, columns: [a]}, not_null: {table: m, column: a}}\n')],
	['a kind with sql', withPre('    - {id: a, title: A, sql: SELECT 1, expect: no-rows, not_null: {table: m, column: a}}\n')],
	['a kind with expect', withPre('    - {id: a, title: A, not_null: {table: m, column: a}, expect: no-rows}\n')],
	['a bad id', withPre('    - {id: Bad_Id, title: A, sql: SELECT 1, expect: no-rows}\n')],
	['a bad method', withPre('    - {id: a, title: A, http: {method: FETCH, url: "http://x"}}\n')],
	['a URL that is not http', withPre('    - {id: a, title: A, http: {url: "ftp://x/y"}}\n')],
	['a password written out', withPre('    - {id: a, title: A, http: {url: "http://x", auth: {user: u, password: hunter2}}}\n')],
	['a stray variable', withPre('    - {id: a, title: A, http: {url: "http://x/${APP}"}}\n')],
	['a command with ${env:}', withPre('    - {id: a, title: A, command: {run: "echo ${env:X}"}}\n')],
	['an exit code out of range', withPre('    - {id: a, title: A, command: {run: "true", exit: 300}}\n')],
	['a row_count with neither bound', withPre('    - {id: a, title: A, row_count: {table: users}}\n')],
	['a schema check naming two objects', withPre('    - {id: a, title: A, exists: {index: i, constraint: k}}\n')],
	['a column without its table', withPre('    - {id: a, title: A, exists: {column: c}}\n')],
	['an interval without its unit', withPre('    - {id: a, title: A, recency: {table: t, column: c, within: 30}}\n')],
	['a bad table name', withPre('    - {id: a, title: A, not_null: {table: a.b.c, column: c}}\n')],
	['unexpected-tables with both lists', withPre('    - {id: a, title: A, unexpected-tables: {allowed: [a], belong-elsewhere: [b]}}\n')],
];

describe('checklists/checklist.schema.json', () => {
	it('is a draft 2020-12 schema that refuses unknown keys at the root and in a check', () => {
		assert.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
		assert.equal(schema['additionalProperties'], false);
		assert.equal(schema['$defs']['check']['additionalProperties'], false);
	});

	it('passes every shipped checklist, each of which the loader accepts and which names the schema for editors', async () => {
		const files = readdirSync(shipped).filter(f => /\.ya?ml$/.test(f)).sort();
		assert.ok(files.includes('production.yaml'), files.join(', '));
		for (const file of files) {
			const text = readFileSync(path.join(shipped, file), 'utf8');
			// eslint-disable-next-line no-await-in-loop -- one text at a time
			assert.equal(await loaderAccepts(text), true, file);
			assert.deepEqual(schemaErrors(text), [], file);
			assert.match(text, /^# yaml-language-server: \$schema=\.\/checklist\.schema\.json\n/, `${file} names the schema on its first line`);
		}
	});

	for (const [what, text] of good) {
		it(`accepts what the loader accepts: ${what}`, async () => {
			assert.equal(await loaderAccepts(text), true);
			assert.deepEqual(schemaErrors(text), []);
		});
	}

	for (const [what, text] of bad) {
		it(`refuses what the loader refuses: ${what}`, async () => {
			assert.notEqual(await loaderAccepts(text), true, 'the loader refuses it');
			assert.notDeepEqual(schemaErrors(text), [], 'the schema refuses it');
		});
	}

	it('names every check kind, check option and threshold the loader knows, and no other', () => {
		const keys = Object.keys(check.properties).filter(k => k !== 'id' && k !== 'title').sort();
		assert.deepEqual(keys, [...CHECK_BODY_KEYS, ...CHECK_OPTION_KEYS].sort());
		const bodies = check.oneOf.map(form => form.required.join('+')).sort();
		assert.deepEqual(bodies, ['sql+expect', ...CHECK_KINDS].sort(), 'each kind is one of the forms a check takes');
		assert.deepEqual(Object.keys(schema['properties']['thresholds']['anyOf'][1]['properties']).sort(), [...THRESHOLD_NAMES].sort());
		const scalar = JSON.stringify(schema['$defs']['expect']);
		for (const op of SCALAR_OPS) {
			assert.ok(scalar.includes(op), `the scalar pattern knows ${op}`);
		}
	});

	// The loader lists the keys it allows in each mapping when it meets one it does not know: the
	// schema must allow the same, so neither gains a key the other does not know of.
	const unknownAt: Array<[string, string, (s: typeof schema) => object[]]> = [
		['the root', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nzzz: 1\n', s => [s['properties']]],
		['window', 'name: x\nwindow: {expected-minutes: 5, zzz: 1}\nchecks: {}\n', s => [s['properties']['window']['properties']]],
		['a preparation item', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\npreparation: [{id: a, text: A, zzz: 1}]\n', s => [s['properties']['preparation']['items']['properties']]],
		['maintenance', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nmaintenance: {zzz: 1}\n', s => [s['properties']['maintenance']['anyOf'][1]['properties']]],
		['upgrade', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nupgrade: {zzz: 1}\n', s => [s['properties']['upgrade']['anyOf'][1]['properties']]],
		['backup', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nbackup: {zzz: 1}\n', s => [s['properties']['backup']['anyOf'][1]['properties']]],
		['observe', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nobserve: {minutes: 1, zzz: 1}\n', s => [s['properties']['observe']['anyOf'][1]['properties']]],
		['checks', 'name: x\nwindow: {expected-minutes: 5}\nchecks: {zzz: 1}\n', s => [s['properties']['checks']['properties']]],
		['thresholds', 'name: x\nthresholds: {zzz: 1}\n', s => [s['properties']['thresholds']['anyOf'][1]['properties']]],
		['a threshold', 'name: x\nthresholds: {connections: {zzz: 1}}\n', s => [s['properties']['thresholds']['anyOf'][1]['properties']['connections']['properties']]],
		['a check', withPre('    - {id: a, title: A, zzz: 1}\n'), s => [s['$defs']['check']['properties']]],
		['sql per engine', withPre('    - {id: a, title: A, sql: {zzz: 1}, expect: no-rows}\n'), s => [s['$defs']['sql']['anyOf'][1]['properties']]],
		['an expectation', withPre('    - {id: a, title: A, sql: SELECT 1, expect: {zzz: 1}}\n'), s => (s['$defs']['expect']['oneOf'] as Array<{properties?: object}>).flatMap(f => f.properties ?? [])],
		...['unique', 'not_null', 'accepted_values', 'accepted_range', 'recency', 'row_count', 'exists', 'absent', 'version', 'unexpected-tables', 'http', 'command'].map((kind): [string, string, (s: typeof schema) => object[]] => [
			kind, withPre(`    - {id: a, title: A, ${kind}: {zzz: 1}}\n`), s => {
				const node = s['$defs']['check']['properties'][kind];
				const resolved = node['$ref'] === undefined ? node : s['$defs'][(node['$ref'] as string).split('/').at(-1)!];
				return [resolved['properties'] ?? resolved['anyOf'][1]['properties']];
			}]),
		['http auth', withPre('    - {id: a, title: A, http: {url: "http://x", auth: {zzz: 1}}}\n'), s => [s['$defs']['check']['properties']['http']['properties']['auth']['properties']]],
	];
	for (const [where, text, keysIn] of unknownAt) {
		it(`allows in ${where} exactly the keys the loader allows`, async () => {
			const message = await loaderAccepts(text);
			assert.notEqual(message, true);
			const allowed = /\(allowed: ([^)]*)\)/.exec(String(message));
			assert.ok(allowed, String(message));
			assert.deepEqual(keysIn(schema).flatMap(p => Object.keys(p)).sort(), allowed[1]!.split(', ').sort());
			assert.notDeepEqual(schemaErrors(text), []);
		});
	}

	it('knows each root key the loader accepts', async () => {
		for (const key of Object.keys(schema['properties'] as object)) {
			const text = key === 'name' ? 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\n' : `name: x\nwindow: {expected-minutes: 5}\nchecks: {}\n${key === 'window' || key === 'checks' ? '' : `${key}:\n`}`;
			// eslint-disable-next-line no-await-in-loop -- one text at a time
			assert.equal(await loaderAccepts(text), true, key);
		}

		const unknown = 'name: x\nwindow: {expected-minutes: 5}\nchecks: {}\nhealth: {}\n';
		assert.notEqual(await loaderAccepts(unknown), true);
		assert.notDeepEqual(schemaErrors(unknown), []);
	});
});
