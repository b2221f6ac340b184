import type {ReplayAction} from '../../source/replay/controller.js';
import type {KeyHelp} from '../key-help.js';
import type {Key} from '../use-keys.js';

/**
 * Keys a replay answers, in order. Keys typed quickly arrive as one string ("]]]"), so each
 * character counts. ↑ ↓ and s stay with the screens, which browse (checks, their SQL) but decide nothing.
 */
export function replayActions(input: string, key: ReplayKey): ReplayAction[] {
	if (input.length <= 1) {
		const action = replayAction(input, key);
		return action ? [action] : [];
	}

	return [...input].flatMap(char => replayActions(char, NO_KEY));
}

/** The part of Ink's key a replay looks at. */
export type ReplayKey = Pick<Key, 'leftArrow' | 'rightArrow' | 'home' | 'end' | 'ctrl' | 'meta'>;

const NO_KEY: ReplayKey = {leftArrow: false, rightArrow: false, home: false, end: false, ctrl: false, meta: false};

export function replayAction(input: string, key: ReplayKey): ReplayAction | null {
	if (key.ctrl || key.meta) {
		return null;
	}

	if (input === ' ') {
		return {type: 'toggle'};
	}

	if (input === '.' || key.rightArrow) {
		return {type: 'forward'};
	}

	if (input === ',' || key.leftArrow) {
		return {type: 'back'};
	}

	const byInput: Record<string, ReplayAction> = {
		']': {type: 'next-step'},
		'[': {type: 'previous-step'},
		'>': {type: 'faster'},
		'<': {type: 'slower'},
		g: {type: 'first'},
		G: {type: 'last'},
	};
	if (Object.hasOwn(byInput, input)) {
		return byInput[input]!;
	}

	if (key.home) {
		return {type: 'first'};
	}

	return key.end ? {type: 'last'} : null;
}

export const REPLAY_HELP: KeyHelp = [
	['space', 'play or pause at the recorded pace'],
	['. or →', 'one event forward'],
	[', or ←', 'one event back'],
	['] [', 'next step, start of this (or the previous) step'],
	['> <', 'faster, slower: ×1 ×4 ×16 instant'],
	['g G', 'first event, last event (also Home, End)'],
	['↑ ↓ s', 'browse the checks and their SQL; nothing is decided'],
	['?', 'show or hide this help'],
	['q, Ctrl-C', 'leave the replay'],
];
