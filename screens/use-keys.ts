import {useInput, useStdin, type Key} from 'ink';
import {useCallback, useLayoutEffect, useRef} from 'react';

export type {Key} from 'ink';

export type KeyHandler = (input: string, key: Key) => void;

/**
 * The one way screens listen to the keyboard. Gated by `isActive`, and never active where
 * raw mode is unavailable (a pipe, CI, nohup): Ink would throw there instead of rendering.
 */
export function useKeys(handler: KeyHandler, options: {isActive: boolean}): void {
	const {isRawModeSupported} = useStdin();
	// Keys of one paste ("shop\r") arrive back to back: each must see the state the previous one left,
	// so the subscription calls the handler of the latest commit rather than the one it was made with.
	const latest = useRef(handler);
	useLayoutEffect(() => {
		latest.current = handler;
	});
	const stable = useCallback((input: string, key: Key) => {
		latest.current(input, key);
	}, []);
	useInput(stable, {isActive: options.isActive && isRawModeSupported});
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
	/** A text field has the keyboard, so the root must not treat `q` or `?` as commands. */
	setTyping: (typing: boolean) => void;
};

/** Backspace arrives as `delete` from most terminals (0x7f) and as `backspace` from some (0x08). */
export const isErase = (key: Key): boolean => key.backspace || key.delete;

/** Printable text typed or pasted: no control keys, no escape sequences. */
export const isPrintable = (input: string, key: Key): boolean =>
	input.length > 0 && !key.ctrl && !key.meta && !key.return && !key.tab && !key.escape
	// eslint-disable-next-line no-control-regex
	&& !/[\u0000-\u001F\u007F]/.test(input);
