import type pg from 'pg';
import {PROBE_EVERY_MS} from './loss-notifier.js';

/** A probe unanswered this long means the session is gone for the run (a cut network answers nothing at all). */
const PROBE_TIMEOUT_MS = 8000;

/**
 * Watches the session that holds the advisory lock: the lock lives exactly as long as it.
 * A server restart, a terminated backend or an idle timeout shows as the client's error or
 * end; a cut network shows only as a probe that gets no answer. `lose` hears of it.
 */
export function watchSession(client: pg.Client, lose: (detail: string) => void) {
	let stopped = false;
	const gone = (why: string) => {
		if (!stopped) {
			lose(`the database session holding the run lock ended: ${why}`);
		}
	};

	const onError = (error: Error) => gone(error.message);
	const onEnd = () => gone('the connection was closed');
	client.on('error', onError);
	client.on('end', onEnd);

	let probing = false;
	const probe = async () => {
		if (probing || stopped) {
			return;
		}

		probing = true;
		let timer: NodeJS.Timeout | undefined;
		try {
			await Promise.race([
				client.query('SELECT 1'),
				new Promise((_, reject) => {
					timer = setTimeout(() => reject(new Error(`it did not answer a probe within ${PROBE_TIMEOUT_MS / 1000} s (network cut?)`)), PROBE_TIMEOUT_MS);
				}),
			]);
		} catch (error) {
			gone(error instanceof Error ? error.message : String(error));
		} finally {
			clearTimeout(timer);
			probing = false;
		}
	};

	const interval = setInterval(() => {
		void probe();
	}, PROBE_EVERY_MS);
	// The watch never keeps the process alive on its own.
	interval.unref();
	return {
		stop() {
			stopped = true;
			clearInterval(interval);
			client.off('error', onError);
			client.off('end', onEnd);
		},
	};
}
