import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {fit, truncate} from '../../screens/format.js';
import {fitCells, truncateCells} from '../../screens/watch/cells.js';
import {rowCells, treeLineCells} from '../../screens/watch/session-line.js';
import {buildBlockingTree} from '../../source/watch/blocking-tree.js';
import {row, waiting} from './rows.js';

const cases: string[][] = [[], [''], ['abc'], ['12345 ', '3 m 04 s ', ' app shop active SELECT 1'], ['└ 7 web waits ', '1 h 02 m', ' [blocks 2]', '  SELECT ü…'], ['ab', '', 'cd']];

describe('cells', () => {
	it('cut and pad as truncate() and fit() do to the joined line', () => {
		for (const cells of cases) {
			for (let width = 0; width <= 50; width++) {
				assert.equal(truncateCells(cells, width).join(''), truncate(cells.join(''), width), `${JSON.stringify(cells)} at ${width}`);
				assert.equal(fitCells(cells, width).join(''), fit(cells.join(''), width), `${JSON.stringify(cells)} at ${width}`);
			}
		}
	});

	it('keep a session line the same but for its age cell when only time has passed', () => {
		const early = row(101, {query: 'UPDATE meters SET reading = reading + 1 WHERE id = 1 AND note = \'long enough to be cut at 78 columns\'', queryMs: 5000});
		const later = {...early, queryMs: 6000};
		const [a, b] = [rowCells(early, 'query', 78), rowCells(later, 'query', 78)];
		assert.equal(a.join('').length, 78);
		assert.deepEqual(a.filter((_, index) => index !== 1), b.filter((_, index) => index !== 1));
		assert.notEqual(a[1], b[1]);

		const tree = (ms: number) => buildBlockingTree([row(1, {state: 'idle in transaction', stateMs: ms}), waiting(2, [1], {stateMs: ms})]).map(line => treeLineCells(line, 78));
		const [before, after] = [tree(7000), tree(8000)];
		assert.equal(before.length, 2);
		for (const [index, cells] of before.entries()) {
			const moved = cells.map((cell, at) => cell === after[index]![at] ? null : cell).filter(cell => cell !== null);
			assert.deepEqual(moved, ['7 s'], `tree line ${index}: only the age differs`);
		}
	});
});
