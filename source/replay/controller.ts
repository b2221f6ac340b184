import type {Entry} from '../engine/events.js';

export const SPEEDS = [1, 4, 16, 'instant'] as const;
export type Speed = typeof SPEEDS[number];

/** Where a replay is: pure data, moved only by control(). */
export type Cursor = {
	/** Index of the event last applied; the screens show the fold of entries[0..position]. */
	position: number;
	playing: boolean;
	speed: Speed;
	/**
	 * Bumped whenever the position moves back: what was printed for a later position (Ink's
	 * <Static> only appends) must be thrown away and the screens mounted afresh.
	 */
	epoch: number;
};

export type ReplayAction =
	| {type: 'toggle'}
	| {type: 'forward'}
	| {type: 'back'}
	| {type: 'next-step'}
	| {type: 'previous-step'}
	| {type: 'first'}
	| {type: 'last'}
	| {type: 'faster'}
	| {type: 'slower'}
	/** The player's timer fired: one event on, stopping at the end. */
	| {type: 'tick'};

/** What control() needs of a timeline. */
export type Track = {length: number; stepAt: readonly string[]};

export const startCursor = (): Cursor => ({position: 0, playing: false, speed: 1, epoch: 0});

/** The replay's only logic: a cursor and a key (or a timer tick) give the next cursor. */
export function control(cursor: Cursor, action: ReplayAction, track: Track): Cursor {
	const last = Math.max(0, track.length - 1);
	switch (action.type) {
		case 'toggle': {
			if (cursor.playing) {
				return {...cursor, playing: false};
			}

			if (cursor.speed === 'instant') {
				return moveTo(cursor, last, false);
			}

			// Play at the end starts over, as a player does.
			return cursor.position >= last ? moveTo(cursor, 0, true) : {...cursor, playing: true};
		}

		case 'tick': {
			if (!cursor.playing) {
				return cursor;
			}

			const next = Math.min(last, cursor.position + 1);
			return {...cursor, position: next, playing: next < last};
		}

		case 'forward': {
			return moveTo(cursor, Math.min(last, cursor.position + 1), false);
		}

		case 'back': {
			return moveTo(cursor, Math.max(0, cursor.position - 1), false);
		}

		case 'next-step': {
			return moveTo(cursor, nextStepStart(track, cursor.position), false);
		}

		case 'previous-step': {
			return moveTo(cursor, previousStepStart(track, cursor.position), false);
		}

		case 'first': {
			return moveTo(cursor, 0, false);
		}

		case 'last': {
			return moveTo(cursor, last, false);
		}

		case 'faster':
		case 'slower': {
			const index = SPEEDS.indexOf(cursor.speed) + (action.type === 'faster' ? 1 : -1);
			const speed = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, index))]!;
			// Instant while playing means: the end, now.
			return speed === 'instant' && cursor.playing ? {...moveTo(cursor, last, false), speed} : {...cursor, speed};
		}
	}
}

function moveTo(cursor: Cursor, position: number, playing: boolean): Cursor {
	return {...cursor, position, playing, epoch: position < cursor.position ? cursor.epoch + 1 : cursor.epoch};
}

/** The first position of the next step shown, or the last position when this is the last step. */
export function nextStepStart(track: Track, position: number): number {
	const here = track.stepAt[position];
	for (let i = position + 1; i < track.length; i++) {
		if (track.stepAt[i] !== here) {
			return i;
		}
	}

	return Math.max(0, track.length - 1);
}

/** The first position of this step, or of the step before when already there. */
export function previousStepStart(track: Track, position: number): number {
	const startOf = (p: number) => {
		let i = p;
		while (i > 0 && track.stepAt[i - 1] === track.stepAt[p]) {
			i--;
		}

		return i;
	};

	const start = startOf(position);
	return start < position || start === 0 ? start : startOf(start - 1);
}

/** Longest a player waits between two events: an operator thinking for ten minutes replays in this. */
export const IDLE_CAP_MS = 2000;

export type Wait = {
	/** How long the player waits before the next event. */
	ms: number;
	/** The gap as recorded. */
	recordedMs: number;
	/** The wait is shorter than the recorded gap at this speed. */
	capped: boolean;
};

/** The wait before the event after the cursor, at the cursor's speed; null at the end. */
export function waitAfter(cursor: Cursor, entries: readonly Entry[]): Wait | null {
	const here = entries[cursor.position];
	const next = entries[cursor.position + 1];
	if (!here || !next) {
		return null;
	}

	// Clocks can step back (NTP); a negative gap is no gap.
	const recordedMs = Math.max(0, next.at - here.at);
	if (cursor.speed === 'instant') {
		return {ms: 0, recordedMs, capped: false};
	}

	const scaled = recordedMs / cursor.speed;
	return scaled > IDLE_CAP_MS ? {ms: IDLE_CAP_MS, recordedMs, capped: true} : {ms: Math.round(scaled), recordedMs, capped: false};
}

export const isDecision = (entry: Entry): boolean => entry.event.type.startsWith('operator.')
	|| (entry.event.type === 'database.event' && entry.event.event.type.startsWith('operator.'));
