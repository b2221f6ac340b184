import type {BackendActionKind, EventOf} from '../engine/events.js';
import type {ActivityMonitor} from '../ports/activity-monitor.js';
import type {Session} from './session.js';

/** What acting on a backend needs of the activity monitor: who a pid is right now, and the signal. */
export type BackendMonitor = Pick<ActivityMonitor, 'refresh' | 'signal'>;

/** cutover names every connection it opens (migrator, run lock, lock sampler, backups) this way. */
const OWN_APPLICATION = /^cutover/;

/**
 * Carries out the operator's `operator.backend-action` decisions and journals each answer as
 * `backend-action.finished`, one at a time in the order decided. Never signals a session of
 * cutover's own: ending the migrator or the run lock from inside the run would leave the
 * database half-migrated or unguarded, so that is refused in the outcome instead.
 */
export function handleBackendActions(session: Session, monitor: BackendMonitor): {stop(): Promise<void>} {
	let queue: Promise<void> = Promise.resolve();
	const act = async (decision: EventOf<'operator.backend-action'>) => {
		const {action, pid} = decision;
		const {ok, detail} = await carryOut(monitor, action, pid);
		// After run.finished the record is sealed; a late answer must not reopen it.
		if (session.state.outcome === null) {
			session.emit({type: 'backend-action.finished', action, pid, ok, detail});
		}
	};

	const off = session.subscribe((_, entry) => {
		const {event} = entry;
		if (event.type === 'operator.backend-action') {
			// A failure to journal the answer surfaces in the run itself; here it must not stall later actions.
			queue = queue.then(async () => act(event)).catch(() => {});
		}
	});

	return {
		async stop() {
			off();
			await queue;
		},
	};
}

async function carryOut(monitor: BackendMonitor, action: BackendActionKind, pid: number): Promise<{ok: boolean; detail: string}> {
	if (!Number.isInteger(pid) || pid <= 0) {
		return {ok: false, detail: `pid ${pid} is not a session (0 is a prepared transaction: end it with COMMIT PREPARED or ROLLBACK PREPARED); nothing sent`};
	}

	let snapshot: Awaited<ReturnType<BackendMonitor['refresh']>>;
	try {
		snapshot = await monitor.refresh();
	} catch (error) {
		return {ok: false, detail: `could not look up pid ${pid} before signalling it (${error instanceof Error ? error.message : String(error)}); nothing sent`};
	}

	const row = snapshot.rows.find(r => r.pid === pid);
	const application = pid === snapshot.ownPid ? 'cutover watch' : row?.application ?? null;
	if (application !== null && OWN_APPLICATION.test(application)) {
		return {ok: false, detail: `pid ${pid} is cutover's own session (${application}); refused: to stop the migration, stop the run instead; nothing sent`};
	}

	if (row === undefined) {
		return {ok: false, detail: `no session with pid ${pid} is busy or blocking anyone now (it may have ended); nothing sent`};
	}

	const outcome = await monitor.signal(action, pid);
	return {ok: outcome.ok, detail: outcome.detail};
}
