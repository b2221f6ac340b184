/**
 * Ctrl-C or a terminate while a scratch copy exists: stop the work, remove the copy (saying what
 * could not be removed), and exit as a signal would. Returns the function that stops listening.
 */
export function removeOnSignal(stop: AbortController, remove: () => Promise<string | null>): () => void {
	const onSignal = (signal: NodeJS.Signals) => {
		stop.abort();
		process.stderr.write(`\ncutover: ${signal}: removing the scratch copy and stopping\n`);
		void remove().then(left => {
			if (left !== null) {
				process.stderr.write(`cutover: ${left}\n`);
			}

			process.exit(signal === 'SIGINT' ? 130 : 143);
		});
	};

	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	return () => {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	};
}
