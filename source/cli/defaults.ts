import {existsSync} from 'node:fs';
import path from 'node:path';
import {packageRoot} from '../package-root.js';

/** A project's own migrations/ and checklists/ win over cutover's bundled demo ones. */
export function defaultPath(relative: string, cwd = process.cwd()): string {
	const local = path.resolve(cwd, relative);
	return existsSync(local) ? local : path.join(packageRoot, relative);
}

export const bundled = (relative: string) => path.join(packageRoot, relative);
