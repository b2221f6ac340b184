export type {Database, QueryOptions, QueryOutcome, QueryResult} from './database.js';
export type {BackupTool, BackupRequest, ReplacedDatabase, RestoreOutcome, RestorePlan} from './backup-tool.js';
export type {Migrator, MigrationContext} from './migrator.js';
export type {Journal} from './journal.js';
export type {Clock} from './clock.js';
export type {ProcessRunner, ProcessResult} from './process-runner.js';
export type {Probes, ProbeOptions, HttpOutcome, CommandOutcome} from './probes.js';
export {DEFAULT_CHECK_TIMEOUT_MS} from './database.js';
