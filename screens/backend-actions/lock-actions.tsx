import {Box, Text} from 'ink';
import {useLayoutEffect} from 'react';
import type {BackendActionKind, RunEvent} from '../../source/engine/events.js';
import type {LockSample} from '../../source/engine/model.js';
import {formatDuration, plural, truncate} from '../format.js';
import {useKeys, type ScreenKeys} from '../use-keys.js';
import {useSyncState} from '../use-sync-state.js';
import {CompactLockWaits} from '../watch/compact-lock-waits.js';
import {backendTargets, type BackendTarget} from './backend-targets.js';

type Props = {
	sample: LockSample;
	width: number;
	keys: ScreenKeys;
	onDecision: (event: RunEvent) => void;
};

/** Rows of the picker: the upgrade screen shares 24 rows with up to 12 migrations. */
const LISTED = 5;
const QUERY_LINES = 3;

type Pending = {action: BackendActionKind; target: BackendTarget};

/**
 * The lock watch of the upgrade screen, and a way to act on it: ↑/↓ picks a waiting or blocking
 * session, c or k asks to cancel or terminate it, and only `y` on the confirmation, which shows
 * the pid and the query, sends the decision. Everything drawn comes from the sample.
 */
export function LockActions({sample, width, keys, onDecision}: Props) {
	const targets = backendTargets(sample).slice(0, LISTED);
	const [picked, setPicked, getPicked] = useSyncState<number | null>(null);
	const [pending, setPending, getPending] = useSyncState<Pending | null>(null);
	const offered = targets.filter(t => !t.own).length;
	const canAct = keys.interactive && offered > 0;
	const {setTyping} = keys;

	// While the confirmation is up every key answers it, so q and ? must not reach the root: set
	// in the commit itself, since a key typed right after c may come before passive effects run.
	const confirming = pending !== null;
	useLayoutEffect(() => {
		if (!confirming) {
			return;
		}

		setTyping(true);
		return () => setTyping(false);
	}, [confirming, setTyping]);

	useKeys((input, key) => {
		const asked = getPending();
		if (asked !== null) {
			setPending(null);
			if (input === 'y' || input === 'Y') {
				setPicked(null);
				const {action, target} = asked;
				onDecision({type: 'operator.backend-action', action, pid: target.pid, query: target.query, user: target.user});
			}

			return;
		}

		const index = targets.findIndex(t => t.pid === getPicked());
		if (key.downArrow || key.upArrow) {
			const next = index === -1 ? (key.downArrow ? 0 : targets.length - 1) : Math.max(0, Math.min(targets.length - 1, index + (key.downArrow ? 1 : -1)));
			setPicked(targets[next]!.pid);
		} else if (key.escape) {
			setPicked(null);
		} else if ((input === 'c' || input === 'k') && index !== -1 && !targets[index]!.own) {
			setPending({action: input === 'c' ? 'cancel' : 'terminate', target: targets[index]!});
		}
	}, {isActive: keys.active && canAct});

	if (pending !== null) {
		return <ConfirmBackendAction pending={pending} width={width}/>;
	}

	if (picked === null || !canAct) {
		return (
			<Box flexDirection='column'>
				<CompactLockWaits sample={sample} width={width}/>
				{canAct ? <Text dimColor>{truncate(`↑↓ pick one of ${plural(offered, 'session')} to cancel or terminate`, width)}</Text> : null}
			</Box>
		);
	}

	return (
		<Box flexDirection='column'>
			<Text bold>{truncate('locks: pick a session · c cancel its query · k terminate it · Esc back', width)}</Text>
			{targets.map(t => (
				<Text key={t.pid} {...(t.pid === picked ? {color: 'cyan'} : {})} dimColor={t.own}>
					{truncate(`${t.pid === picked ? '▸' : ' '} ${describeTarget(t)}`, width)}
				</Text>
			))}
		</Box>
	);
}

function describeTarget(t: BackendTarget): string {
	const role = [
		t.blocks.length > 0 ? `blocks ${t.blocks.join(',')}` : null,
		t.waitingMs === null ? null : `waits ${formatDuration(t.waitingMs)}${t.waitsFor.length > 0 ? ` for ${t.waitsFor.map(pid => pid === 0 ? 'prepared tx' : String(pid)).join(',')}` : ''}`,
	].filter(part => part !== null).join(', ');
	const what = t.own ? 'cutover\'s own session: not offered' : t.query ?? (t.waitingMs === null ? 'query not in the sample' : '<insufficient privilege>');
	return `${t.pid} ${who(t)} ${role}: ${what}`;
}

const who = (t: BackendTarget) => t.user === null && t.application === null ? '?' : [t.user ?? '?', t.application].filter(Boolean).join('/');

function ConfirmBackendAction({pending: {action, target}, width}: {pending: Pending; width: number}) {
	const title = action === 'cancel' ? `Cancel the query of pid ${target.pid}` : `Terminate the session of pid ${target.pid}`;
	const fn = action === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend';
	const query = target.query ?? (target.waitingMs === null
		? `its query is not in the lock sample (it waits for nothing); it blocks ${target.blocks.join(', ')}`
		: '<insufficient privilege>');
	return (
		<Box flexDirection='column' borderStyle='round' borderColor={action === 'terminate' ? 'red' : 'yellow'} width={width}>
			<Text bold>{truncate(`${title} (${who(target)})?`, width - 4)}</Text>
			{wrap(query, width - 4, QUERY_LINES).map((line, index) => <Text key={index} dimColor>{line}</Text>)}
			<Text>{truncate(`y: ${fn}(${target.pid})   any other key: leave it running`, width - 4)}</Text>
		</Box>
	);
}

/** Breaks a one-line text into lines of `width` at spaces (inside a word only when it is longer), at most `lines`, the last marked when cut. */
function wrap(text: string, width: number, lines: number): string[] {
	const out: string[] = [];
	let rest = [...text.trim()];
	while (rest.length > 0 && out.length < lines) {
		const space = rest.length <= width ? rest.length : rest.lastIndexOf(' ', width);
		const cut = space > 0 ? space : width;
		out.push(rest.slice(0, cut).join('').trimEnd());
		rest = rest.slice(cut);
		while (rest[0] === ' ') {
			rest = rest.slice(1);
		}
	}

	if (rest.length > 0) {
		out[out.length - 1] = truncate(`${out.at(-1)!} …`, width);
	}

	return out;
}
