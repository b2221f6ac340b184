/**
 * Sets, before Ink and its colour library are imported, what they read from the environment.
 * Ink (is-in-ci) draws only a final frame when CI is set, and supports-color turns colour off
 * for any CI variable at all, even CI=0: at a terminal neither is what the operator wants.
 */
export function prepareTerminalEnv(env: NodeJS.ProcessEnv, tty: {stdin: boolean; stdout: boolean}): void {
	if (tty.stdin && tty.stdout) {
		// An operator at a terminal, even inside a CI job's shell: live frames, colour by the terminal.
		delete env['CI'];
		delete env['CONTINUOUS_INTEGRATION'];
	}

	// NO_COLOR wins over everything (https://no-color.org); off a terminal supports-color already says none.
	if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') {
		env['FORCE_COLOR'] = '0';
	} else if (tty.stdout && env['FORCE_COLOR'] === undefined && env['TERM'] !== 'dumb' && !knownToColour(env['TERM'] ?? '', env)) {
		// A terminal supports-color does not recognise by name still shows the 16 basic colours.
		env['FORCE_COLOR'] = '1';
	}
}

/** The names supports-color finds colour by (so its own level, 256 or truecolor, stands). */
function knownToColour(term: string, env: NodeJS.ProcessEnv): boolean {
	return /-256(color)?$|^screen|^xterm|^vt100|^vt220|^rxvt|color|ansi|cygwin|linux|kitty|ghostty|wezterm/i.test(term)
		|| env['COLORTERM'] !== undefined || env['TERM_PROGRAM'] !== undefined;
}
