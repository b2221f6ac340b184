import {Box, Text} from 'ink';
import type {Fingerprint} from '../../source/engine/model.js';
import {formatBytes, truncate} from '../format.js';

const ENGINE_NAME: Record<Fingerprint['engine'], string> = {
	postgres: 'PostgreSQL',
	sqlite: 'SQLite',
};

/** Which database this is, in two lines: what an operator compares against the change ticket. */
export function FingerprintLines({fingerprint, width}: {fingerprint: Fingerprint; width: number}) {
	const identity = fingerprint.engine === 'postgres'
		? `system identifier ${fingerprint.systemIdentifier ?? 'unknown'}${fingerprint.databaseOid === undefined ? '' : ` · database OID ${fingerprint.databaseOid}`}`
		: `path ${fingerprint.path ?? 'unknown'}${fingerprint.inode === undefined ? '' : ` · inode ${fingerprint.inode}`}`;
	return (
		<Box flexDirection='column'>
			<Text>{truncate(`Target  ${ENGINE_NAME[fingerprint.engine]} ${fingerprint.serverVersion} · database ${fingerprint.database} on ${fingerprint.host} · ${formatBytes(fingerprint.sizeBytes)}`, width)}</Text>
			<Text>{truncate(`        ${identity}`, width)}</Text>
		</Box>
	);
}
