/**
 * The terminal vocabulary every text renderer shares: colours, one mark per severity or status.
 * Colour only for a person at a terminal: picocolors alone also colours piped output when CI is
 * set, which breaks `| grep` and saved reports. NO_COLOR and FORCE_COLOR are honoured.
 */
import picocolors from 'picocolors';
import type { CheckStatus, Severity } from '../checks/finding.ts';

export const pc = picocolors.createColors(picocolors.isColorSupported && (process.stdout.isTTY === true || !!process.env.FORCE_COLOR));

export const MARK: Record<Severity | 'unknown' | 'skipped', string> = {
  ok: pc.green('✔'), info: pc.blue('ℹ'), warn: pc.yellow('▲'), error: pc.red('✖'), critical: pc.red(pc.bold('✖')), unknown: pc.magenta('?'), skipped: pc.dim('-'),
};

export function paint(severity: Severity | CheckStatus, text: string): string {
  if (severity === 'critical' || severity === 'error') return pc.red(text);
  if (severity === 'warn') return pc.yellow(text);
  if (severity === 'ok') return pc.green(text);
  if (severity === 'unknown') return pc.magenta(text);
  return text;
}
