export {CutoverError} from './cutover-error.js';
export {TargetError} from './target-error.js';
export {BackupError} from './backup-error.js';
export {MigrationError} from './migration-error.js';
export {IrreversibleMigrationError} from './irreversible-migration-error.js';
export {ChecklistError} from './checklist-error.js';
export {UsageError} from './usage-error.js';
export {RunLockedError, describeHolder} from './run-locked-error.js';
export {RecordWriteError, errnoCode, isNoRoom} from './record-write-error.js';
