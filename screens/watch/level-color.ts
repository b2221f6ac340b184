import type {Level} from '../../source/watch/thresholds.js';

/** Colour for terminals that show it, and a mark that still reads without colour (NO_COLOR, a log). */
export const levelColor = (level: Level): string | undefined => level === 'alert' ? 'red' : level === 'warn' ? 'yellow' : undefined;

export const levelMark = (level: Level): string => level === 'alert' ? '!!' : level === 'warn' ? '!' : '';
