/**
 * The one family of errors cutover raises on purpose. `hint` says what the operator can do
 * next; only the entry point turns an error into an exit code.
 */
export class CutoverError extends Error {
	override name = 'CutoverError';
	readonly hint: string;

	constructor(message: string, options: {hint: string; cause?: unknown}) {
		super(message, options.cause === undefined ? undefined : {cause: options.cause});
		this.hint = options.hint;
	}
}
