/**
 * Temporary files and databases the bench made, undone in reverse order on the way out: after
 * a normal finish, an error, or Ctrl-C, so an interrupted bench leaves nothing behind.
 */
const undo: Array<{what: string; run: () => Promise<void> | void}> = [];
let running: Promise<void> | undefined;

export function onCleanup(what: string, run: () => Promise<void> | void): void {
	undo.push({what, run});
}

export async function cleanUp(): Promise<void> {
	running ??= (async () => {
		while (undo.length > 0) {
			const step = undo.pop()!;
			try {
				// eslint-disable-next-line no-await-in-loop -- later steps may depend on earlier ones being undone
				await step.run();
			} catch (error) {
				console.error(`could not clean up ${step.what}: ${error instanceof Error ? error.message : String(error)}; remove it by hand`);
			}
		}
	})();
	await running;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		void cleanUp().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)));
	});
}
