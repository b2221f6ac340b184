import type {HealthFigures} from '../health/judge-thresholds.js';

/**
 * The watch's header figures, read again and again (an observation period): each read's cache hit
 * ratio is over the span since the read before, the first one's since the statistics were reset.
 * Throws when the server cannot be read; the next read tries again.
 */
export type FigureReader = {
	read(): Promise<HealthFigures>;
};
