import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {setTimeout as sleep} from 'node:timers/promises';

/**
 * A real terminal, 80x24 unless asked otherwise, driven as an operator would: keys in with send-keys, the screen
 * out with capture-pane. Each terminal runs on its own tmux server socket.
 */
export type Terminal = {
	/** What the screen shows now. */
	screen(): string;
	/** Waits until the screen matches, or fails with the last screen in the message. */
	waitFor(expected: string | RegExp, timeoutMs?: number): Promise<string>;
	/** tmux key names: Enter, Tab, Space, Down, Up, C-c… */
	keys(...names: string[]): Promise<void>;
	/** Literal text, typed. */
	type(text: string): Promise<void>;
	close(): void;
	/** The screen with the escape sequences the pty received for it (SGR colours and styles), as capture-pane -e gives them. */
	styled(): string;
	/** Text and keys in one write, as a paste or send-keys 'billing' Enter delivers them. */
	send(...args: string[]): void;
};

const EXIT_MARK = 'TERMINAL-EXITED';
export const exitPattern = new RegExp(`${EXIT_MARK} (\\d+)`);

export function openTerminal(command: string[], options: {env: Record<string, string>; cwd: string; columns?: number; rows?: number}): Terminal {
	const socket = `cutover-test-${randomBytes(4).toString('hex')}`;
	const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
	const quoted = command.map(arg => `'${arg.replaceAll('\'', '\'\\\'\'')}'`).join(' ');
	const env = Object.entries({TERM: 'xterm-256color', ...options.env}).map(([k, v]) => `${k}='${v.replaceAll('\'', '\'\\\'\'')}'`).join(' ');
	// The shell stays after the program ends, so the exit status can be read off the screen.
	tmux('new-session', '-d', '-s', 'run', '-x', String(options.columns ?? 80), '-y', String(options.rows ?? 24), '-c', options.cwd, `env ${env} ${quoted}; echo ${EXIT_MARK} $?; sleep 600`);
	const screen = () => tmux('capture-pane', '-p', '-t', 'run');
	return {
		screen,
		async waitFor(expected, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			let last = '';
			while (Date.now() < deadline) {
				last = screen();
				if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) {
					return last;
				}

				// eslint-disable-next-line no-await-in-loop -- polling
				await sleep(100);
			}

			throw new Error(`the terminal did not show ${String(expected)} within ${timeoutMs} ms; it shows:\n${last}`);
		},
		async keys(...names) {
			for (const name of names) {
				tmux('send-keys', '-t', 'run', name);
				// One key per frame: Ink reads keys as they come, the screen needs a moment to redraw.
				// eslint-disable-next-line no-await-in-loop -- polling
				await sleep(150);
			}
		},
		async type(text) {
			tmux('send-keys', '-t', 'run', '-l', text);
			await sleep(150);
		},
		styled: () => tmux('capture-pane', '-p', '-e', '-t', 'run'),
		send(...args) {
			tmux('send-keys', '-t', 'run', ...args);
		},
		close() {
			try {
				tmux('kill-server');
			} catch {
				// Already gone.
			}
		},
	};
}
