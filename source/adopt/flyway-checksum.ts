// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the one java.util.zip.CRC32 computes.
const table = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) {
			c = (c & 1) === 1 ? 0xED_B8_83_20 ^ (c >>> 1) : c >>> 1;
		}

		t[n] = c >>> 0;
	}

	return t;
})();

function update(crc: number, bytes: Uint8Array): number {
	let c = crc;
	for (const byte of bytes) {
		c = table[(c ^ byte) & 0xFF]! ^ (c >>> 8);
	}

	return c;
}

/**
 * The checksum Flyway stores in flyway_schema_history for a SQL migration: a CRC-32 fed with
 * the UTF-8 bytes of each line of the file without its line ending (lines as Java's
 * BufferedReader.readLine splits them: \n, \r\n or \r), a byte-order mark dropped, taken as a
 * signed 32-bit integer. So line endings do not change it, and neither does a final newline.
 */
export function flywayChecksum(text: string): number {
	const encoder = new TextEncoder();
	const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
	const lines = body.split(/\r\n|\r|\n/);
	// readLine gives no empty last line for a file that ends with a line break.
	if (lines.length > 0 && lines.at(-1) === '') {
		lines.pop();
	}

	let crc = 0xFF_FF_FF_FF;
	for (const line of lines) {
		crc = update(crc, encoder.encode(line));
	}

	return ((crc ^ 0xFF_FF_FF_FF) >>> 0) | 0;
}

/** The plain CRC-32 of some bytes, unsigned: to check the table against the standard check value. */
export function crc32(bytes: Uint8Array): number {
	return (update(0xFF_FF_FF_FF, bytes) ^ 0xFF_FF_FF_FF) >>> 0;
}
