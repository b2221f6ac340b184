import type {RunEvent} from '../engine/events.js';
import type {LiveSchema} from '../engine/model.js';
import {describeBackfill} from '../engine/backfill-words.js';
import {isKnownKind} from '../engine/event-kinds.js';
import {dangerLines, describeCounts} from '../engine/lock-impact-summary.js';
import {describeFolder, describeSkipped} from '../engine/folder-note.js';
import type {MigrationFolderNote} from '../engine/model.js';
import {describeDecision} from '../engine/reduce.js';
import {summarizeSnapshot} from '../snapshot/format-diff.js';
import {describeLevels, describeSpan, formatFigure, type ObservedFigure} from '../engine/observation.js';

const size = (bytes: number) => bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} kB` : `${bytes} B`;

/** One grep-able line per event, for --plain and for reading a record without the console. */
export function describeEvent(event: RunEvent): string {
	switch (event.type) {
		case 'run.started': {
			return `run ${event.runId} by ${event.operator.name} (${event.operator.osUser}@${event.host}) on ${event.databases === undefined ? event.target : `${event.databases.length} databases (${event.databases.map(d => `${d.name}: ${d.target}`).join(', ')})`}, checklist ${event.checklist.name} (${event.checklist.path}), migrations from ${event.migrationsDir}, cutover ${event.toolVersion}, ${event.signer === null ? 'unsigned' : `signed by ${event.signer.keyId}`}`;
		}

		case 'target.fingerprinted': {
			const f = event.fingerprint;
			return `${f.engine} ${f.serverVersion} database ${f.database} on ${f.host}, ${size(f.sizeBytes)}${f.systemIdentifier ? `, system identifier ${f.systemIdentifier}` : ''}${f.databaseOid ? `, database OID ${f.databaseOid}` : ''}${f.path ? `, ${f.path}` : ''}${f.inode ? ` (device ${f.device ?? '?'}, inode ${f.inode})` : ''}`;
		}

		case 'migrations.planned': {
			const drift = event.applied.filter(m => m.drift !== 'none').map(m => `${m.name} ${m.drift}`);
			const live = event.adoption === undefined ? '' : `; LIVE DATABASE WITHOUT HISTORY: ${describeLiveSchema(event.adoption)}`;
			return `applied: ${event.applied.map(m => m.name).join(', ') || 'none'}; pending: ${event.pending.map(m => `${m.name}${m.reversible ? '' : ' (irreversible)'}${m.wrapperAbsorbed === true ? ' (BEGIN/COMMIT wrapper absorbed)' : ''}${noTransactionNote(m.noTransaction)}`).join(', ') || 'none'}${drift.length > 0 ? `; DRIFT: ${drift.join(', ')}` : ''}${folderWords(event)}${live}`;
		}

		case 'adoption.planned': {
			const from = event.action === 'import' ? `import from ${event.tool ?? 'no history table'}` : `baseline to ${event.to ?? '?'}`;
			const rows = event.rows.map(r => `${r.file ?? '(no file)'} ← ${r.history ?? '(not in history)'}: ${r.status}${r.detail === '' ? '' : ` (${r.detail})`}`);
			const problems = event.problems.length === 0 ? 'no mismatch' : `MISMATCH: ${event.problems.map(p => p.detail).join('; ')}`;
			return `${from}: ${rows.join('; ') || 'no rows'}; ${problems}${event.notes.length > 0 ? `; notes: ${event.notes.join('; ')}` : ''}`;
		}

		case 'adoption.written': {
			return `wrote ${event.names.length} row${event.names.length === 1 ? '' : 's'} into cutover_migrations without running them: ${event.names.join(', ') || 'none'}`;
		}

		case 'window.planned': {
			return `window from ${new Date(event.startsAt).toISOString()} for ${event.expectedMinutes} min; preparation: ${event.prep.map(p => p.text).join('; ')}${event.checks ? `; checks: ${event.checks.pre} before, ${event.checks.post} after the upgrade` : ''}`;
		}

		case 'command.started': {
			return `${event.purpose}: $ ${event.command}`;
		}

		case 'command.output': {
			return `  ${event.line}`;
		}

		case 'command.finished': {
			return `exit ${event.exitCode} after ${event.durationMs} ms`;
		}

		case 'backup.started': {
			return `backup (${event.method}) to ${event.path}`;
		}

		case 'backup.progress': {
			const p = event.progress;
			// First: a count can wait for a lock, and a narrow replay bar keeps the start of the line.
			const parts = p.countingTable ? [`counting rows of ${p.countingTable}`, size(p.bytes)] : [size(p.bytes)];
			if (p.tablesTotal !== undefined) {
				parts.push(`tables ${p.tablesDone ?? 0}/${p.tablesTotal}`);
			}

			if (p.currentTable) {
				parts.push(p.currentTable);
			}

			if (p.pagesTotal !== undefined) {
				parts.push(`pages ${p.pagesDone ?? 0}/${p.pagesTotal}`);
			}

			return parts.join(', ');
		}

		case 'backup.finished': {
			const a = event.artifact;
			const compression = a.compression === undefined ? '' : a.compression.method === 'none' ? ', uncompressed' : `, ${a.compression.method} level ${a.compression.level}`;
			return a.format === 'pg-directory'
				? `backup ${a.path}: directory of ${a.files?.length ?? 0} files, ${size(a.bytes)}, ${a.jobs ?? 1} jobs${compression}, manifest sha256 ${a.sha256}, ${event.durationMs} ms`
				: `backup ${a.path}: ${size(a.bytes)}, sha256 ${a.sha256}${compression}, ${event.durationMs} ms`;
		}

		case 'backup.failed': {
			return `backup FAILED: ${event.error}`;
		}

		case 'verify.finished': {
			return `${event.verification.ok ? 'verified' : 'verification FAILED'}: ${event.verification.items.map(i => `${i.ok ? 'ok' : 'FAIL'} ${i.name} (${i.detail})`).join('; ')}`;
		}

		case 'check.finished': {
			const r = event.result;
			return `${r.phase} ${r.id}: ${r.verdict.toUpperCase()}${r.blocking ? '' : ' (warn)'}: ${r.detail}`;
		}

		case 'baseline.captured': {
			return `baseline: ${Object.entries(event.counts).map(([t, n]) => `${t}=${n}`).join(' ') || 'no tables yet'}`;
		}

		case 'upgrade.started': {
			return `upgrade: ${event.names.join(', ')}`;
		}

		case 'migration.started': {
			return `${event.direction} ${event.name}`;
		}

		case 'migration.finished': {
			return `${event.direction} ${event.name} done in ${event.durationMs} ms`;
		}

		case 'migration.failed': {
			const took = event.tookEffect === undefined ? '' : ` [outside a transaction: ${event.tookEffect.statements === 0 ? 'no statement' : (event.tookEffect.statements === 1 ? 'statement 1' : `statements 1..${event.tookEffect.statements}`)}${event.tookEffect.total === null ? '' : ` of ${event.tookEffect.total}`} took effect]`;
			return `${event.direction} ${event.name} FAILED: ${event.error}${event.statement ? ` in: ${event.statement.replaceAll(/\s+/g, ' ')}` : ''}${took}`;
		}

		case 'upgrade.finished': {
			return event.ok ? 'upgrade finished' : 'upgrade stopped';
		}

		case 'post.compared': {
			const changed = event.diff.filter(d => d.delta !== 0 || d.before === null || d.after === null);
			// A table the upgrade made has no count before; one it dropped, none after.
			return `row counts vs baseline: ${changed.map(d => d.before === null ? `${d.table} new (${d.after ?? 0} rows)` : `${d.table} ${d.before}→${d.after ?? 'dropped'}`).join(', ') || 'no change'}`;
		}

		case 'rollback.offered': {
			return `rollback offered (${event.reason}): ${event.options.map(o => `${o.choice}${o.available ? '' : ' [unavailable]'}: ${o.action}; cost: ${o.cost}`).join(' | ')}`;
		}

		case 'rollback.finished': {
			return `${event.choice} ${event.ok ? 'done' : 'FAILED'}: ${event.detail}`;
		}

		case 'migration.retrying': {
			return `up ${event.name} attempt ${event.attempt}/${event.maxAttempts} failed (${event.error}); retrying in ${event.waitMs} ms`;
		}

		case 'watch.sampled': {
			const w = event.sample.waiters;
			return w.length === 0 ? 'no session waits for a lock' : `${w.length + event.sample.more} waiting: ${w.map(x => `pid ${x.pid} ${Math.round(x.waitingMs / 1000)} s behind ${x.blockedBy.join(',') || '?'}`).join('; ')}`;
		}

		case 'backend-action.finished': {
			return `${event.action} backend ${event.pid}: ${event.ok ? 'done' : 'NOT DONE'}: ${event.detail}`;
		}

		case 'run.interrupted': {
			return `run interrupted by ${event.signal} in ${event.step}: ${event.detail}`;
		}

		case 'run.resumed': {
			return `run resumed by ${event.operator.name} (${event.operator.osUser}@${event.host}): ${event.reconciliation.join('; ')}`;
		}

		case 'error': {
			return `ERROR in ${event.step}: ${event.message}`;
		}

		case 'run.finished': {
			const after = event.versionAfterUnknown === undefined ? event.versionAfter ?? 'none' : `unknown (${event.versionAfterUnknown})`;
			return `run finished: ${event.outcome}; version ${event.versionBefore ?? 'none'} → ${after}`;
		}

		case 'maintenance.left-on': {
			return `maintenance mode left on: ${event.reason}`;
		}

		case 'database.replaced': {
			return `database "${event.database}" is now the restored copy (OID ${event.oid}, was ${event.previousOid}); the replaced database is kept as "${event.keptAs}"`;
		}

		case 'preflight.finished': {
			const failed = event.items.filter(i => !i.ok);
			const list = event.items.map(i => `${i.ok ? 'ok' : (i.blocking ? 'FAIL' : 'WARN')} ${i.title} (${i.detail})`).join('; ');
			return `preflight ${failed.length === 0 ? 'passed' : `FAILED (${failed.length} of ${event.items.length})`}: ${list}`;
		}

		case 'check.started': {
			const first = event.sql.trim().split('\n')[0] ?? '';
			return `${event.phase} ${event.id}: running (timeout ${event.timeoutMs / 1000} s): ${first.length > 100 ? `${first.slice(0, 99)}…` : first}`;
		}

		case 'run-lock.lost': {
			return `RUN LOCK LOST: ${event.detail}; stopping at the next safe point`;
		}

		case 'run-lock.retaken': {
			return `run lock retaken: ${event.detail}`;
		}

		case 'migrations.history': {
			const files = [...new Set(event.expected.map(e => e.from))];
			return `earlier runs took ${event.expected.map(e => `${e.name} ${e.durationMs} ms`).join(', ')} (from ${files.join(', ')})`;
		}

		case 'migration.statement-started': {
			// The comments above it (the file's directives, for the first one) are no part of what it does.
			const first = event.statement.replace(/^(?:\s*(?:--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/))*/, '').replaceAll(/\s+/g, ' ').trim();
			return `${event.direction} ${event.name} statement ${event.index}${event.total === null ? '' : ` of ${event.total}`}: ${first.length > 100 ? `${first.slice(0, 99)}…` : first}`;
		}

		case 'migration.statement-finished': {
			return `${event.direction} ${event.name} statement ${event.index}${event.total === null ? '' : ` of ${event.total}`} committed in ${event.durationMs} ms`;
		}

		case 'invalid-index.found': {
			return `${event.name}: INVALID index${event.indexes.length === 1 ? '' : 'es'} left by an earlier CREATE INDEX CONCURRENTLY: ${event.indexes.map(i => `${i.qualified} on ${i.table}`).join(', ')}`;
		}

		case 'invalid-index.dropped': {
			return `${event.name}: drop of INVALID index ${event.index} ${event.ok ? 'done' : 'FAILED'}: ${event.detail}`;
		}

		case 'snapshot.taken': {
			const c = event.compared;
			// After a downgrade, what matters is whether the schema is the one before the upgrade: rollback.finished says, naming what was left.
			const compared = c === undefined || event.phase === 'downgraded' ? '' : `; against the one before: ${c.added} added, ${c.removed} removed, ${c.changed} changed, ${c.unexpected.length === 0 ? 'no unexpected change' : `UNEXPECTED: ${c.unexpected.join('; ')}`}`;
			const when = event.phase === 'downgraded' ? 'after the downgrade' : `${event.phase} the upgrade`;
			return `snapshot ${when}: ${summarizeSnapshot(event.snapshot)}${compared}`;
		}

		case 'observation.started': {
			const judged = Object.keys(event.thresholds);
			return `observation period${event.resumed === true ? ' resumed' : ''}: ${describeSpan(event.durationMs)}, until ${new Date(event.endsAt).toISOString()}, figures read every ${describeSpan(event.everyMs)}; thresholds from the ${event.thresholdsFrom === 'runbook' ? 'runbook' : 'maintenance handbook (the runbook names none)'}: ${judged.join(', ') || 'none'}`;
		}

		case 'observation.sample': {
			return event.error === undefined ? event.figures.map(figureWords).join('; ') || 'no figure judged' : `the figures could not be read: ${event.error}`;
		}

		case 'observation.breach': {
			return `BREACH ${event.figure.name} ${event.figure.level.toUpperCase()} (was ${event.previous}): ${event.figure.detail} (${describeLevels(event.figure)})`;
		}

		case 'lint.findings': {
			const standing = event.findings.filter(f => f.allowed === null);
			const errors = standing.filter(f => f.severity === 'error').length;
			const list = event.findings.map(f => `${f.file}:${f.line} ${f.rule}${f.allowed === null ? ` (${f.severity})` : ` (allowed: ${f.allowed})`}`);
			return event.failure === null
				? `lint of the pending migrations: ${errors} error${errors === 1 ? '' : 's'}, ${standing.length - errors} warning${standing.length - errors === 1 ? '' : 's'}, ${event.findings.length - standing.length} allowed${list.length > 0 ? `: ${list.join('; ')}` : ''}`
				: `lint of the pending migrations could not run: ${event.failure}`;
		}

		case 'lock-impact.started': {
			return 'measuring the locks of the pending migrations on a throwaway copy of the schema';
		}

		case 'lock-impact.traced': {
			const danger = dangerLines(event.report);
			return `locks measured on a copy: ${describeCounts(event.report)}${danger.length > 0 ? `; ${danger.join('; ')}` : ''}${event.left === null ? '' : `; ${event.left}`}`;
		}

		case 'lock-impact.failed': {
			return `locks not traced: ${event.reason}`;
		}

		case 'observation.finished': {
			const why = {elapsed: 'its time elapsed', 'ended-early': 'ended early by the operator', rollback: 'the operator went to the rollback prompt', interrupted: 'the run was stopped', skipped: 'skipped by the operator\'s flag'}[event.reason];
			return `observation period over after ${describeSpan(event.observedMs)}: ${why ?? event.reason}; ${event.breaches} breach${event.breaches === 1 ? '' : 'es'}`;
		}

		case 'database.event': {
			return `[${event.database}] ${describeEvent(event.event)}`;
		}

		case 'databases.versions': {
			const each = event.versions.map(v => `${v.database} at ${v.unknown === undefined ? v.version ?? 'an empty schema' : `unknown (${v.unknown})`}${v.expected === v.version ? '' : ` (expected ${v.expected ?? 'an empty schema'})`}`).join(', ');
			return `${event.consistent ? 'versions consistent' : 'VERSIONS INCONSISTENT'}: ${each}${event.problems.length > 0 ? `; ${event.problems.join('; ')}` : ''}`;
		}

		case 'migration.backfill-progress': {
			return `${event.direction} ${event.name} ${describeBackfill(event)}`;
		}

		default: {
			return isKnownKind(event.type)
				? `operator ${describeDecision(event)}`
				: `event of a kind this cutover does not know (${String(event.type)}); a newer cutover may have written it`;
		}
	}
}

function figureWords(figure: ObservedFigure): string {
	return figure.level === 'not-applicable'
		? `${figure.name} not applicable (${figure.detail})`
		: `${figure.name} ${figure.level} ${formatFigure(figure.unit, figure.value)} (${figure.detail})`;
}

/** How the folder was read, for records that say (from before, nothing). */
function folderWords(note: MigrationFolderNote): string {
	const folder = describeFolder(note);
	const skipped = describeSkipped(note, null);
	return `${folder === null ? '' : `; ${folder}`}${skipped === null ? '' : `; ${skipped}`}`;
}

function noTransactionNote(info: {statements: number | null; notRetrySafe: Array<{index: number; why: string}>} | undefined): string {
	if (info === undefined) {
		return '';
	}

	const unsafe = info.notRetrySafe.map(u => `statement ${u.index}: ${u.why}`).join('; ');
	return ` (no transaction${info.statements === null ? '' : `, ${info.statements} statement${info.statements === 1 ? '' : 's'}`}${unsafe === '' ? '' : `; not safe to retry: ${unsafe}`})`;
}

/** What the window says of a database that has a schema but no cutover history. */
export function describeLiveSchema(live: LiveSchema): string {
	const tables = `${live.tableCount} table${live.tableCount === 1 ? '' : 's'} (${live.tables.join(', ')}${live.tableCount > live.tables.length ? ', …' : ''})`;
	const found = live.histories.length === 0 ? 'no other tool\'s history table' : `history of ${live.histories.join(', ')}`;
	return `it has ${tables} and no cutover_migrations, with ${found}; running the migrations from the first on it would apply the schema again. Instead: ${live.commands.join('  or  ')}`;
}
