import type {Engine, SkippedMigration} from '../../../engine/model.js';
import {CutoverError} from '../../../errors/index.js';
import {compareVersions, formatVersion, type FileRole} from './types.js';

type Item = {file: string; role: FileRole};

/** The files of each migration together (by key), in version order; two migrations with one version are refused. */
export function groupByMigration(directory: string, roles: readonly Item[]): Item[][] {
	const groups = new Map<string, Item[]>();
	for (const item of roles) {
		groups.set(item.role.key, [...groups.get(item.role.key) ?? [], item]);
	}

	pairStrayDowns(groups);
	const ordered = [...groups.values()].sort((a, b) => compareVersions(a[0]!.role.version, b[0]!.role.version) || a[0]!.role.id.localeCompare(b[0]!.role.id));
	checkVersions(directory, ordered);
	return ordered;
}

/**
 * A down whose name no up has, beside the one up of its version that has no down: that up's down,
 * as golang-migrate pairs them (by version alone), so a typo in one title (`20240813211251_flags..up.sql`
 * beside `_flags.down.sql`) does not refuse the folder. Where names are the versions (maragu's) no
 * two migrations share one, and a stray down stays refused (pickFiles).
 */
function pairStrayDowns(groups: Map<string, Item[]>): void {
	const hasUp = (items: readonly Item[]) => items.some(item => item.role.direction !== 'down');
	for (const [key, items] of groups) {
		if (hasUp(items)) {
			continue;
		}

		const same = [...groups].filter(([other, files]) => other !== key && compareVersions(files[0]!.role.version, items[0]!.role.version) === 0);
		const [only] = same;
		if (same.length === 1 && hasUp(only![1]) && only![1].every(item => item.role.direction === 'up')) {
			groups.set(only![0], [...only![1], ...items]);
			groups.delete(key);
		}
	}
}

export type Picked = {id: string; up: Item; down: Item | null};

/** The up and down this engine runs: its own variant, else the generic file; none at all when only other engines have one. */
export function pickFiles(directory: string, files: ReadonlyArray<Item>, engine: Engine): Picked | {skipped: SkippedMigration} {
	const byDirection = {up: new Map<string, Item>(), down: new Map<string, Item>()};
	const modules = files.filter(f => f.role.kind === 'module' || f.role.kind === 'external');
	if (modules.length > 0) {
		const others = files.filter(f => f !== modules[0]);
		if (others.length > 0) {
			throw directoryError(directory, `${modules[0]!.file} and ${others.map(f => f.file).join(', ')} are both migration ${modules[0]!.role.id}`, others.some(f => f.role.kind !== 'sql') ? 'keep one of them' : `keep either the ${modules[0]!.role.kind === 'module' ? 'module' : 'Go file'} or the SQL files`);
		}

		return {id: modules[0]!.role.id, up: modules[0]!, down: null};
	}

	for (const item of files) {
		const {role} = item;
		const engineKey = typeof role.engine === 'string' ? role.engine : role.engine.other;
		const directions = role.direction === 'both' ? ['up', 'down'] as const : [role.direction];
		for (const direction of directions) {
			const previous = byDirection[direction].get(engineKey);
			if (previous !== undefined) {
				throw directoryError(directory, `${previous.file} and ${item.file} are both the ${direction} of migration ${role.key}${engineKey === 'any' ? '' : ` for ${engineKey}`}`, 'keep one of them');
			}

			byDirection[direction].set(engineKey, item);
		}
	}

	const up = byDirection.up.get(engine) ?? byDirection.up.get('any');
	if (up === undefined) {
		const stray = files.map(f => f.file).join(', ');
		if (byDirection.up.size === 0) {
			throw directoryError(directory, `${stray} has no up migration`, `add ${files[0]!.role.id}.up.sql, or, if it is the down of a migration whose name is spelt differently, rename it to that migration's name`);
		}

		return {skipped: {name: [...byDirection.up.values()][0]!.role.id, engines: [...byDirection.up.keys()].sort()}};
	}

	const down = byDirection.down.get(engine) ?? byDirection.down.get('any') ?? null;
	return {id: up.role.id, up, down: down?.role.direction === 'both' ? up : down};
}

/** Two migrations with one version leave the order to chance. */
function checkVersions(directory: string, ordered: ReadonlyArray<ReadonlyArray<Item>>): void {
	for (let i = 1; i < ordered.length; i++) {
		const previous = ordered[i - 1]![0]!.role;
		const current = ordered[i]![0]!.role;
		if (compareVersions(previous.version, current.version) === 0) {
			throw directoryError(directory, `${previous.id} and ${current.id} share the version ${formatVersion(current.version)}`, 'give each migration its own version, or, when your tool applies them in file-name order (maragu.dev/migrate), name that format: --format maragu');
		}
	}
}

function directoryError(directory: string, problem: string, hint: string): CutoverError {
	return new CutoverError(`${directory}: ${problem}`, {hint});
}
