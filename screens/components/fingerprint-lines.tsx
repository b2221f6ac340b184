import {Box, Text} from 'ink';
import type {Fingerprint} from '../../source/engine/model.js';
import {formatBytes} from '../format.js';

const ENGINE_NAME: Record<Fingerprint['engine'], string> = {
	postgres: 'PostgreSQL',
	sqlite: 'SQLite',
};

/** The two texts the fingerprint lines show, so a screen can count the rows they wrap onto. */
export function fingerprintTexts(fingerprint: Fingerprint): {target: string; identity: string} {
	const identity = fingerprint.engine === 'postgres'
		? `system identifier ${fingerprint.systemIdentifier ?? 'unknown'}${fingerprint.databaseOid === undefined ? '' : ` · database OID ${fingerprint.databaseOid}`}`
		: `path ${fingerprint.path ?? 'unknown'}${fingerprint.inode === undefined ? '' : ` · inode ${fingerprint.inode}`}`;
	return {target: `Target  ${ENGINE_NAME[fingerprint.engine]} ${fingerprint.serverVersion} · database ${fingerprint.database} on ${fingerprint.host} · ${formatBytes(fingerprint.sizeBytes)}`, identity};
}

/** Which database this is, in two lines: what an operator compares against the change ticket. */
export function FingerprintLines({fingerprint, width}: {fingerprint: Fingerprint; width: number}) {
	const {target, identity} = fingerprintTexts(fingerprint);
	return (
		<Box flexDirection='column'>
			{/* Wrapped, never cut: the size and the identity are what the operator checks against the ticket. */}
			<Text wrap='wrap'>{target}</Text>
			<Box paddingLeft={8} width={width}><Text wrap='wrap'>{identity}</Text></Box>
		</Box>
	);
}
