import {existsSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {UsageError} from '../errors/index.js';
import {packageRoot} from '../package-root.js';

/** cutover's own demo files: only `cutover demo` uses them, never a run against an operator's database. */
export const bundled = (relative: string) => path.join(packageRoot, relative);

const isDirectory = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** The flag's directory, or ./migrations of the working directory; nothing else, so no one migrates with files they did not choose. */
export function resolveMigrations(flag: string | undefined, cwd = process.cwd()): string {
	if (flag !== undefined) {
		return path.resolve(cwd, flag);
	}

	const local = path.resolve(cwd, 'migrations');
	if (isDirectory(local)) {
		return local;
	}

	throw new UsageError(`no migrations: --migrations was not given and ${cwd} has no migrations/ directory`, {
		hint: 'pass --migrations <directory>, or run from the project directory that holds migrations/ (cutover demo runs the bundled demo)',
	});
}

/** The flag's file, or the one checklists/*.yaml of the working directory; several or none: the operator says which. */
export function resolveChecklist(flag: string | undefined, cwd = process.cwd()): string {
	if (flag !== undefined) {
		return path.resolve(cwd, flag);
	}

	const directory = path.resolve(cwd, 'checklists');
	const found = isDirectory(directory) ? readdirSync(directory).filter(f => /\.ya?ml$/.test(f)).sort() : [];
	if (found.length === 1) {
		return path.join(directory, found[0]!);
	}

	// Several runbooks (a project ships one per kind of change): production.yaml is the conventional
	// default, named on the window before anything is asked; without one, the operator says which.
	const production = found.find(f => /^production\.ya?ml$/.test(f));
	if (found.length > 1 && production !== undefined) {
		return path.join(directory, production);
	}

	if (found.length > 1) {
		throw new UsageError(`several checklists in ${directory}: ${found.join(', ')}`, {hint: `say which with --checklist, for example --checklist checklists/${found[0]!}`});
	}

	throw new UsageError(`no checklist: --checklist was not given and ${cwd} has no checklists/*.yaml`, {
		hint: 'pass --checklist <file.yaml> (a runbook with no checks is allowed: name, window and checks: {}), or run from the project directory that holds checklists/',
	});
}
