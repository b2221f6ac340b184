import fc from 'fast-check';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {loadChecklist} from '../../source/checklist/index.js';
import {byteMutation, FUZZ_RUNS, lineMutation, mutateBytes, mutateLines, mutateValue, returnsOrCutoverError, valueMutation} from '../support/fuzz.js';
import {stringify} from 'yaml';
import {parse} from 'yaml';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-fuzz-checklist-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

const production = readFileSync(path.resolve('checklists/production.yaml'), 'utf8');
let n = 0;
async function load(content: string | Uint8Array): Promise<void> {
	const file = path.join(dir, `checklist-${n++ % 4}.yaml`);
	writeFileSync(file, content);
	await returnsOrCutoverError(async () => loadChecklist(file));
}

describe('fuzzing the checklist loader', () => {
	it('arbitrary text and bytes', {timeout: 120_000}, async () => {
		await fc.assert(fc.asyncProperty(fc.oneof(fc.string({maxLength: 400}), fc.uint8Array({maxLength: 400})), async content => load(content)), {numRuns: FUZZ_RUNS});
	});

	it('the production checklist with lines removed, repeated, swapped, replaced or re-indented', {timeout: 120_000}, async () => {
		await fc.assert(fc.asyncProperty(fc.array(lineMutation, {minLength: 1, maxLength: 5}), async mutations => load(mutateLines(production, mutations))), {numRuns: FUZZ_RUNS});
	});

	it('the production checklist with bytes flipped, cut or spliced', {timeout: 120_000}, async () => {
		await fc.assert(fc.asyncProperty(fc.array(byteMutation, {minLength: 1, maxLength: 4}), async mutations => load(mutateBytes(Buffer.from(production), mutations))), {numRuns: FUZZ_RUNS});
	});

	it('the production checklist with a value anywhere in it replaced by another YAML value', {timeout: 120_000}, async () => {
		const document = parse(production) as unknown;
		await fc.assert(fc.asyncProperty(fc.array(valueMutation, {minLength: 1, maxLength: 3}), async mutations => load(stringify(mutations.reduce((d, m) => mutateValue(d, m), document)))), {numRuns: FUZZ_RUNS});
	});

	it('YAML aliases and tags an attacker or a typo might write', {timeout: 120_000}, async () => {
		const hostile = [
			'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n',
			'name: !!binary aGVsbG8=\n',
			'name: !!js/function "function () {}"\n',
			'? [a, b]\n: c\n',
			'name: *undefined\n',
			`${production}\n...\n`,
			'name: x\nname: y\n',
		];
		for (const text of hostile) {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			await load(text);
		}
	});
});
