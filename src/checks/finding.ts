/**
 * What a check reports: findings and results as plain data. No Node types here, so the web UI
 * reads the same definitions the engine writes.
 */

export type Severity = 'ok' | 'info' | 'warn' | 'error' | 'critical';

/** `unknown` when a check could not decide (DNS failure, could not connect): never reported as ok. */
export type CheckStatus = Severity | 'unknown' | 'skipped';

export interface Fix {
  text: string;
  dns?: { name: string; type: string; value: string }[];
  links?: string[];
}

export interface Finding {
  /** `check.code`, e.g. `spf.too-many-lookups`. Stable: rules and tests match on it. */
  id: string;
  severity: Severity;
  title: string;
  detail: string;
  data?: Record<string, unknown>;
  fix?: Fix;
  /** Transcript ids of the DNS answers this finding rests on. */
  dns?: number[];
}

export interface CheckResult<D = unknown> {
  id: string;
  status: CheckStatus;
  findings: Finding[];
  data: D;
}

const ORDER: Severity[] = ['ok', 'info', 'warn', 'error', 'critical'];

/** The worst severity among findings (`ok` when there are none). */
export function worstSeverity(findings: readonly Finding[]): Severity {
  let worst = 0;
  for (const f of findings) worst = Math.max(worst, ORDER.indexOf(f.severity));
  return ORDER[worst] ?? 'ok';
}

export function severityRank(s: Severity): number {
  return ORDER.indexOf(s);
}
