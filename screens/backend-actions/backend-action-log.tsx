import {Text} from 'ink';
import type {BackendAction} from '../../source/engine/state.js';
import {truncate} from '../format.js';

/**
 * One line: the latest session the operator cancelled or terminated in this run and what the
 * server said (the decisions on the summary, and the record, have all of them).
 */
export function BackendActionLog({actions, width}: {actions: BackendAction[]; width: number}) {
	const last = actions.at(-1);
	if (last === undefined) {
		return null;
	}

	const what = `${last.action} ${last.pid}${actions.length > 1 ? ` (${actions.length} asked in this run)` : ''}`;
	if (last.result === null) {
		return <Text color='yellow'>{truncate(`… ${what}: asked by ${last.by?.name ?? '?'}, waiting for the server`, width)}</Text>;
	}

	return <Text color={last.result.ok ? 'green' : 'red'}>{truncate(`${last.result.ok ? '✓' : '✗'} ${what}: ${last.result.detail}`, width)}</Text>;
}
