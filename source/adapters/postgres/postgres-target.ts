import type {Target} from '../../target.js';

export type PostgresTarget = Extract<Target, {engine: 'postgres'}>;
