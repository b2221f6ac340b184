import fc from 'fast-check';
import assert from 'node:assert/strict';
import {CutoverError} from '../../source/errors/index.js';

/** Runs kept modest, so the suite stays fast; a failure prints its seed and shrunk case. */
export const FUZZ_RUNS = 200;

/** The property every reader keeps: it returns, or throws a CutoverError (the entry point prints it with a hint). */
export async function returnsOrCutoverError(work: () => unknown): Promise<void> {
	try {
		await work();
	} catch (error) {
		assert.ok(error instanceof CutoverError, `expected a CutoverError, got ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error)}`);
		assert.ok(error.hint.length > 0, 'with a hint');
	}
}

/** Byte-level damage to a file: flipped bytes, a cut, a spliced-in run of random bytes. */
export const byteMutation = fc.oneof(
	fc.record({kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({min: 0, max: 255})}),
	fc.record({kind: fc.constant('cut' as const), at: fc.nat()}),
	fc.record({kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({maxLength: 16})}),
	fc.record({kind: fc.constant('drop' as const), at: fc.nat(), length: fc.integer({min: 1, max: 64})}),
);

export type ByteMutation = typeof byteMutation extends fc.Arbitrary<infer T> ? T : never;

export function mutateBytes(input: Uint8Array, mutations: readonly ByteMutation[]): Buffer {
	let bytes = Buffer.from(input);
	for (const m of mutations) {
		const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
		switch (m.kind) {
			case 'flip': {
				if (bytes.length > 0) {
					bytes[at % bytes.length] = m.byte;
				}

				break;
			}

			case 'cut': {
				bytes = bytes.subarray(0, at);
				break;
			}

			case 'splice': {
				bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
				break;
			}

			case 'drop': {
				bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
				break;
			}
		}
	}

	return bytes;
}

/** Text-level damage to a line-oriented file: a line removed, repeated, swapped or replaced. */
export const lineMutation = fc.oneof(
	fc.record({kind: fc.constant('remove' as const), at: fc.nat()}),
	fc.record({kind: fc.constant('repeat' as const), at: fc.nat()}),
	fc.record({kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat()}),
	fc.record({kind: fc.constant('replace' as const), at: fc.nat(), text: fc.string({maxLength: 40})}),
	fc.record({kind: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({min: -4, max: 4})}),
);

export type LineMutation = typeof lineMutation extends fc.Arbitrary<infer T> ? T : never;

export function mutateLines(text: string, mutations: readonly LineMutation[]): string {
	const lines = text.split('\n');
	for (const m of mutations) {
		if (lines.length === 0) {
			break;
		}

		const at = m.at % lines.length;
		switch (m.kind) {
			case 'remove': {
				lines.splice(at, 1);
				break;
			}

			case 'repeat': {
				lines.splice(at, 0, lines[at]!);
				break;
			}

			case 'swap': {
				const other = m.with % lines.length;
				[lines[at], lines[other]] = [lines[other]!, lines[at]!];
				break;
			}

			case 'replace': {
				lines[at] = m.text;
				break;
			}

			case 'indent': {
				const line = lines[at]!;
				lines[at] = m.by >= 0 ? `${' '.repeat(m.by)}${line}` : line.replace(new RegExp(`^ {0,${-m.by}}`), '');
				break;
			}
		}
	}

	return lines.join('\n');
}

/** A value somewhere inside a JSON document replaced by another JSON value, or removed. */
export const valueMutation = fc.record({path: fc.nat(), value: fc.oneof(fc.jsonValue({maxDepth: 2}), fc.constant(undefined))});

export type ValueMutation = typeof valueMutation extends fc.Arbitrary<infer T> ? T : never;

export function mutateValue<T>(document: T, mutation: ValueMutation): T {
	const copy = structuredClone(document) as unknown;
	const slots: Array<{parent: Record<string, unknown> | unknown[]; key: string | number}> = [];
	const walk = (node: unknown) => {
		if (Array.isArray(node)) {
			node.forEach((child, i) => {
				slots.push({parent: node, key: i});
				walk(child);
			});
		} else if (typeof node === 'object' && node !== null) {
			for (const [key, child] of Object.entries(node)) {
				slots.push({parent: node as Record<string, unknown>, key});
				walk(child);
			}
		}
	};

	walk(copy);
	const slot = slots[mutation.path % Math.max(1, slots.length)];
	if (slot !== undefined) {
		if (mutation.value === undefined) {
			if (Array.isArray(slot.parent)) {
				slot.parent.splice(Number(slot.key), 1);
			} else {
				delete slot.parent[slot.key as string];
			}
		} else {
			(slot.parent as Record<string | number, unknown>)[slot.key] = mutation.value;
		}
	}

	return copy as T;
}
