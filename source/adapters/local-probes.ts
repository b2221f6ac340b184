import type {Probes} from '../ports/probes.js';
import {commandProbe} from './command-probe.js';
import {httpProbe} from './http-probe.js';

/** Probes from this machine, with the variables of the environment cutover was started in. */
export function localProbes(env: NodeJS.ProcessEnv = process.env): Probes {
	return {
		http: httpProbe,
		command: commandProbe,
		env: name => env[name],
	};
}
