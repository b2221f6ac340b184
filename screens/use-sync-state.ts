import {useCallback, useRef, useState} from 'react';

/**
 * State whose latest value a key handler can read at once. Ink delivers the keys of one paste
 * or a fast typist back to back, before React has rendered the previous key's update, so a
 * handler reading plain state would see a stale value and lose keys.
 */
export function useSyncState<T>(initial: T): [value: T, set: (next: T) => void, get: () => T] {
	const [value, setValue] = useState(initial);
	const latest = useRef(initial);
	const set = useCallback((next: T) => {
		latest.current = next;
		setValue(next);
	}, []);
	const get = useCallback(() => latest.current, []);
	return [value, set, get];
}
