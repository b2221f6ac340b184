import {STEP_TITLES} from '../engine/events.js';
import {SCREEN_COUNT, SCREEN_NUMBER} from '../../screens/step-summary.js';
import {truncate} from '../../screens/format.js';

type Write = typeof process.stdout.write;

/** The early frame while it is on the screen: its rows, and the streams' own writes it stands in front of. */
let shown: {rows: number; stdout: NodeJS.WriteStream; stdoutWrite: Write; stderrWrite: Write} | null = null;

/**
 * The console's first lines, written with plain escape sequences before Ink and the drivers have
 * loaded (a few hundred ms on a loaded machine): the header of the window step as the console
 * draws it, and what is being done. Only true things: no database name, run or keys are shown
 * until they exist. Ink's first frame takes its place (clearEarlyFrame).
 */
export function drawEarlyFrame(stdout: NodeJS.WriteStream = process.stdout): void {
	if (shown !== null) {
		return;
	}

	// One row each, never wrapped: clearing counts rows.
	const width = Math.max(10, Math.min(120, stdout.columns > 0 ? stdout.columns : 80) - 1);
	const header = truncate(`cutover · step ${SCREEN_NUMBER.window} of ${SCREEN_COUNT} · ${STEP_TITLES.window}`, width);
	// Bold as the console's header, unless colour is off (NO_COLOR, see terminal-env.ts).
	const plain = process.env['FORCE_COLOR'] === '0' || process.env['TERM'] === 'dumb';
	const lines = [plain ? header : `\u001B[1m${header}\u001B[22m`, truncate('⟳ Reading the target…', width)];
	stdout.write(`${lines.join('\n')}\n`);
	shown = {rows: lines.length, stdout, stdoutWrite: stdout.write, stderrWrite: process.stderr.write};
	// Whatever is said on stderr before the console draws (a warning, a taken-over lock, the error
	// that ends the command) takes the frame's place, rather than showing under a frame wiped with it.
	const {stderrWrite} = shown;
	process.stderr.write = ((...args: Parameters<Write>) => {
		clearEarlyFrame({beforeInk: false});
		return stderrWrite.apply(process.stderr, args);
	}) as Write;
}

/**
 * Takes the early frame off the screen, leaving the cursor where it began. `beforeInk`: the
 * erase goes out in one write with the first frame Ink draws next (the first write holding a
 * line), so the terminal never shows an empty screen while Ink renders. Otherwise at once.
 */
export function clearEarlyFrame(options: {beforeInk: boolean}): void {
	if (shown === null) {
		return;
	}

	const {rows, stdout, stdoutWrite, stderrWrite} = shown;
	const erase = `\u001B[${rows}A\r\u001B[J`;
	process.stderr.write = stderrWrite;
	if (!options.beforeInk) {
		shown = null;
		stdout.write = stdoutWrite;
		stdout.write(erase);
		return;
	}

	stdout.write = ((...args: Parameters<Write>) => {
		const [chunk, ...rest] = args;
		if (typeof chunk === 'string' && chunk.includes('\n')) {
			shown = null;
			stdout.write = stdoutWrite;
			return (stdoutWrite as (chunk: string, ...more: unknown[]) => boolean).call(stdout, erase + chunk, ...rest);
		}

		return stdoutWrite.apply(stdout, args);
	}) as Write;
}
