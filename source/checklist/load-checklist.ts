import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {LineCounter, parseAllDocuments} from 'yaml';
import {ChecklistError} from '../errors/index.js';
import type {Checklist} from './types.js';
import {validateChecklist} from './validate-checklist.js';
import {Validator} from './validator.js';
import {lineFinder} from './yaml-lines.js';

/** Reads and validates a runbook. Throws a ChecklistError naming the file, the step and the line. */
export async function loadChecklist(file: string): Promise<Checklist> {
	const absolute = path.resolve(file);
	let bytes: Buffer;
	try {
		bytes = await readFile(absolute);
	} catch (error) {
		throw new ChecklistError(file, '', `cannot read the checklist: ${error instanceof Error ? error.message : String(error)}`);
	}

	const counter = new LineCounter();
	const documents = parseAllDocuments(bytes.toString('utf8'), {lineCounter: counter, prettyErrors: false});
	if (!Array.isArray(documents) || documents.length === 0) {
		throw new ChecklistError(file, '', 'the file holds no checklist: it is empty or only comments');
	}

	if (documents.length > 1) {
		const line = counter.linePos(documents[1]!.range[0]).line;
		throw new ChecklistError(file, '', `holds ${documents.length} YAML documents (a second starts at line ${line}); a checklist is one document`);
	}

	const document = documents[0]!;
	const syntax = document.errors[0];
	if (syntax) {
		const line = counter.linePos(syntax.pos[0]).line;
		// YAML reads a leading > or | as folded or literal text: an unquoted comparison is the usual cause.
		const hint = /block scalar/i.test(syntax.message) ? '; a value starting with > or | must be quoted, for example scalar: \'>= 5\'' : '';
		throw new ChecklistError(file, '', `YAML syntax error at line ${line}: ${syntax.message.split('\n')[0]}${hint}`);
	}

	const validator = new Validator(file, lineFinder(document, counter));
	let data: unknown;
	try {
		// Aliases resolve here: one without its anchor, or so many that they would expand without end, is refused.
		data = document.toJS();
	} catch (error) {
		throw new ChecklistError(file, '', `the YAML cannot be read as data: ${error instanceof Error ? error.message : String(error)}`);
	}

	const checklist = validateChecklist(data, validator);
	return {...checklist, path: absolute, sha256: createHash('sha256').update(bytes).digest('hex')};
}
