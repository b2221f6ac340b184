// Renders an Ink tree the way an operator sees it: 80 columns by 24 rows. ink-testing-library
// fixes 100 columns, which hides exactly the wrapping and truncation problems worth catching.
import {EventEmitter} from 'node:events';
import {stripVTControlCharacters} from 'node:util';
import {render as inkRender} from 'ink';
import type {ReactElement} from 'react';

class Stdout extends EventEmitter {
	frames: string[] = [];
	private last = '';

	constructor(readonly columns: number, readonly rows: number) {
		super();
	}

	write = (frame: string): boolean => {
		this.frames.push(frame);
		this.last = frame;
		this.emit('frame', frame);
		return true;
	};

	lastFrame = (): string => this.last;
}

class Stderr extends EventEmitter {
	frames: string[] = [];
	write = (frame: string): boolean => {
		this.frames.push(frame);
		return true;
	};
}

class Stdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;

	write = (data: string): void => {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	};

	read = (): string | null => {
		const {data} = this;
		this.data = null;
		return data;
	};

	setEncoding(): void {}
	setRawMode(): void {}
	resume(): void {}
	pause(): void {}
	ref(): void {}
	unref(): void {}
}

export type Rendered = {
	/** The whole last frame (static output included), without ANSI styling. */
	lastFrame(): string;
	stdin: {write(data: string): void};
	rerender(tree: ReactElement): void;
	unmount(): void;
	/** Resolves with the first frame (current or coming) that matches; rejects after timeoutMs with the last frame. */
	waitForFrame(match: string | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
	columns: number;
};

export const keys = {
	enter: '\r',
	up: '\u001B[A',
	down: '\u001B[B',
	tab: '\t',
	space: ' ',
	escape: '\u001B',
	backspace: '\u007F',
	ctrlC: '\u0003',
} as const;

export function render(tree: ReactElement, options: {columns?: number; rows?: number} = {}): Rendered {
	const stdout = new Stdout(options.columns ?? 80, options.rows ?? 24);
	const stderr = new Stderr();
	const stdin = new Stdin();
	const instance = inkRender(tree, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: stderr as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	const lastFrame = () => stripVTControlCharacters(stdout.lastFrame());
	const waitForFrame = async (match: string | ((frame: string) => boolean), timeoutMs = 2000) => {
		const test = typeof match === 'string' ? (frame: string) => frame.includes(match) : match;
		return new Promise<string>((resolve, reject) => {
			const onFrame = () => {
				const frame = lastFrame();
				if (test(frame)) {
					clearTimeout(timer);
					stdout.off('frame', onFrame);
					// Let effects of the same commit (input subscriptions) settle before keys are sent.
					setImmediate(() => {
						resolve(frame);
					});
				}
			};

			const timer = setTimeout(() => {
				stdout.off('frame', onFrame);
				reject(new Error(`no frame matched ${typeof match === 'string' ? JSON.stringify(match) : 'the predicate'} within ${timeoutMs} ms; last frame:\n${lastFrame()}`));
			}, timeoutMs);
			stdout.on('frame', onFrame);
			onFrame();
		});
	};

	return {
		lastFrame,
		stdin,
		rerender: tree => {
			instance.rerender(tree);
		},
		unmount: () => {
			instance.unmount();
			instance.cleanup();
		},
		waitForFrame,
		columns: stdout.columns,
	};
}

/** Lines of a frame wider than the terminal; a frame that fits returns []. */
export function overflowing(frame: string, columns = 80): string[] {
	return frame.split('\n').filter(line => [...stripVTControlCharacters(line)].length > columns);
}
