// Evaluated just before pg (see pg-driver.ts). pg asks whether it runs on Cloudflare Workers by
// building a `new Response(…)` when there is no `navigator` (Node 20 has none), and in Node the
// first touch of Response loads undici: 30 ms of every PostgreSQL command. With Response hidden
// while pg evaluates, pg takes Node's sockets, as it would have; Response is put back right after.
const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'Response');
const hidden = descriptor?.configurable === true;
if (hidden) {
	Object.defineProperty(globalThis, 'Response', {value: undefined, configurable: true, writable: true});
}

/** Puts Response back as it was (still lazy). */
export function restoreResponse(): void {
	if (hidden) {
		Object.defineProperty(globalThis, 'Response', descriptor);
	}
}
