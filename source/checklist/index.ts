export {loadChecklist} from './load-checklist.js';
export {sqlFor} from './sql-for.js';
export type {CheckDefinition, Checklist} from './types.js';
