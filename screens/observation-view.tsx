import {Box, Text} from 'ink';
import type {RunEvent} from '../source/engine/events.js';
import {describeLevels, formatFigure, type ObservedFigure, type ObservedLevel} from '../source/engine/observation.js';
import type {ObservationState} from '../source/engine/state.js';
import {fit, formatDuration, plural, truncate} from './format.js';
import {useKeys, type ScreenKeys} from './use-keys.js';

export type ObservationViewProps = {
	observation: ObservationState;
	/** The post checks in one line: the checks screen gives way to the observation. */
	postLine: string;
	now: number;
	width: number;
	keys: ScreenKeys;
	onDecision: (event: RunEvent) => void;
};

/** The latest breaches shown; the record has every one. */
const MAX_BREACHES = 6;

const levelWords: Record<ObservedLevel, string> = {ok: 'ok', warn: 'WARN', alert: 'ALERT', 'not-applicable': 'n/a'};

/** Spread onto a Text: a level without a colour of its own keeps the terminal's. */
const colorOf = (level: ObservedLevel): {color?: string} => level === 'alert' ? {color: 'red'} : level === 'warn' ? {color: 'yellow'} : level === 'ok' ? {color: 'green'} : {};

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * The observation period within the post step: time left, the watch's header figures with their
 * levels, the breaches so far, and the keys to end it early (e) or go to the rollback prompt (r).
 * Fits 80x24 with the header and key line: at most 4 figures and 6 breaches.
 */
export function ObservationView({observation, postLine, now, width, keys, onDecision}: ObservationViewProps) {
	const {finished} = observation;
	const running = finished === null;
	const deciding = keys.interactive && running && observation.requested === null;
	useKeys(input => {
		if (input === 'e') {
			onDecision({type: 'operator.observation-ended'});
		} else if (input === 'r') {
			onDecision({type: 'operator.observation-rollback'});
		}
	}, {isActive: keys.active && deciding});

	const left = Math.max(0, observation.endsAt - now);
	const title = finished === null
		? `Observation period · ${formatDuration(left)} left of ${formatDuration(observation.durationMs)} · figures every ${formatDuration(observation.everyMs)}`
		: `Observation period over: ${finished.reason} after ${formatDuration(observation.observedMs)}`;
	const breaches = observation.breaches.slice(-MAX_BREACHES);
	return (
		<Box flexDirection='column'>
			<Text color='green'>{truncate(postLine, width)}</Text>
			<Box flexDirection='column' marginTop={1}>
				<Text bold>{truncate(title, width)}</Text>
				{observation.figures.length === 0 && observation.error === null ? <Text dimColor>⟳ Reading the figures…</Text> : null}
				{observation.figures.map(figure => <FigureLine key={figure.name} figure={figure} width={width}/>)}
				{observation.error === null ? null : <Text color='yellow'>{truncate(`! the figures could not be read: ${observation.error}`, width)}</Text>}
				{observation.thresholdsFrom === 'handbook' ? <Text dimColor>{truncate('thresholds: the maintenance handbook\'s (the runbook names none)', width)}</Text> : null}
			</Box>
			<Box flexDirection='column' marginTop={1}>
				<Text bold>{observation.breaches.length === 0 ? '✓ No threshold breached' : `${plural(observation.breaches.length, 'breach', 'breaches')} so far`}</Text>
				{observation.breaches.length > breaches.length ? <Text dimColor>…{plural(observation.breaches.length - breaches.length, 'earlier breach', 'earlier breaches')} in the record</Text> : null}
				{breaches.map(breach => (
					<Text key={`${breach.at}-${breach.name}`} {...colorOf(breach.level)}>
						{truncate(`${clock(breach.at)}  ${fit(breach.name, 15)}  ${fit(levelWords[breach.level], 5)}  ${breach.detail}`, width)}
					</Text>
				))}
			</Box>
			<Box marginTop={1}>
				{deciding
					? <Text>{truncate('e end early (to the rollback prompt) · r go to the rollback prompt now', width)}</Text>
					: <Text dimColor>{running && observation.requested !== null ? (observation.requested === 'rollback' ? 'Going to the rollback prompt…' : 'Ending the observation…') : ''}</Text>}
			</Box>
		</Box>
	);
}

function FigureLine({figure, width}: {figure: ObservedFigure; width: number}) {
	const levels = describeLevels(figure);
	const value = figure.level === 'not-applicable' ? '' : formatFigure(figure.unit, figure.value);
	const line = `  ${fit(figure.name, 15)}  ${fit(levelWords[figure.level], 5)}  ${value.padStart(6)}  ${figure.detail}${levels === '' || figure.level === 'not-applicable' ? '' : ` · ${levels}`}`;
	return <Text {...colorOf(figure.level)}>{truncate(line, width)}</Text>;
}
