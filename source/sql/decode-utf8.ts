/**
 * Decodes a file's bytes as UTF-8 and refuses anything else: a replacement character in
 * place of a byte would be applied to the database as if it were the author's text. A byte
 * order mark is kept, as reading the file as text always kept it, so checksums stay the same.
 */
export function decodeUtf8(bytes: Uint8Array): {text: string} | {offset: number} {
	try {
		return {text: new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(bytes)};
	} catch {
		return {offset: firstInvalidByte(bytes)};
	}
}

/** Offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629): a Latin-1 é is named, not the letter after it. */
export function firstInvalidByte(bytes: Uint8Array): number {
	let i = 0;
	while (i < bytes.length) {
		const lead = bytes[i]!;
		if (lead < 0x80) {
			i++;
			continue;
		}

		const length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
		if (length === 0) {
			return i;
		}

		// The second byte's range rules out overlong forms, surrogates and code points above U+10FFFF.
		const low = lead === 0xE0 ? 0xA0 : lead === 0xF0 ? 0x90 : 0x80;
		const high = lead === 0xED ? 0x9F : lead === 0xF4 ? 0x8F : 0xBF;
		for (let k = 1; k < length; k++) {
			const byte = bytes[i + k];
			if (byte === undefined || byte < (k === 1 ? low : 0x80) || byte > (k === 1 ? high : 0xBF)) {
				return i;
			}
		}

		i += length;
	}

	return bytes.length;
}

/** 1-based line of a byte offset. */
export function lineOfOffset(bytes: Uint8Array, offset: number): number {
	let line = 1;
	for (let i = 0; i < offset && i < bytes.length; i++) {
		if (bytes[i] === 0x0A) {
			line++;
		}
	}

	return line;
}
