import {CutoverError, UsageError} from '../../errors/index.js';
import {importWithoutFetch} from '../without-fetch.js';
import {loadRecord} from '../../replay/load-record.js';
import {plainReplay, unknownLine} from '../../replay/plain-replay.js';
import {buildTimeline} from '../../replay/timeline.js';
import {doneOnReturn} from '../done-on-return.js';
import {parseCommand} from '../parse.js';

/**
 * Replays a change record: the events, the reducer and the screens, nothing else. Nothing on
 * this path imports an adapter, so a replay cannot reach a database.
 */
export async function replayCommand(args: string[]): Promise<number> {
	const {values, positionals} = parseCommand(args, {plain: {type: 'boolean', default: false}}, 'replay');
	const [file, extra] = positionals;
	if (file === undefined || extra !== undefined) {
		throw new UsageError(file === undefined ? 'which record? give the path of one' : 'replay takes one record', {hint: 'cutover replay <record.jsonl> [--plain]'});
	}

	const record = loadRecord(file);
	if (values.plain) {
		process.stdout.write(`${plainReplay(record).join('\n')}\n`);
		doneOnReturn();
		return record.damage === null && record.unknown.length === 0 ? 0 : 1;
	}

	if (!process.stdin.isTTY || !process.stdout.isTTY) {
		throw new CutoverError('the replay console needs a terminal, and this is not one (a pipe, CI or nohup)', {
			hint: `print the record as a timeline instead: cutover replay ${file} --plain`,
		});
	}

	// Ink draws only the final frame when CI is set; there is a terminal and someone at it.
	process.env['CI'] = '0';
	process.env['CONTINUOUS_INTEGRATION'] = '0';
	const {replayInConsole} = await importWithoutFetch(async () => import('../../replay/replay-console.js'));
	await replayInConsole(record, buildTimeline(record.entries));
	if (record.damage !== null) {
		process.stderr.write(`cutover: the record stops early: ${record.damage}\n  → check it with cutover verify ${file}\n`);
		return 1;
	}

	if (record.unknown.length > 0) {
		process.stderr.write(`cutover: ${unknownLine(record)}\n`);
		return 1;
	}

	return 0;
}
