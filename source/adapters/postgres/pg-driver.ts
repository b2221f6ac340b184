// The one value import of pg. Modules evaluate in import order, synchronously: Response is hidden
// for pg's evaluation alone (see response-hidden.ts), with no await in between for other code to see it.
import {restoreResponse} from './response-hidden.js';
import pg from 'pg';

restoreResponse();

export default pg;
