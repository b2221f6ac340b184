/** "[██████░░░░░░]  50%": a bar that reads the same without colour. */
export function progressBar(fraction: number, width: number): string {
	const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
	const filled = Math.round(clamped * width);
	return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.floor(clamped * 100)).padStart(3)}%`;
}
