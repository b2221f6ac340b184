import type {CommandAnswer, HttpAnswer} from '../engine/judge-probes.js';
import type {ResolvedHttp} from '../engine/probes.js';

/** How a probe ended when it did not answer: stopped at its timeout or by the operator, or it could not be made (refused, no such program). */
export type ProbeStop = {kind: 'stopped'; reason: 'timed-out' | 'cancelled'} | {kind: 'failed'; message: string};

export type HttpOutcome = ({kind: 'answer'} & HttpAnswer) | ProbeStop;
/** A stopped command still has the output it wrote before it was stopped. */
export type CommandOutcome = ({kind: 'answer'} & CommandAnswer) | (ProbeStop & {output: string});

export type ProbeOptions = {timeoutMs: number; signal?: AbortSignal};

/** What the run needs to ask an HTTP endpoint or a command, and where `${env:NAME}` is read. */
export type Probes = {
	http(request: ResolvedHttp, options: ProbeOptions): Promise<HttpOutcome>;
	/** A command line runs through the shell; an argument list runs the program directly. */
	command(run: string | string[], options: ProbeOptions): Promise<CommandOutcome>;
	/** A variable of the environment cutover runs in; undefined when it is not set. */
	env(name: string): string | undefined;
};
