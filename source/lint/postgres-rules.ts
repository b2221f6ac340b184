import type {AlterTableCmd, ColumnDef, Constraint, Node, RangeVar, TypeName} from 'libpg-query';
import type {RuleId} from './rules.js';

/** One rule that fired on a statement, with what in the statement made it fire. */
/** `table`: the table a destructive hit loses data of (SQLite's rules: see madeInThisRun). */
/** `ifExists`: a DROP … IF EXISTS, which drops nothing where the table is not there. */
export type Hit = {rule: RuleId; detail: string; table?: string; ifExists?: true};

/** What the folder has done so far, statement by statement: what later statements are judged against. */
export type PostgresState = {
	/** Tables created earlier in the folder (or plan): empty, so locking them blocks nobody. */
	created: Set<string>;
	/** CHECK (col IS NOT NULL) constraints added, by table and constraint name: the column they cover. */
	notNullChecks: Map<string, string>;
	/** Columns with a valid CHECK (col IS NOT NULL): SET NOT NULL on them skips the scan (PostgreSQL 12+). */
	validatedNotNull: Set<string>;
	/** New names of live tables renamed earlier in the plan: they hold the operator's rows. */
	renamedLive: Set<string>;
	/** Live tables dropped earlier in the plan: no longer there. */
	droppedLive: Set<string>;
};

export function newPostgresState(): PostgresState {
	return {created: new Set(), notNullChecks: new Map(), validatedNotNull: new Set(), renamedLive: new Set(), droppedLive: new Set()};
}

export type PostgresContext = {
	state: PostgresState;
	/** Tables of the live database (by cutover's naming: `t` in public, `s.t` elsewhere), or null to judge from the folder alone. */
	liveTables: ReadonlySet<string> | null;
};

/** What one statement does, as far as the rules care. */
export type StatementFacts = {
	hits: Hit[];
	/** The existing table the statement locks ACCESS EXCLUSIVE, held until commit. */
	accessExclusiveOn: string | null;
	/** The existing table the statement locks in a mode that blocks writes (or reads): what a lock timeout guards. */
	blockingLockOn: string | null;
	/** A `SET lock_timeout`: 'off' when it disables the timeout (0, DEFAULT, RESET), 'on' when it sets one. */
	lockTimeout: 'off' | 'on' | null;
};

/** Known volatile functions: a default calling one is evaluated per row, so ADD COLUMN rewrites the table. */
const volatileFunctions = new Set(['random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'clock_timestamp', 'timeofday', 'nextval', 'random_normal']);
const serialTypes = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);

/** A table's name as cutover lists tables: bare in public, schema-qualified elsewhere. */
export function tableName(schema: string | undefined, table: string): string {
	return schema === undefined || schema === 'public' ? table : `${schema}.${table}`;
}

const relationName = (relation: RangeVar | undefined): string | null => relation?.relname === undefined ? null : tableName(relation.schemaname, relation.relname);

function strings(nodes: Node[] | undefined): string[] {
	return (nodes ?? []).flatMap(node => 'String' in node && node.String.sval !== undefined ? [node.String.sval] : []);
}

function typeLabel(type: TypeName | undefined): string {
	const names = strings(type?.names);
	return names.at(-1) ?? '?';
}

const isJson = (type: TypeName | undefined) => {
	const names = strings(type?.names);
	return names.at(-1) === 'json' && (names.length === 1 || names[0] === 'pg_catalog');
};

/** Every function name called anywhere in an expression tree. */
function calledFunctions(node: unknown, found: string[] = []): string[] {
	if (Array.isArray(node)) {
		for (const item of node) {
			calledFunctions(item, found);
		}
	} else if (typeof node === 'object' && node !== null) {
		for (const [key, value] of Object.entries(node)) {
			if (key === 'FuncCall') {
				const name = strings((value as {funcname?: Node[]}).funcname).at(-1);
				if (name !== undefined) {
					found.push(name);
				}
			}

			calledFunctions(value, found);
		}
	}

	return found;
}

/** The column a `CHECK (col IS NOT NULL)` covers, or null for any other check. */
function notNullColumn(constraint: Constraint): string | null {
	const expr = constraint.raw_expr;
	if (expr === undefined || !('NullTest' in expr) || expr.NullTest.nulltesttype !== 'IS_NOT_NULL') {
		return null;
	}

	const arg = expr.NullTest.arg;
	return arg !== undefined && 'ColumnRef' in arg ? strings(arg.ColumnRef.fields).at(-1) ?? null : null;
}

function constraintsOf(column: ColumnDef): Constraint[] {
	return (column.constraints ?? []).flatMap(node => 'Constraint' in node ? [node.Constraint] : []);
}

/**
 * Reads one parsed statement against what the folder did before it, and records what it does
 * (tables created, NOT NULL checks added or validated) for the statements after it.
 */
export function analyzeStatement(stmt: Node, context: PostgresContext): StatementFacts {
	const {state} = context;
	const facts: StatementFacts = {hits: [], accessExclusiveOn: null, blockingLockOn: null, lockTimeout: null};
	const existing = (name: string | null): name is string => name !== null && !state.created.has(name) && !state.droppedLive.has(name) && (context.liveTables === null || context.liveTables.has(name) || state.renamedLive.has(name));
	const hit = (rule: RuleId, detail: string) => facts.hits.push({rule, detail});
	const jsonColumns = (columns: ColumnDef[], table: string) => {
		for (const column of columns.filter(c => isJson(c.typeName))) {
			hit('json-type', `column ${table}.${column.colname ?? '?'} is json`);
		}
	};

	if ('CreateStmt' in stmt) {
		const name = relationName(stmt.CreateStmt.relation);
		// A temporary table lives for the session only: nothing of it outlives the migration.
		if (name !== null && stmt.CreateStmt.relation?.relpersistence !== 't') {
			state.created.add(name);
			jsonColumns((stmt.CreateStmt.tableElts ?? []).flatMap(node => 'ColumnDef' in node ? [node.ColumnDef] : []), name);
		}
	} else if ('CreateTableAsStmt' in stmt) {
		const name = relationName(stmt.CreateTableAsStmt.into?.rel);
		if (name !== null) {
			state.created.add(name);
		}
	} else if ('IndexStmt' in stmt) {
		const index = stmt.IndexStmt;
		const name = relationName(index.relation);
		if (index.concurrent !== true && existing(name)) {
			hit('index-not-concurrent', `CREATE ${index.unique === true ? 'UNIQUE ' : ''}INDEX ${index.idxname ?? ''} on ${name} without CONCURRENTLY`.replace('  ', ' '));
			facts.blockingLockOn = name;
		}
	} else if ('AlterTableStmt' in stmt) {
		const alter = stmt.AlterTableStmt;
		const name = relationName(alter.relation);
		if (alter.objtype === 'OBJECT_TABLE' && name !== null) {
			const commands = (alter.cmds ?? []).flatMap(node => 'AlterTableCmd' in node ? [node.AlterTableCmd] : []);
			alterTable(name, commands, existing(name), context, hit);
			if (existing(name)) {
				const lock = alterLock(commands);
				facts.blockingLockOn = lock === null ? null : name;
				facts.accessExclusiveOn = lock === 'access exclusive' ? name : null;
			}
		}
	} else if ('RenameStmt' in stmt) {
		const rename = stmt.RenameStmt;
		const name = relationName(rename.relation);
		if (rename.renameType === 'OBJECT_COLUMN' && rename.relationType === 'OBJECT_TABLE' && existing(name)) {
			hit('rename-column', `column ${name}.${rename.subname ?? '?'} renamed to ${rename.newname ?? '?'}`);
			facts.accessExclusiveOn = name;
			facts.blockingLockOn = name;
		} else if (rename.renameType === 'OBJECT_TABLE' && name !== null) {
			if (existing(name)) {
				hit('rename-table', `table ${name} renamed to ${rename.newname ?? '?'}`);
				facts.accessExclusiveOn = name;
				facts.blockingLockOn = name;
				if (rename.newname !== undefined) {
					state.renamedLive.add(tableName(rename.relation?.schemaname, rename.newname));
				}
			} else if (rename.newname !== undefined) {
				// A table made by this folder keeps being new under its new name.
				state.created.add(tableName(rename.relation?.schemaname, rename.newname));
			}
		}
	} else if ('AlterObjectSchemaStmt' in stmt && stmt.AlterObjectSchemaStmt.objectType === 'OBJECT_TABLE') {
		// Moved to another schema: a live table keeps the operator's rows under its new name, a new one stays new.
		const move = stmt.AlterObjectSchemaStmt;
		const name = relationName(move.relation);
		if (name !== null && move.newschema !== undefined && move.relation?.relname !== undefined) {
			const moved = tableName(move.newschema, move.relation.relname);
			if (existing(name)) {
				state.renamedLive.add(moved);
			} else if (state.created.has(name)) {
				state.created.add(moved);
			}
		}
	} else if ('DropStmt' in stmt && stmt.DropStmt.removeType === 'OBJECT_TABLE') {
		for (const object of stmt.DropStmt.objects ?? []) {
			const parts = 'List' in object ? strings(object.List.items) : [];
			const name = parts.length === 0 ? null : tableName(parts.length > 1 ? parts.at(-2) : undefined, parts.at(-1)!);
			if (name !== null) {
				// IF EXISTS of a table neither live nor made by the plan drops nothing (a down-then-up, a clean-up kept idempotent).
				const absent = stmt.DropStmt.missing_ok === true && !state.created.has(name) && !existing(name) && !onSearchPath(name, context.liveTables);
				if (!madeByThePlan(name, context) && !absent) {
					hit('drop-table', `DROP TABLE ${name}`);
				}

				if (existing(name)) {
					facts.accessExclusiveOn = name;
					facts.blockingLockOn = name;
					state.droppedLive.add(name);
				}

				state.created.delete(name);
				state.renamedLive.delete(name);
			}
		}
	} else if ('TruncateStmt' in stmt) {
		for (const relation of stmt.TruncateStmt.relations ?? []) {
			const name = 'RangeVar' in relation ? relationName(relation.RangeVar) : null;
			if (name !== null) {
				if (!madeByThePlan(name, context)) {
					hit('truncate', `TRUNCATE ${name}`);
				}

				if (existing(name)) {
					facts.accessExclusiveOn = name;
					facts.blockingLockOn = name;
				}
			}
		}
	} else if ('LockStmt' in stmt) {
		// Modes 5 and up (SHARE … ACCESS EXCLUSIVE) block writes; 8 is ACCESS EXCLUSIVE.
		const mode = stmt.LockStmt.mode ?? 8;
		const relation = stmt.LockStmt.relations?.[0];
		const name = relation !== undefined && 'RangeVar' in relation ? relationName(relation.RangeVar) : null;
		if (mode >= 5 && existing(name)) {
			facts.blockingLockOn = name;
			facts.accessExclusiveOn = mode === 8 ? name : null;
		}
	} else if ('AlterEnumStmt' in stmt) {
		const alter = stmt.AlterEnumStmt;
		if (alter.newVal !== undefined && alter.oldVal === undefined) {
			hit('enum-value-in-transaction', `ALTER TYPE ${strings(alter.typeName).join('.')} ADD VALUE '${alter.newVal}'`);
		}
	} else if ('VariableSetStmt' in stmt && stmt.VariableSetStmt.name === 'lock_timeout') {
		facts.lockTimeout = disablesTimeout(stmt.VariableSetStmt) ? 'off' : 'on';
	} else if ('VariableSetStmt' in stmt && stmt.VariableSetStmt.kind === 'VAR_RESET_ALL') {
		facts.lockTimeout = 'off';
	}

	return facts;
}

function disablesTimeout(set: {kind?: string; args?: Node[]}): boolean {
	if (set.kind !== 'VAR_SET_VALUE') {
		return true;
	}

	const value = set.args?.[0];
	if (value === undefined || !('A_Const' in value)) {
		return false;
	}

	const constant = value.A_Const;
	if (constant.ival !== undefined) {
		return (constant.ival.ival ?? 0) === 0;
	}

	return constant.sval !== undefined && /^\s*0+\s*(ms|s|min|h|d)?\s*$/i.test(constant.sval.sval ?? '');
}

type HitFn = (rule: RuleId, detail: string) => void;

function alterTable(name: string, commands: AlterTableCmd[], existing: boolean, context: PostgresContext, hit: HitFn): void {
	const {state} = context;
	for (const command of commands) {
		const column = command.def !== undefined && 'ColumnDef' in command.def ? command.def.ColumnDef : null;
		const constraint = command.def !== undefined && 'Constraint' in command.def ? command.def.Constraint : null;
		switch (command.subtype) {
			case 'AT_AddColumn': {
				if (column === null) {
					break;
				}

				const label = `${name}.${column.colname ?? '?'}`;
				if (isJson(column.typeName)) {
					hit('json-type', `column ${label} is json`);
				}

				if (!existing) {
					break;
				}

				const constraints = constraintsOf(column);
				const kinds = new Set(constraints.map(c => c.contype));
				const defaultExpr = constraints.find(c => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
				const volatile = calledFunctions(defaultExpr).find(f => volatileFunctions.has(f));
				if (volatile !== undefined) {
					hit('volatile-default', `column ${label} defaults to ${volatile}()`);
				} else if (serialTypes.has(typeLabel(column.typeName))) {
					hit('volatile-default', `column ${label} is ${typeLabel(column.typeName)} (a nextval() default)`);
				} else if (kinds.has('CONSTR_IDENTITY')) {
					hit('volatile-default', `column ${label} is an identity column (every row gets a value)`);
				} else if (kinds.has('CONSTR_GENERATED')) {
					hit('volatile-default', `column ${label} is a stored generated column (every row is computed)`);
				}

				if ((kinds.has('CONSTR_NOTNULL') || kinds.has('CONSTR_PRIMARY')) && !kinds.has('CONSTR_DEFAULT') && !kinds.has('CONSTR_IDENTITY') && !kinds.has('CONSTR_GENERATED') && !serialTypes.has(typeLabel(column.typeName))) {
					hit('not-null-without-default', `column ${label} is NOT NULL with no default`);
				}

				if (kinds.has('CONSTR_UNIQUE') || kinds.has('CONSTR_PRIMARY')) {
					hit('unique-constraint-on-existing', `column ${label} is added ${kinds.has('CONSTR_PRIMARY') ? 'as PRIMARY KEY' : 'UNIQUE'}`);
				}

				break;
			}

			case 'AT_AlterColumnType': {
				const type = column?.typeName;
				if (isJson(type)) {
					hit('json-type', `column ${name}.${command.name ?? '?'} becomes json`);
				}

				if (existing) {
					hit('column-type-rewrite', `column ${name}.${command.name ?? '?'} changes type to ${typeLabel(type)}`);
				}

				break;
			}

			case 'AT_SetNotNull': {
				if (existing && !state.validatedNotNull.has(`${name}\0${command.name ?? ''}`)) {
					hit('set-not-null', `column ${name}.${command.name ?? '?'} SET NOT NULL`);
				}

				break;
			}

			case 'AT_AddConstraint': {
				if (constraint !== null) {
					addConstraint(name, constraint, existing, state, hit);
				}

				break;
			}

			case 'AT_ValidateConstraint': {
				const covered = state.notNullChecks.get(`${name}\0${command.name ?? ''}`);
				if (covered !== undefined) {
					state.validatedNotNull.add(`${name}\0${covered}`);
				}

				break;
			}

			case 'AT_DropColumn': {
				if (!madeByThePlan(name, context)) {
					hit('drop-column', `DROP COLUMN ${name}.${command.name ?? '?'}`);
				}

				break;
			}

			default: {
				break;
			}
		}
	}
}

function addConstraint(name: string, constraint: Constraint, existing: boolean, state: PostgresState, hit: HitFn): void {
	const label = constraint.conname === undefined ? '' : ` ${constraint.conname}`;
	switch (constraint.contype) {
		case 'CONSTR_UNIQUE':
		case 'CONSTR_PRIMARY': {
			// USING INDEX adopts an index built beforehand (concurrently): no build under the lock.
			if (existing && constraint.indexname === undefined) {
				hit('unique-constraint-on-existing', `ADD CONSTRAINT${label} ${constraint.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'} on ${name} without USING INDEX`);
			}

			break;
		}

		case 'CONSTR_FOREIGN': {
			if (existing && constraint.skip_validation !== true) {
				hit('foreign-key-without-not-valid', `ADD CONSTRAINT${label} FOREIGN KEY on ${name} without NOT VALID`);
			}

			break;
		}

		case 'CONSTR_CHECK': {
			const column = notNullColumn(constraint);
			if (column !== null && constraint.conname !== undefined) {
				state.notNullChecks.set(`${name}\0${constraint.conname}`, column);
			}

			if (constraint.skip_validation !== true) {
				if (column !== null) {
					state.validatedNotNull.add(`${name}\0${column}`);
				}

				if (existing) {
					hit('check-without-not-valid', `ADD CONSTRAINT${label} CHECK on ${name} without NOT VALID`);
				}
			}

			break;
		}

		default: {
			break;
		}
	}
}

/** The strongest lock an ALTER TABLE takes, as far as blocking goes; null for forms that block neither reads nor writes. */
function alterLock(commands: AlterTableCmd[]): 'access exclusive' | 'share row exclusive' | null {
	let lock: 'access exclusive' | 'share row exclusive' | null = null;
	for (const command of commands) {
		const constraint = command.def !== undefined && 'Constraint' in command.def ? command.def.Constraint : null;
		switch (command.subtype) {
			// SHARE UPDATE EXCLUSIVE: reads and writes go on.
			case 'AT_ValidateConstraint':
			case 'AT_SetStatistics':
			case 'AT_ClusterOn':
			case 'AT_DropCluster':
			case 'AT_AttachPartition':
			case 'AT_DetachPartition': {
				break;
			}

			case 'AT_AddConstraint': {
				if (constraint?.contype === 'CONSTR_FOREIGN') {
					lock ??= 'share row exclusive';
				} else {
					return 'access exclusive';
				}

				break;
			}

			default: {
				return 'access exclusive';
			}
		}
	}

	return lock;
}

/** An unqualified name that a live table of another schema has: the search_path may resolve it there. */
function onSearchPath(name: string, liveTables: ReadonlySet<string> | null): boolean {
	return !name.includes('.') && liveTables !== null && [...liveTables].some(table => table.endsWith(`.${name}`));
}

/**
 * A table an earlier statement of the plan created, which the live database does not have: a
 * drop or truncate of it loses no data the operator has (a first deployment). Known only with the
 * live tables; a renamed live table, a partition or a table of another schema is not one.
 */
function madeByThePlan(name: string, {state, liveTables}: PostgresContext): boolean {
	return liveTables !== null && state.created.has(name) && !liveTables.has(name);
}
