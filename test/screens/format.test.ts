import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {layoutTable} from '../../screens/components/evidence-table.js';
import {progressBar} from '../../screens/components/progress-bar.js';
import {firstLines, formatBytes, formatDuration, truncate} from '../../screens/format.js';

const widest = (lines: string[]) => Math.max(...lines.map(l => [...l].length));

describe('formatting for narrow terminals', () => {
	it('prints sizes and durations the way operators read them', () => {
		assert.equal(formatBytes(512), '512 B');
		assert.equal(formatBytes(1_234_567), '1.2 MB');
		assert.equal(formatBytes(45_000_000_000), '45 GB');
		assert.equal(formatDuration(850), '850 ms');
		assert.equal(formatDuration(12_300), '12 s');
		assert.equal(formatDuration(184_000), '3 m 04 s');
		assert.equal(formatDuration(3_720_000), '1 h 02 m');
	});

	it('cuts text to a width and marks the cut', () => {
		assert.equal(truncate('abcdef', 4), 'abc…');
		assert.equal(truncate('abc', 4), 'abc');
		assert.deepEqual(firstLines('one\n\ntwo\nthree', 2, 10), ['one', 'two …']);
	});

	it('draws a progress bar that reads without colour', () => {
		assert.equal(progressBar(0.5, 10), '[█████░░░░░]  50%');
		assert.equal(progressBar(2, 4), '[████] 100%');
		assert.equal(progressBar(Number.NaN, 4), '[░░░░]   0%');
	});

	it('keeps a table within the width by shrinking the widest column first', () => {
		const {lines, hiddenColumns} = layoutTable(['id', 'note'], [['1', 'x'.repeat(200)]], 40);
		assert.equal(hiddenColumns, 0);
		assert.equal(widest(lines), 40);
		assert.match(lines[2] ?? '', /^1 {3}x+…$/);
	});

	it('drops the columns that cannot fit and says how many', () => {
		const columns = Array.from({length: 30}, (_, i) => `column_${i}`);
		const {lines, hiddenColumns} = layoutTable(columns, [columns.map(() => 'value')], 80);
		assert.ok(hiddenColumns > 0);
		assert.ok(widest(lines) <= 80);
		assert.match(lines[0] ?? '', new RegExp(`\\+${hiddenColumns} cols$`));
	});
});
