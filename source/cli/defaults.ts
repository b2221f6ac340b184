import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs';
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

/**
 * The flag's file, or the one runbook among checklists/*.yaml of the working directory; several or
 * none: the operator says which. A file of health checks alone (checklists/health.yaml, for
 * cutover health) is no runbook for a run and is passed over.
 */
export async function resolveChecklist(flag: string | undefined, cwd = process.cwd()): Promise<string> {
	if (flag !== undefined) {
		return path.resolve(cwd, flag);
	}

	const directory = path.resolve(cwd, 'checklists');
	const files = isDirectory(directory) ? readdirSync(directory).filter(f => /\.ya?ml$/.test(f)).sort() : [];
	const healthOnly = await healthOnlyFiles(directory, files);
	const found = files.filter(f => !healthOnly.has(f));
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

	const passedOver = healthOnly.size === 0 ? '' : ` (${[...healthOnly].join(', ')} ${healthOnly.size === 1 ? 'holds' : 'hold'} health checks only, for cutover health)`;
	throw new UsageError(`no checklist: --checklist was not given and ${cwd} has no checklists/*.yaml${passedOver}`, {
		hint: 'pass --checklist <file.yaml> (a runbook with no checks is allowed: name, window and checks: {}), or run from the project directory that holds checklists/',
	});
}

/** The files that parse as a checklist of health checks alone; one that does not parse is left to the run's own load to report. */
async function healthOnlyFiles(directory: string, files: readonly string[]): Promise<Set<string>> {
	if (files.length === 0) {
		return new Set();
	}

	const [{parse}, {isForRun}] = await Promise.all([import('yaml'), import('../checklist/validate-checklist.js')]);
	return new Set(files.filter(file => {
		try {
			const root: unknown = parse(readFileSync(path.join(directory, file), 'utf8'));
			return typeof root === 'object' && root !== null && !Array.isArray(root) && !isForRun(root as Record<string, unknown>);
		} catch {
			return false;
		}
	}));
}
