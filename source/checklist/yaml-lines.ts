import {isNode, LineCounter, type Document} from 'yaml';

export type PathSegment = string | number;

/** Finds the line a value sits on, so an error can say where to look; null when it is not in the file (a missing key). */
export function lineFinder(document: Document, counter: LineCounter): (path: readonly PathSegment[]) => number | null {
	return path => {
		const node = path.length === 0 ? document.contents : document.getIn(path, true);
		if (!isNode(node) || !node.range) {
			return null;
		}

		return counter.linePos(node.range[0]).line;
	};
}

/** checks.pre[2].expect */
export function formatPath(path: readonly PathSegment[]): string {
	return path.reduce<string>((text, segment) => typeof segment === 'number' ? `${text}[${segment}]` : text === '' ? segment : `${text}.${segment}`, '');
}
