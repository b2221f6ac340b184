import type {Entry} from '../engine/events.js';
import {canonicalJson} from '../journal/canonical-json.js';

/**
 * `--json`: one entry per line, {seq, at, event}, as the record holds it (canonical JSON), for
 * CI systems that read them. What the record never holds (a password given in the URL) is
 * replaced by *** here too, in its JSON-escaped form so the line stays valid JSON.
 */
export function formatJsonLine(entry: Entry, secrets: readonly string[] = []): string {
	let line = canonicalJson({seq: entry.seq, at: entry.at, event: entry.event});
	for (const secret of secrets.filter(s => s.length > 0)) {
		line = line.split(JSON.stringify(secret).slice(1, -1)).join('***');
	}

	return line;
}
