/**
 * Imports a module that loads Ink. Ink's layout engine (yoga, WebAssembly) reads its own inlined
 * binary through fetch() when fetch exists, and in Node the first touch of fetch loads undici:
 * 30 to 40 ms of the console's first frame. With fetch hidden while the module evaluates, yoga
 * decodes the same bytes synchronously; fetch is put back as it was (still lazy) right after.
 */
export async function importWithoutFetch<T>(load: () => Promise<T>): Promise<T> {
	const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
	if (descriptor?.configurable !== true) {
		return load();
	}

	Object.defineProperty(globalThis, 'fetch', {value: undefined, configurable: true, writable: true});
	try {
		return await load();
	} finally {
		Object.defineProperty(globalThis, 'fetch', descriptor);
	}
}
