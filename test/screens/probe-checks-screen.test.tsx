import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import {App} from '../../screens/app.js';
import {judgeCommand} from '../../source/engine/judge-probes.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, check} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

describe('checks screen with a command probe', () => {
	it('shows its exit code and last lines as evidence, and its command line on s, in 80 columns', async () => {
		const output = `${Array.from({length: 6}, (_, i) => `worker ${i + 1} ${'still running, pid '.repeat(3)}${4000 + i}`).join('\n')}\n`;
		const judged = judgeCommand({kind: 'command', exit: [1]}, {exitCode: 0, signal: null, stdout: output, output});
		const stopped = check('app-stopped', judged.verdict, {
			title: 'The application process is stopped', detail: judged.detail, evidence: judged.evidence,
			sql: 'pgrep -fa myapp-worker', expectation: 'exit 1', probe: 'command',
		});
		current = render(<App state={atProceed([stopped])} now={Date.now()} onDecision={() => {}} onQuit={() => {}} interactive/>);
		const frame = await current.waitForFrame('s: command');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /› ✗ FAILED {2}block {2}The application process is… {2}exit 0, expected 1/);
		assert.match(frame, /── app-stopped · 12 ms · s: command · expects exit 1/);
		assert.match(frame, /^what {4}value \(output: the last 4 of 6 lines\)$/m);
		assert.match(frame, /^exit {4}0$/m);
		assert.match(frame, /^output {2}worker 3 still running/m);
		assert.match(frame, /^output {2}worker 6 still running, pid .*4005$/m);
		assert.doesNotMatch(frame, /more row/, 'the last line is on the screen');
		current.stdin.write('s');
		const command = await current.waitForFrame('s: evidence');
		assert.match(command, /^pgrep -fa myapp-worker$/m);
		assert.deepEqual(overflowing(command), []);
		current.stdin.write(keys.down);
	});
});
