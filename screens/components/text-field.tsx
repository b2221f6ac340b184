import {Text} from 'ink';
import {isErase, isPrintable, type Key} from '../use-keys.js';
import {truncate} from '../format.js';

/** The new value of a one-line field after a key, or null when the key is not for the field. */
export function editText(value: string, input: string, key: Key): string | null {
	// `?` in an empty field opens the help, so the keys stay one keypress away while typing.
	if (value === '' && input === '?') {
		return null;
	}

	if (isErase(key)) {
		return [...value].slice(0, -1).join('');
	}

	if (isPrintable(input, key)) {
		return value + input;
	}

	return null;
}

type Props = {
	label: string;
	value: string;
	focused: boolean;
	width: number;
};

/** A labelled one-line input; the bar shows where typing goes, so focus does not depend on colour. */
export function TextField({label, value, focused, width}: Props) {
	const shown = truncate(value, Math.max(10, width - label.length - 5));
	return (
		<Text>
			{focused ? '› ' : '  '}
			{label}: <Text bold>{shown}</Text>
			{focused ? '▌' : ''}
		</Text>
	);
}
