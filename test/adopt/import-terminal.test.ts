import assert from 'node:assert/strict';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {describe, it} from 'node:test';
import {cli} from '../support/demo-targets.js';
import {packageRoot} from '../../source/package-root.js';
import {exitPattern, openTerminal} from '../support/tmux.js';
import {scratch} from './adopt-support.js';

describe('cutover import at a terminal', () => {
	it('shows the mapping, asks for the name again after a wrong one, then writes', async () => {
		const s = scratch();
		const file = path.join(s.dir, 'shop.db');
		s.write({'0001_users.up.sql': 'CREATE TABLE users (id integer PRIMARY KEY);\n', '0002_orders.up.sql': 'CREATE TABLE orders (id integer PRIMARY KEY);\n'});
		const db = new BetterSqlite3(file);
		db.exec('CREATE TABLE users (id integer PRIMARY KEY); CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY); INSERT INTO schema_migrations VALUES (\'0001\');');
		db.close();
		const terminal = openTerminal([process.execPath, cli, 'import', '--db', `sqlite:${file}`, '--migrations', s.migrations], {cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: path.join(s.dir, 'config'), NO_COLOR: '1'}, columns: 100});
		try {
			const asked = await terminal.waitFor('Type the database name (shop) to write 1 row');
			assert.match(asked, /0001_users +version 0001 +applied/);
			assert.match(asked, /0002_orders +- +pending/);
			await terminal.type('shp');
			await terminal.keys('Enter');
			await terminal.waitFor('! "shp" is not the database name (shop)');
			await terminal.type('shop');
			await terminal.keys('Enter');
			const done = await terminal.waitFor(exitPattern);
			assert.match(done, /outcome: adopted/);
			assert.equal(exitPattern.exec(done)?.[1], '0');
		} finally {
			terminal.close();
		}

		const check = new BetterSqlite3(file, {readonly: true});
		try {
			assert.deepEqual(check.prepare('SELECT name FROM cutover_migrations').pluck().all(), ['0001_users']);
		} finally {
			check.close();
			s.cleanup();
		}
	});

	it('Ctrl-C at the question stops there, on a finished record, writing nothing; resume does not take it for a run', async () => {
		const s = scratch();
		const file = path.join(s.dir, 'shop.db');
		s.write({'0001_users.up.sql': 'CREATE TABLE users (id integer PRIMARY KEY);\n'});
		const db = new BetterSqlite3(file);
		db.exec('CREATE TABLE users (id integer PRIMARY KEY);');
		db.close();
		const terminal = openTerminal([process.execPath, cli, 'baseline', '--db', `sqlite:${file}`, '--migrations', s.migrations, '--to', '0001_users'], {cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: path.join(s.dir, 'config'), NO_COLOR: '1'}, columns: 100});
		try {
			const asked = await terminal.waitFor('Type the database name (shop)');
			assert.match(asked, /table users: present/);
			await terminal.keys('C-c');
			const done = await terminal.waitFor(exitPattern);
			assert.match(done, /outcome: abandoned/);
			assert.equal(exitPattern.exec(done)?.[1], '1');
		} finally {
			terminal.close();
		}

		try {
			const check = new BetterSqlite3(file, {readonly: true});
			assert.equal(check.prepare('SELECT count(*) FROM sqlite_master WHERE name = \'cutover_migrations\'').pluck().get(), 0);
			check.close();
			const [record] = s.recordFiles();
			assert.equal(s.cutover(['verify', record!]).code, 0);
			const resume = s.cutover(['resume']);
			assert.match(resume.stdout, /no unfinished runs/);
		} finally {
			s.cleanup();
		}
	});
});
