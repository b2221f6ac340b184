import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {psqlDatabase, scratch} from './adopt-support.js';

// goose sends a StatementBegin … End block as one statement, which may hold several: the evidence reads each as PostgreSQL cuts it.
const files = {
	'00001_shift.sql': `-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION shift(begin int) RETURNS int LANGUAGE sql AS 'SELECT begin + 1';
CREATE TABLE after_fn (id int);
-- +goose StatementEnd

-- +goose Down
DROP TABLE after_fn;
DROP FUNCTION shift(int);
`,
	'00002_rule.sql': `-- +goose Up
CREATE TABLE t (id int);
CREATE TABLE a (id int);
CREATE TABLE b (id int);
CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));
CREATE TABLE after_rule (id int);
CREATE INDEX after_rule_id ON after_rule (id);

-- +goose Down
DROP TABLE after_rule, t, a, b;
`,
};

describe('PostgreSQL evidence of what a migration created, read from the statements as PostgreSQL cuts them', () => {
	it('status: a goose block holding a function with a parameter named begin, then CREATE TABLE, looks applied when its table exists', async () => {
		const up = (name: keyof typeof files) => files[name].split('-- +goose Down')[0]!.replaceAll(/^-- \+goose .*$/gm, '');
		const db = await psqlDatabase(`${up('00001_shift.sql')}${up('00002_rule.sql')}`);
		const s = scratch();
		try {
			s.write(files);
			const status = s.cutover(['status', '--db', db.url, '--migrations', s.migrations]);
			assert.equal(status.code, 0, status.stdout + status.stderr);
			assert.match(status.stdout, /WARNING {2}pending 00001_shift looks applied already: the table it creates exists \(after_fn\)/);
			assert.match(status.stdout, /WARNING {2}pending 00002_rule looks applied already: the tables it creates exist \(t, a, b, after_rule\)/);
			assert.match(status.stdout, /cutover baseline .*--to 00002_rule/);
		} finally {
			await db.drop();
			s.cleanup();
		}
	});
});
