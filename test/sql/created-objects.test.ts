import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createdObjects} from '../../source/sql/created-objects.js';

const after = 'CREATE TABLE after_rule (id int);\nCREATE INDEX after_rule_id ON after_rule (id);\n';

test('PostgreSQL: the table and index after CREATE RULE … DO ALSO (…; …) are found, the rule is no CREATE TABLE', async () => {
	const sql = `CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));\n${after}`;
	assert.deepEqual(await createdObjects(sql, 'postgres'), [{kind: 'table', name: 'after_rule'}, {kind: 'index', name: 'after_rule_id'}]);
});

test('PostgreSQL: a function with a parameter named begin does not hide the statements after it (the hand-written splitter waited for its END)', async () => {
	const sql = `CREATE FUNCTION shift(begin int) RETURNS int LANGUAGE sql AS 'SELECT begin + 1';\n${after}`;
	assert.deepEqual(await createdObjects(sql, 'postgres'), [{kind: 'table', name: 'after_rule'}, {kind: 'index', name: 'after_rule_id'}]);
});

test('SQLite keeps the hand-written splitter: a trigger body\'s BEGIN … END holds its semicolons', async () => {
	const sql = `CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO a VALUES (1); INSERT INTO b VALUES (2); END;\n${after}`;
	assert.deepEqual(await createdObjects(sql, 'sqlite'), [{kind: 'table', name: 'after_rule'}, {kind: 'index', name: 'after_rule_id'}]);
});
