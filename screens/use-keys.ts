import {useInput, useStdin, useStdout, type Key as InkKey} from 'ink';
import {useCallback, useEffect, useLayoutEffect, useRef} from 'react';

/** Ink's keys, and F1, which Ink reads but does not report. */
export type Key = InkKey & {f1?: boolean};

export type KeyHandler = (input: string, key: Key) => void;

const PASTE_START = '\u001B[200~';
const PASTE_END = '\u001B[201~';
const F1 = new Set(['\u001BOP', '\u001B[11~', '\u001B[[A', '\u001B[1P']);
/** A terminal that never ends its paste must not swallow the keyboard: a second of silence ends it. */
const PASTE_GAP_MS = 1000;

type Raw = {chunk: string; kind: 'key' | 'paste' | 'marker'; pasting: boolean; at: number};

/**
 * The one way screens listen to the keyboard. Gated by `isActive`, and never active where
 * raw mode is unavailable (a pipe, CI, nohup): Ink would throw there instead of rendering.
 *
 * Ink hands over a pasted or quickly typed chunk whole ("billing\r" is neither text nor Enter
 * to it); here a chunk becomes the keys it holds: runs of text, then Enter, Tab, Backspace…
 * Bracketed paste (ESC[200~ … ESC[201~) is text only: line breaks in it never press Enter.
 */
export function useKeys(handler: KeyHandler, options: {isActive: boolean}): void {
	const {isRawModeSupported, internal_eventEmitter: events} = useStdin();
	const isActive = options.isActive && isRawModeSupported;
	// Keys of one paste ("shop\r") or a quick typist arrive before React has re-subscribed Ink's
	// listeners. The subscription therefore asks the latest commit both which handler to call
	// and whether it is still active, so a key never reaches a screen hidden by an overlay.
	const latest = useRef({handler, isActive});
	useLayoutEffect(() => {
		latest.current = {handler, isActive};
	});
	// The raw chunk of each key, seen before useInput's listener (subscribed after this one) parses it.
	const raw = useRef<Raw>({chunk: '', kind: 'key', pasting: false, at: 0});
	useEffect(() => {
		const onInput = (chunk: string) => {
			const now = Date.now();
			const pasting = raw.current.pasting && now - raw.current.at < PASTE_GAP_MS;
			if (chunk === PASTE_START || chunk === PASTE_END) {
				raw.current = {chunk, kind: 'marker', pasting: chunk === PASTE_START, at: now};
			} else {
				raw.current = {chunk, kind: pasting ? 'paste' : 'key', pasting, at: now};
			}
		};

		events?.on('input', onInput);
		return () => {
			events?.off('input', onInput);
		};
	}, [events]);
	const stable = useCallback((input: string, key: InkKey) => {
		if (!latest.current.isActive) {
			return;
		}

		for (const [text, pressed] of keysOf(raw.current, input, key)) {
			latest.current.handler(text, pressed);
		}
	}, []);
	useInput(stable, {isActive});
}

/** The keys one chunk from the terminal stands for. */
export function keysOf(raw: Pick<Raw, 'chunk' | 'kind'>, input: string, key: InkKey): Array<[string, Key]> {
	const {chunk, kind} = raw;
	if (kind === 'marker') {
		return [];
	}

	const none = noKey(key);
	if (kind === 'paste') {
		// eslint-disable-next-line no-control-regex
		const text = chunk.replaceAll(/\r\n|[\r\n\t]/g, ' ').replaceAll(/[\u0000-\u001F\u007F]/g, '');
		return text === '' ? [] : [[text, none]];
	}

	if (F1.has(chunk)) {
		return [['', {...none, f1: true}]];
	}

	// eslint-disable-next-line no-control-regex
	if (chunk.length < 2 || chunk.startsWith('\u001B') || !/[\u0000-\u001F\u007F]/.test(chunk)) {
		return [[input, key]];
	}

	const keys: Array<[string, Key]> = [];
	let text = '';
	const flush = () => {
		if (text !== '') {
			keys.push([text, none]);
			text = '';
		}
	};

	for (let i = 0; i < chunk.length; i++) {
		const c = chunk[i]!;
		if (c >= ' ' && c !== '\u007F') {
			text += c;
			continue;
		}

		flush();
		if (c === '\r' || c === '\n') {
			if (c === '\r' && chunk[i + 1] === '\n') {
				i++;
			}

			keys.push(['', {...none, return: true}]);
		} else if (c === '\t') {
			keys.push(['', {...none, tab: true}]);
		} else if (c === '\u007F') {
			keys.push(['', {...none, delete: true}]);
		} else if (c === '\b') {
			keys.push(['', {...none, backspace: true}]);
		} else if (c === '\u0003') {
			keys.push(['c', {...none, ctrl: true}]);
		}
		// Other control characters in a chunk stand for nothing here.
	}

	flush();
	return keys;
}

/** The same shape with no key pressed: plain text. */
function noKey(key: InkKey): Key {
	return Object.fromEntries(Object.entries(key).map(([name, value]) => [name, typeof value === 'boolean' ? false : value])) as Key;
}

/** Whether this terminal can deliver keys at all. */
export function useKeysAvailable(): boolean {
	return useStdin().isRawModeSupported;
}

/** What a screen gets from the root to take keys: whether it may listen, whether it may decide, and how to say it is typing. */
export type ScreenKeys = {
	/** No overlay or confirmation is in front of the screen. */
	active: boolean;
	/** A live run: operator.* decisions may be sent. False in replay. */
	interactive: boolean;
	/** A text field has the keyboard, so the root must not treat `q` or `?` as commands (`?` only while the field is empty). */
	setTyping: (typing: boolean, fieldEmpty?: boolean) => void;
};

/** Backspace arrives as `delete` from most terminals (0x7f) and as `backspace` from some (0x08). */
export const isErase = (key: Key): boolean => key.backspace || key.delete;

/** Printable text typed or pasted: no control keys, no escape sequences. */
export const isPrintable = (input: string, key: Key): boolean =>
	input.length > 0 && !key.ctrl && !key.meta && !key.return && !key.tab && !key.escape
	// eslint-disable-next-line no-control-regex
	&& !/[\u0000-\u001F\u007F]/.test(input);

/**
 * Tells the root while this screen's text field has the keyboard, so `q` and `?` are typed,
 * not obeyed (but `?` in an empty field, and F1 always, open the help); and asks the terminal
 * for bracketed paste meanwhile, so a pasted line break is text, not Enter.
 */
export function useTyping(keys: ScreenKeys, typing: boolean, value?: string): void {
	const {setTyping} = keys;
	const empty = value === '';
	useLayoutEffect(() => {
		setTyping(typing, empty);
		return () => {
			setTyping(false);
		};
	}, [typing, empty, setTyping]);
	const {stdout} = useStdout();
	useEffect(() => {
		if (!typing || !stdout.isTTY) {
			return;
		}

		stdout.write('\u001B[?2004h');
		return () => {
			stdout.write('\u001B[?2004l');
		};
	}, [typing, stdout]);
}
