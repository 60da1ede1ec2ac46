/**
 * Judgements on a valid DMARC record: what leaves the domain or its subdomains spoofable, and what
 * RFC 9989 receivers will ignore. Naive checks mistake `sp=none` for `p=none` (CORRECTNESS.md);
 * here each tag is read by name. A documented rollout (p=none with reports) is a warning, not a failure.
 */
import type { DmarcRecord, Policy } from './record.ts';

export type LintCode = 'policy-none' | 'sp-weaker' | 'np-weaker' | 'pct-partial' | 'removed-tags' | 'testing' | 'no-reports';

export interface LintIssue {
  code: LintCode;
  severity: 'info' | 'warn';
  message: string;
}

const STRENGTH: Record<Policy, number> = { none: 0, quarantine: 1, reject: 2 };

export function policyStrength(p: Policy): number {
  return STRENGTH[p];
}

export function lintRecord(record: DmarcRecord): LintIssue[] {
  const issues: LintIssue[] = [];
  const p = record.p;
  if (p === 'none') {
    issues.push({ code: 'policy-none', severity: 'warn', message: `p=none asks receivers to deliver mail that fails DMARC as usual: the domain can be spoofed${record.rua.length ? '; fine while you read the reports, then move to quarantine or reject' : ', and with no rua= nobody is even told'}` });
  }
  if (p && record.sp && STRENGTH[record.sp] < STRENGTH[p]) {
    issues.push({ code: 'sp-weaker', severity: 'warn', message: `sp=${record.sp} under p=${p}: subdomains (any name under the domain) get the weaker policy and can be spoofed` });
  }
  const subdomain = record.sp ?? p;
  if (subdomain && record.np && STRENGTH[record.np] < STRENGTH[subdomain]) {
    issues.push({ code: 'np-weaker', severity: 'warn', message: `np=${record.np} is weaker than the ${record.sp ? 'sp' : 'p'}=${subdomain} that would apply otherwise: made-up subdomains get the weaker policy at RFC 9989 receivers` });
  }
  if (p && p !== 'none' && record.pct !== null && record.pct < 100) {
    issues.push({ code: 'pct-partial', severity: 'warn', message: `pct=${record.pct}: RFC 7489 receivers apply p=${p} to only ${record.pct}% of failing mail (RFC 9989 receivers ignore pct and apply it to all)` });
  }
  const removed = record.tags.map((t) => t.name.toLowerCase()).filter((n) => n === 'pct' || n === 'rf' || n === 'ri');
  if (removed.length) {
    issues.push({ code: 'removed-tags', severity: 'info', message: `${removed.join(', ')}: removed by RFC 9989, ignored by receivers that follow it` });
  }
  if (record.t === 'y') {
    issues.push({ code: 'testing', severity: 'warn', message: `t=y: RFC 9989 receivers apply one step softer than p=${p ?? 'none'} (reject → quarantine, quarantine → none)` });
  }
  if (!record.rua.some((u) => u.valid)) {
    issues.push({ code: 'no-reports', severity: 'info', message: 'no valid rua= address: you receive no aggregate reports, so you cannot see who sends mail as this domain' });
  }
  return issues;
}
