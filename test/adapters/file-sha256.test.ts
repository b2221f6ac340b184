// The chunked file hash equals the hash of the whole content, at sizes around its chunk and buffer edges.
import assert from 'node:assert/strict';
import {createHash, randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {sha256OfFile} from '../../source/adapters/file-sha256.js';

test('sha256OfFile agrees with hashing the content at once: empty, small, one chunk, several chunks and a remainder', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-sha-'));
	try {
		const mib = 1024 * 1024;
		for (const size of [0, 1, 64 * 1024 + 1, 4 * mib, 4 * mib + 1, 9 * mib + 12_345]) {
			const content = randomBytes(size);
			const file = path.join(dir, `f-${size}`);
			writeFileSync(file, content);
			// eslint-disable-next-line no-await-in-loop -- one file at a time
			assert.equal(await sha256OfFile(file), createHash('sha256').update(content).digest('hex'), `${size} bytes`);
		}

		await assert.rejects(sha256OfFile(path.join(dir, 'missing')), /ENOENT/);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
