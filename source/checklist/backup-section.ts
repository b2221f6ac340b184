import type {BackupPolicy} from '../ports/backup-tool.js';
import type {Validator} from './validator.js';

export const BACKUP_KEYS = ['format', 'parallel-threshold', 'jobs', 'compression'] as const;
export const BACKUP_FORMATS: ReadonlyArray<BackupPolicy['format']> = ['auto', 'custom', 'directory'];
/** Past this many jobs a dump mostly waits for the disk and holds connections the application may need. */
export const MAX_BACKUP_JOBS = 32;

/**
 * `backup: {format: auto, parallel-threshold: 1GB, jobs: 2, compression: 1}`, every key optional:
 * how a PostgreSQL backup is made (SQLite's online backup has no such choices).
 */
export function readBackup(value: unknown, v: Validator): Partial<BackupPolicy> | null {
	if (value === undefined || value === null) {
		return null;
	}

	const map = v.object(value, ['backup'], {required: [], optional: BACKUP_KEYS});
	const policy: Partial<BackupPolicy> = {};
	const format = map['format'];
	if (format !== undefined) {
		if (typeof format !== 'string' || !(BACKUP_FORMATS as readonly string[]).includes(format)) {
			v.fail(['backup', 'format'], `expected one of ${BACKUP_FORMATS.join(', ')} (auto: directory format with parallel jobs from parallel-threshold up), found ${JSON.stringify(format) ?? 'nothing'}`);
		}

		policy.format = format as BackupPolicy['format'];
	}

	if (map['parallel-threshold'] !== undefined) {
		policy.parallelThresholdBytes = v.size(map['parallel-threshold'], ['backup', 'parallel-threshold'], 1024 ** 5);
	}

	if (map['jobs'] !== undefined) {
		policy.jobs = v.count(map['jobs'], ['backup', 'jobs'], {min: 1, max: MAX_BACKUP_JOBS});
	}

	if (map['compression'] !== undefined) {
		policy.compression = v.count(map['compression'], ['backup', 'compression'], {min: 0, max: 9});
	}

	if (policy.parallelThresholdBytes !== undefined && policy.format !== undefined && policy.format !== 'auto') {
		v.fail(['backup', 'parallel-threshold'], `parallel-threshold chooses between the formats, and format: ${policy.format} leaves no choice: remove one of them`);
	}

	return policy;
}
