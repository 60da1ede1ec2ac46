/**
 * The shape every check shares (DESIGN.md): `run(ctx, target) → { id, status, findings, data }`.
 * Results are plain serializable data so a worker can run a check and the store can keep it.
 */
import type { Resolver } from '../net/dns/types.ts';
import type { Dialer } from '../net/dialer/types.ts';

export type { Severity, CheckStatus, Fix, Finding, CheckResult } from './finding.ts';
export { worstSeverity, severityRank } from './finding.ts';
import type { CheckResult } from './finding.ts';

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
