/** The SSH wire encoding (RFC 4251 §5) for the few shapes keys and signatures need. */
export function sshString(value: Buffer | string): Buffer {
	const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
	const length = Buffer.alloc(4);
	length.writeUInt32BE(bytes.length);
	return Buffer.concat([length, bytes]);
}

export function sshUint32(value: number): Buffer {
	const bytes = Buffer.alloc(4);
	bytes.writeUInt32BE(value);
	return bytes;
}

/** Reads wire fields in order; throws a plain Error naming what ran out, for the caller to wrap. */
export class WireReader {
	#offset = 0;

	constructor(private readonly bytes: Buffer) {}

	raw(length: number, what: string): Buffer {
		if (this.#offset + length > this.bytes.length) {
			throw new Error(`${what} runs past the end`);
		}

		const value = this.bytes.subarray(this.#offset, this.#offset + length);
		this.#offset += length;
		return value;
	}

	uint32(what: string): number {
		return this.raw(4, what).readUInt32BE();
	}

	string(what: string): Buffer {
		return this.raw(this.uint32(what), what);
	}

	get done(): boolean {
		return this.#offset === this.bytes.length;
	}
}
