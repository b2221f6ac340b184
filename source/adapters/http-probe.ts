import type {HttpOutcome, ProbeOptions} from '../ports/probes.js';
import type {ResolvedHttp} from '../engine/probes.js';

/** Read at most this much of a body: a health page or an error fits many times; a download is not a probe. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * One request through node:http(s), no redirect followed (a 302 to a login page is the answer
 * to judge), no connection kept (the run exits cleanly), stopped at the timeout or on abort.
 */
export async function httpProbe(request: ResolvedHttp, options: ProbeOptions): Promise<HttpOutcome> {
	let url: URL;
	try {
		url = new URL(request.url);
	} catch {
		return {kind: 'failed', message: `"${request.url}" is not a URL`};
	}

	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		return {kind: 'failed', message: `${url.protocol} is not http: or https:`};
	}

	const headers: Record<string, string> = {};
	for (const [name, value] of request.headers) {
		const key = name.toLowerCase();
		headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
	}

	if (request.body !== undefined) {
		headers['content-length'] = String(Buffer.byteLength(request.body));
	}

	// Loaded on the first probe: https brings TLS, which the console's first frame does not need.
	const transport = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
	return new Promise<HttpOutcome>(resolve => {
		let settled = false;
		const finish = (outcome: HttpOutcome) => {
			if (!settled) {
				settled = true;
				clearTimeout(timer);
				options.signal?.removeEventListener('abort', onAbort);
				req.destroy();
				resolve(outcome);
			}
		};

		const onAbort = () => {
			finish({kind: 'stopped', reason: 'cancelled'});
		};

		const req = transport.request(url, {method: request.method, headers, agent: false}, response => {
			const chunks: Buffer[] = [];
			let size = 0;
			let truncated = false;
			const done = () => {
				finish({
					kind: 'answer',
					status: response.statusCode ?? 0,
					statusText: response.statusMessage ?? '',
					headers: Object.entries(response.headers).map(([n, v]): [string, string] => [n, Array.isArray(v) ? v.join(', ') : String(v)]),
					body: Buffer.concat(chunks).toString('utf8'),
					bodyTruncated: truncated,
				});
			};

			response.on('data', (chunk: Buffer) => {
				const room = MAX_BODY_BYTES - size;
				chunks.push(chunk.subarray(0, Math.max(0, room)));
				size += chunk.length;
				if (size >= MAX_BODY_BYTES) {
					truncated = size > MAX_BODY_BYTES;
					done();
				}
			});
			response.on('end', done);
			response.on('error', error => {
				finish({kind: 'failed', message: `the response broke off: ${error.message}`});
			});
		});
		const timer = setTimeout(() => {
			finish({kind: 'stopped', reason: 'timed-out'});
		}, options.timeoutMs);
		req.on('error', error => {
			finish({kind: 'failed', message: describeError(error, url)});
		});
		if (options.signal?.aborted) {
			onAbort();
			return;
		}

		options.signal?.addEventListener('abort', onAbort, {once: true});
		req.end(request.body);
	});
}

function describeError(error: NodeJS.ErrnoException, url: URL): string {
	const where = `${url.hostname}:${url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port}`;
	switch (error.code) {
		case 'ECONNREFUSED': {
			return `nothing listens at ${where} (connection refused): is the application running?`;
		}

		case 'ENOTFOUND':
		case 'EAI_AGAIN': {
			return `the host ${url.hostname} is not known (${error.code})`;
		}

		default: {
			return `the request to ${where} failed: ${error.message}`;
		}
	}
}
