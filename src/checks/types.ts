/**
 * The shape every check shares (DESIGN.md): `run(ctx, target) → { id, status, findings, data }`.
 * Results are plain serializable data so a worker can run a check and the store can keep it.
 */
import type { Resolver } from '../net/dns/types.ts';
import type { Dialer } from '../net/dialer/types.ts';

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

export interface RunOptions {
  timeoutMs: number;
  /** Skip every TCP connection (DNS only). */
  noProbe: boolean;
  /** DKIM selectors given by the user or found in messages. */
  selectors: string[];
  /** Spamhaus DQS key, Abusix key… */
  keys: Record<string, string>;
}

export interface Context {
  resolver: Resolver;
  dialer: Dialer;
  options: RunOptions;
  /** The run's clock (certificate days left, hop skew); tests may fix it. */
  now: () => Date;
}

export type Check<D = unknown> = (ctx: Context, target: string) => Promise<CheckResult<D>>;

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
