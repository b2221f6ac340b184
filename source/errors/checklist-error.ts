import {CutoverError} from './cutover-error.js';

/** A checklist file does not load or does not validate. `where` points at the step, for example "checks.pre[2].sql". */
export class ChecklistError extends CutoverError {
	override name = 'ChecklistError';
	readonly file: string;
	readonly where: string;

	constructor(file: string, where: string, problem: string) {
		super(`${file}: ${where === '' ? '' : `${where}: `}${problem}`, {hint: `fix ${file} and run again`});
		this.file = file;
		this.where = where;
	}
}
