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
	const isActive = options.isActive && isRawModeSupported;
	// Keys of one paste ("shop\r") or a quick typist arrive before React has re-subscribed Ink's
	// listeners. The subscription therefore asks the latest commit both which handler to call
	// and whether it is still active, so a key never reaches a screen hidden by an overlay.
	const latest = useRef({handler, isActive});
	useLayoutEffect(() => {
		latest.current = {handler, isActive};
	});
	const stable = useCallback((input: string, key: Key) => {
		if (latest.current.isActive) {
			latest.current.handler(input, key);
		}
	}, []);
	useInput(stable, {isActive});
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

/** Tells the root while this screen's text field has the keyboard, so `q` and `?` are typed, not obeyed. */
export function useTyping(keys: ScreenKeys, typing: boolean): void {
	const {setTyping} = keys;
	useLayoutEffect(() => {
		setTyping(typing);
		return () => {
			setTyping(false);
		};
	}, [typing, setTyping]);
}
