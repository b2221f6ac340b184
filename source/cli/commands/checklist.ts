import {describeSpan} from '../../engine/observation.js';
import {loadChecklist} from '../../checklist/index.js';
import {ChecklistError, UsageError} from '../../errors/index.js';
import {parseCommand} from '../parse.js';

/**
 * `cutover checklist lint <file>…`: the validation a run does on load, without a database, so a
 * runbook is checked where it is written (an editor's save hook, CI) rather than at 2 a.m.
 */
export async function checklistCommand(args: string[]): Promise<number> {
	const [sub, ...rest] = args;
	if (sub !== 'lint') {
		throw new UsageError(sub === undefined ? 'checklist needs a subcommand' : `unknown checklist subcommand "${sub}"`, {hint: 'cutover checklist lint <file.yaml>…'});
	}

	const {positionals} = parseCommand(rest, {}, 'checklist lint');
	if (positionals.length === 0) {
		throw new UsageError('checklist lint needs at least one file', {hint: 'cutover checklist lint checklists/production.yaml'});
	}

	let failed = 0;
	for (const file of positionals) {
		try {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			const checklist = await loadChecklist(file);
			const {pre, post, health} = checklist.checks;
			const checks = pre.length + post.length;
			const thresholds = Object.keys(checklist.thresholds).length;
			const forHealth = health.length + thresholds === 0 ? '' : `, ${health.length} health check${health.length === 1 ? '' : 's'} and ${thresholds} threshold${thresholds === 1 ? '' : 's'}`;
			const none = checks + health.length + thresholds === 0 ? ' (a runbook with no checks)' : '';
			const observe = checklist.observe === undefined ? '' : `, an observation period of ${describeSpan(checklist.observe.durationMs)}${thresholds === 0 ? ' (judged by the maintenance handbook\'s thresholds)' : ''}`;
			process.stdout.write(`ok   ${file}: "${checklist.name}", ${checklist.preparation.length} preparation item${checklist.preparation.length === 1 ? '' : 's'}, ${pre.length} pre and ${post.length} post check${checks === 1 ? '' : 's'}${forHealth}${observe}${none}\n`);
		} catch (error) {
			if (!(error instanceof ChecklistError)) {
				throw error;
			}

			failed++;
			process.stdout.write(`FAIL ${error.message}\n`);
		}
	}

	if (failed > 0) {
		process.stderr.write(`cutover: ${failed} of ${positionals.length} checklist${positionals.length === 1 ? '' : 's'} did not validate\n  → fix what each FAIL line names, then lint again\n`);
	}

	return failed > 0 ? 1 : 0;
}
