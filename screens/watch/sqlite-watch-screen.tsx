import {Box, Text} from 'ink';
import {useState} from 'react';
import type {SqliteWatchInfo} from '../../source/watch/types.js';
import {formatBytes, truncate} from '../format.js';
import {HelpOverlay} from '../help-overlay.js';
import {sqliteWatchKeyHelp} from '../key-help.js';
import {useKeys} from '../use-keys.js';

type Props = {
	info: SqliteWatchInfo | null;
	error: string | null;
	width: number;
	interactive: boolean;
	onQuit: () => void;
};

/** SQLite has no sessions to list: say so, and show what the file tells. */
export function SqliteWatchScreen({info, error, width, interactive, onQuit}: Props) {
	const [help, setHelp] = useState(false);
	useKeys((input, key) => {
		if (input === 'q') {
			onQuit();
		} else if (input === '?' || key.f1) {
			setHelp(shown => !shown);
		} else if (key.escape) {
			setHelp(false);
		}
	}, {isActive: interactive});
	const busy = info?.locks === null || info === null
		? 'unknown (the kernel lock table cannot be read here)'
		: info.locks.writer.length > 0
			? `yes: a write transaction is open (pid ${info.locks.writer.join(', ')})`
			: info.hotJournal ? 'a rollback journal is present (a write is under way or was interrupted)' : 'no writer';
	const title = <Text bold>{truncate(`cutover watch · sqlite:${info?.path ?? ''}`, width)}</Text>;
	if (help) {
		return (
			<Box flexDirection="column" width={width}>
				{title}
				<HelpOverlay keys={sqliteWatchKeyHelp} width={width}/>
			</Box>
		);
	}

	return (
		<Box flexDirection="column" width={width}>
			{title}
			<Text>{truncate('Live locks and sessions are a PostgreSQL view; a SQLite file has one writer at a time and no server to ask.', width)}</Text>
			{info === null ? null : (
				<>
					<Text>{truncate(`file ${formatBytes(info.fileBytes)}${info.pageCount === null ? '' : ` (${info.pageCount} pages of ${info.pageSize ?? '?'} B)`}  journal mode ${info.journalMode === 'wal' ? 'WAL' : 'rollback journal'}${info.walBytes === null ? '' : `  WAL ${formatBytes(info.walBytes)}`}`, width)}</Text>
					<Text>{truncate(`busy: ${busy}`, width)}</Text>
					{info.locks === null || info.locks.readers.length === 0 ? null : <Text>{truncate(`readers: pid ${info.locks.readers.join(', ')}`, width)}</Text>}
				</>
			)}
			{error === null ? null : <Text color="red">{truncate(error, width)}</Text>}
			<Text dimColor>{interactive ? '? keys · q quit' : 'q quit'}</Text>
		</Box>
	);
}
