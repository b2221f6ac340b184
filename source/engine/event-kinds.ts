import type {RunEvent} from './events.js';

/**
 * Every event kind this cutover knows, at run time. The type below fails to compile when a
 * kind is added to RunEvent and not here, so a reader never takes a known kind for a foreign one.
 */
const known = {
	'run.started': true,
	'run.interrupted': true,
	'run.resumed': true,
	'target.fingerprinted': true,
	'migrations.planned': true,
	'window.planned': true,
	'operator.prep-ticked': true,
	'operator.window-confirmed': true,
	'command.started': true,
	'command.output': true,
	'command.finished': true,
	'backup.started': true,
	'backup.progress': true,
	'backup.finished': true,
	'backup.failed': true,
	'verify.finished': true,
	'check.finished': true,
	'baseline.captured': true,
	'operator.override': true,
	'operator.proceed': true,
	'upgrade.started': true,
	'migration.started': true,
	'migration.finished': true,
	'migration.retrying': true,
	'watch.sampled': true,
	'operator.backend-action': true,
	'backend-action.finished': true,
	'migration.failed': true,
	'upgrade.finished': true,
	'post.compared': true,
	'rollback.offered': true,
	'operator.rollback-chosen': true,
	'rollback.finished': true,
	error: true,
	'operator.abandoned': true,
	'run.finished': true,
	'database.replaced': true,
	'preflight.finished': true,
	'maintenance.left-on': true,
	'check.started': true,
	'operator.check-cancelled': true,
	'run-lock.lost': true,
	'run-lock.retaken': true,
	'migrations.history': true,
	'migration.statement-started': true,
	'migration.statement-finished': true,
	'invalid-index.found': true,
	'operator.invalid-index-drop': true,
	'invalid-index.dropped': true,
	'adoption.planned': true,
	'operator.adoption-confirmed': true,
	'adoption.written': true,
} satisfies Record<RunEvent['type'], true>;

export function isKnownKind(kind: string): kind is RunEvent['type'] {
	return Object.hasOwn(known, kind);
}
