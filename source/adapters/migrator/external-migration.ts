import path from 'node:path';
import {MigrationError} from '../../errors/index.js';

/** A goose Go migration reached the runner (the flow stops before one): it is code only goose runs. */
export function externalError(name: string, file: string): MigrationError {
	return new MigrationError(`${name} is a goose Go migration (${path.basename(file)}), which only goose can run`, {
		migration: name,
		direction: 'up',
		statement: null,
		hint: `run it with goose (goose up-by-one: goose_db_version is kept in step with what cutover applies), then record it with cutover import --from goose`,
	});
}
