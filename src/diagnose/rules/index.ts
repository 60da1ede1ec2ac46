/**
 * The rule registry and the ranking. A rule is a small function over the facts returning causes;
 * causes with the same id are merged, then ranked most likely first.
 */
import type { Cause, CauseId } from '../types.ts';
import type { Facts } from '../facts.ts';
import { unauthorizedSender, providerNotInSpf, signedSenderNotInSpf } from './origin.ts';
import { senderBlocklisted, domainBlocklisted, blocklistQueryRefused } from './blocklists.ts';
import { dmarcFailing, recipientProblem, contentRejected, rateLimited } from './bounces.ts';
import { spfPosture, dkimPosture, dmarcPosture, mxPosture, smtpPosture, webPosture, reverseDnsPosture } from './posture.ts';

export type Rule = (facts: Facts) => Cause[];

export const RULES: readonly Rule[] = [
  unauthorizedSender, providerNotInSpf, signedSenderNotInSpf,
  senderBlocklisted, domainBlocklisted, blocklistQueryRefused,
  dmarcFailing, recipientProblem, contentRejected, rateLimited,
  spfPosture, dkimPosture, dmarcPosture, mxPosture, smtpPosture, webPosture, reverseDnsPosture,
];

/**
 * The order a mail administrator fixes things in: who is sending in the domain's name comes before
 * the listings it caused, which come before posture; the recipient's own problems come last.
 */
const PRIORITY: Record<CauseId, number> = {
  'unauthorized-sender': 100,
  'spf-not-authorizing-sender': 90,
  'dmarc-failing': 88,
  'sender-blocklisted': 85,
  'domain-blocklisted': 84,
  'spf-error': 80,
  'spf-missing': 78,
  'mx-problem': 75,
  'no-reverse-dns': 70,
  'dkim-failing': 68,
  'content-rejected': 66,
  'rate-limited': 64,
  'dkim-missing': 60,
  'dmarc-missing': 58,
  'dmarc-not-enforced': 55,
  'blocklist-query-refused': 50,
  'smtp-tls-problem': 45,
  'web-cert-problem': 30,
  'web-no-https': 28,
  'recipient-problem': 10,
};

const SEVERITY_WEIGHT = { critical: 1.3, error: 1.1, warn: 0.9, info: 0.5, ok: 0 } as const;

function score(c: Cause): number {
  return PRIORITY[c.id] * SEVERITY_WEIGHT[c.severity] * (0.5 + c.confidence / 2);
}

/** Same id → one cause: the strongest summary, every distinct evidence line and fix, data kept per instance. */
export function mergeCauses(causes: Cause[]): Cause[] {
  const byId = new Map<CauseId, Cause[]>();
  for (const c of causes) byId.set(c.id, [...(byId.get(c.id) ?? []), c]);
  return [...byId.values()].map((group) => {
    if (group.length === 1) return group[0]!;
    const [first, ...rest] = [...group].sort((a, b) => score(b) - score(a));
    const fixes = [...first!.fixes];
    for (const f of rest.flatMap((c) => c.fixes)) if (!fixes.some((g) => g.text === f.text)) fixes.push(f);
    return {
      ...first!,
      summary: rest.length ? `${first!.summary} (and ${rest.length} more of the same kind)` : first!.summary,
      evidence: [...new Set(group.flatMap((c) => c.evidence))],
      fixes,
      data: { ...first!.data, instances: group.map((c) => c.data ?? {}) },
    };
  });
}

export function rankCauses(causes: Cause[]): Cause[] {
  return [...causes].sort((a, b) => score(b) - score(a));
}

export function runRules(facts: Facts, rules: readonly Rule[] = RULES): Cause[] {
  return rankCauses(mergeCauses(rules.flatMap((rule) => rule(facts))));
}
