// The record's one-line account of a finished backup: a file by its size and sha256, a directory by its files and jobs.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {describeEvent} from '../../source/journal/describe-event.js';

const hash = (seed: string) => seed.repeat(64).slice(0, 64);

test('a directory backup names its files, jobs, compression and the manifest\'s sha256', () => {
	const line = describeEvent({type: 'backup.finished', durationMs: 1500, artifact: {
		path: '/b/shop.dump', format: 'pg-directory', bytes: 3 * 1024 * 1024, sha256: hash('ab'), sourceCounts: {},
		files: [{name: '3356.dat.gz', bytes: 2 * 1024 * 1024, sha256: hash('cd')}, {name: 'toc.dat', bytes: 1024 * 1024, sha256: hash('ef')}],
		jobs: 2, compression: {method: 'gzip', level: 1}, chosen: 'directory format, 2 jobs',
	}});
	assert.equal(line, `backup /b/shop.dump: directory of 2 files, 3.0 MB, 2 jobs, gzip level 1, manifest sha256 ${hash('ab')}, 1500 ms`);
});

test('a file keeps its line; the compression follows when the record has it', () => {
	const artifact = {path: '/b/shop.dump', format: 'pg-custom' as const, bytes: 2048, sha256: hash('ab'), sourceCounts: {}};
	assert.equal(describeEvent({type: 'backup.finished', durationMs: 10, artifact}), `backup /b/shop.dump: 2.0 kB, sha256 ${hash('ab')}, 10 ms`);
	assert.equal(describeEvent({type: 'backup.finished', durationMs: 10, artifact: {...artifact, compression: {method: 'none', level: 0}}}), `backup /b/shop.dump: 2.0 kB, sha256 ${hash('ab')}, uncompressed, 10 ms`);
});

test('a progress line names the table being counted before pg_dump starts; an older record\'s line is as before', () => {
	const progress = {bytes: 0, tablesDone: 0, tablesTotal: 3};
	assert.equal(describeEvent({type: 'backup.progress', progress: {...progress, countingTable: 'billing.Invoices'}}), 'counting rows of billing.Invoices, 0 B, tables 0/3');
	assert.equal(describeEvent({type: 'backup.progress', progress}), '0 B, tables 0/3');
});

test('the row counts after an upgrade say which tables are new and which were dropped, rather than a dash', () => {
	assert.equal(describeEvent({type: 'post.compared', after: {meters: 3, audit: 0}, diff: [
		{table: 'meters', before: 5, after: 3, delta: -2},
		{table: 'audit', before: null, after: 0, delta: 0},
		{table: 'legacy', before: 7, after: null, delta: -7},
		{table: 'users', before: 2, after: 2, delta: 0},
	]}), 'row counts vs baseline: meters 5→3, audit new (0 rows), legacy 7→dropped');
});
