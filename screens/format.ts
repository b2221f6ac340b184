// Small, pure formatting for narrow terminals. No colour here: symbols carry the meaning.

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 1234567 → "1.2 MB" (SI units, as `ls -lh --si` and most dashboards print them). */
export function formatBytes(bytes: number): string {
	let value = bytes;
	let unit = 0;
	while (Math.abs(value) >= 1000 && unit < UNITS.length - 1) {
		value /= 1000;
		unit++;
	}

	return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** 850 → "850 ms", 12_300 → "12 s", 184_000 → "3 m 04 s", 3_720_000 → "1 h 02 m". */
export function formatDuration(ms: number): string {
	if (ms < 1000) {
		return `${Math.max(0, Math.round(ms))} ms`;
	}

	const seconds = Math.round(ms / 1000);
	if (seconds < 60) {
		return `${seconds} s`;
	}

	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) {
		return `${minutes} m ${String(seconds % 60).padStart(2, '0')} s`;
	}

	return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}

/** Local wall-clock time, "2026-11-22 14:05". */
export function formatClock(ms: number): string {
	const d = new Date(ms);
	const two = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** The first 12 hex digits of a checksum: enough to compare by eye. */
export const shortHash = (hex: string): string => hex.slice(0, 12);

/** Cuts to `width` characters, marking the cut with "…". */
export function truncate(text: string, width: number): string {
	const chars = [...text];
	if (chars.length <= width) {
		return text;
	}

	return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
}

/** Cuts from the start, keeping the end (a path's file name and folder): `…/checklists/production.yaml`. */
export function truncateStart(text: string, width: number): string {
	const chars = [...text];
	if (chars.length <= width) {
		return text;
	}

	return width <= 1 ? chars.slice(chars.length - width).join('') : `…${chars.slice(chars.length - width + 1).join('')}`;
}

/** Pads or cuts to exactly `width` characters. */
export const fit = (text: string, width: number): string => {
	const cut = truncate(text, width);
	return cut + ' '.repeat(Math.max(0, width - [...cut].length));
};

/** Collapses a multi-line text (SQL, error messages) to its first lines, each cut to width. */
export function firstLines(text: string, lines: number, width: number): string[] {
	const all = text.split('\n').map(l => l.trimEnd()).filter(l => l.trim() !== '');
	const shown = all.slice(0, lines).map(l => truncate(l.replaceAll('\t', '  '), width));
	if (all.length > lines && shown.length > 0) {
		shown[shown.length - 1] = truncate(`${shown.at(-1) ?? ''} …`, width);
	}

	return shown;
}

export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** Words wrapped to `width`, at most `max` lines (the last one cut with …); words longer than a line are broken. */
export function wrapWords(text: string, width: number, max = Infinity): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/).filter(w => w !== '')) {
		if (line !== '' && line.length + 1 + word.length > width) {
			lines.push(line);
			line = '';
		}

		line = line === '' ? word : `${line} ${word}`;
		while (line.length > width) {
			lines.push(line.slice(0, width));
			line = line.slice(width);
		}
	}

	lines.push(line);
	if (max <= 0) {
		return [];
	}

	return lines.length > max ? [...lines.slice(0, max - 1), truncate(lines.slice(max - 1).join(' '), width)] : lines;
}
