// Preloaded with `node --import`: when the process exits, writes every module it loaded, one a
// line, to the file named by CUTOVER_MODULE_LOG. ESM modules are seen by a load hook, CommonJS
// ones (pg, better-sqlite3 and what they require) in require's cache, and the bundle's scripts
// (the console, run by cli/cached-script.ts) where vm.Script compiles them.
import {writeFileSync} from 'node:fs';
import {createRequire, register, syncBuiltinESMExports} from 'node:module';
import vm from 'node:vm';
import {MessageChannel} from 'node:worker_threads';

const logFile = process.env['CUTOVER_MODULE_LOG'];
if (logFile !== undefined) {
	const loaded = new Set<string>();
	const {port1, port2} = new MessageChannel();
	port1.on('message', (url: string) => loaded.add(url));
	port1.unref();
	const hook = `
		let port;
		export function initialize(data) { port = data.port; }
		export async function load(url, context, next) { port.postMessage(url); return next(url, context); }
	`;
	register(`data:text/javascript,${encodeURIComponent(hook)}`, {parentURL: import.meta.url, data: {port: port2}, transferList: [port2]});
	const require = createRequire(import.meta.url);
	const {Script} = vm;
	vm.Script = class extends Script {
		constructor(code: string, options?: vm.ScriptOptions | string) {
			super(code, options);
			const filename = typeof options === 'string' ? options : options?.filename;
			if (filename !== undefined) {
				loaded.add(filename);
			}
		}
	};
	// `import {Script} from 'node:vm'` in what runs next gets this one.
	syncBuiltinESMExports();
	process.on('exit', () => {
		for (const file of Object.keys(require.cache)) {
			loaded.add(file);
		}

		writeFileSync(logFile, [...loaded].join('\n') + '\n');
	});
}
