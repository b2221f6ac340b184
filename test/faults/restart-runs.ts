// What the server-restart fault tests share: plain runs on a cluster target, and leaving the console.
import assert from 'node:assert/strict';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {demoMigrations, productionChecklist, type DemoTarget, type JournalLine} from '../support/demo-targets.js';
import {prepareClusterTarget} from '../support/faults.js';
import type {Cluster} from '../support/pg-cluster.js';
import {exitPattern, type Terminal} from '../support/tmux.js';

export const records = (target: DemoTarget) => path.join(target.dir, 'records');
export const plainRun = (target: DemoTarget, extra: string[] = []) => ['run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name, '--records', records(target), '--backups', path.join(target.dir, 'backups'), ...extra];
export const consoleRun = (target: DemoTarget) => ['run', '--db', target.db, '--migrations', demoMigrations, '--checklist', productionChecklist, '--records', records(target), '--backups', path.join(target.dir, 'backups')];

export async function withClusterTarget(cluster: Cluster, work: (target: DemoTarget) => Promise<void>) {
	const target = await prepareClusterTarget(cluster);
	try {
		await work(target);
	} finally {
		await target.cleanup();
	}
}

/** Failed cleanly (run.finished failed) or stopped resumable (run.interrupted): never upgraded, never left open without a word. */
export function assertEndedSafely(lines: JournalLine[]) {
	const last = lines.at(-1);
	assert.ok(last?.kind === 'run.interrupted' || (last?.kind === 'run.finished' && last.event['outcome'] === 'failed'), `the run ends failed or interrupted, not ${last?.kind} ${JSON.stringify(last?.event)}`);
}

/** In the console: ticks the preparation, types the name and waits at the upgrade gate. */
export async function toUpgradeGate(terminal: Terminal, name: string) {
	await terminal.waitFor('Type the database name');
	await terminal.keys('Tab', 'Space', 'Down', 'Space', 'Down', 'Space', 'Tab');
	await terminal.waitFor('(3/3 ticked)');
	await terminal.type(name);
	await terminal.keys('Enter');
	await terminal.waitFor('Press Enter to proceed', 60_000);
}

/** Takes the default at every prompt until the console exits; returns every screen seen. */
export async function leave(terminal: Terminal): Promise<string> {
	const seen: string[] = [];
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		const screen = terminal.screen();
		seen.push(screen);
		if (exitPattern.test(screen)) {
			return seen.join('\n');
		}

		if (screen.includes('Enter to choose')) {
			// eslint-disable-next-line no-await-in-loop -- one key, then its frame
			await terminal.keys('Enter');
		} else if (/^Schema\s.*→/m.test(screen) && /^Record\s/m.test(screen)) {
			// The summary: the run is over, q leaves it.
			// eslint-disable-next-line no-await-in-loop -- one key, then its frame
			await terminal.keys('q');
		} else {
			// eslint-disable-next-line no-await-in-loop -- polling
			await sleep(200);
		}
	}

	throw new Error(`the console did not end within 60 s; it shows:\n${seen.at(-1) ?? ''}`);
}
