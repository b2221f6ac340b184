export {openMigrator, type MigratorOptions} from './open-migrator.js';
export {MIGRATIONS_TABLE} from './migration-log.js';
export type {ModuleContext} from './load-module.js';
export {defaultLockPolicy} from './lock-policy.js';
