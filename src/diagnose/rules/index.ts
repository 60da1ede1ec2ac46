/**
 * The rule registry and the ranking. A rule is a small function over the facts returning causes;
 * causes with the same id are merged, then ranked most likely first.
 */
import type { Cause, CauseId } from '../types.ts';
import type { Facts } from '../facts.ts';
import { unauthorizedSender, providerNotInSpf, signedSenderNotInSpf, relayNotInSpf } from './origin.ts';
import { senderBlocklisted, domainBlocklisted, blocklistQueryRefused } from './blocklists.ts';
import { dmarcFailing, recipientProblem, contentRejected, rateLimited } from './bounces.ts';
import { reportedSpoofing, reportedMisconfiguration } from './reports.ts';
import { spfPosture, dkimPosture, dmarcPosture, mxPosture, smtpPosture, webPosture, reverseDnsPosture } from './posture.ts';

export type Rule = (facts: Facts) => Cause[];

export const RULES: readonly Rule[] = [
  unauthorizedSender, providerNotInSpf, signedSenderNotInSpf, relayNotInSpf,
  senderBlocklisted, domainBlocklisted, blocklistQueryRefused,
  dmarcFailing, recipientProblem, contentRejected, rateLimited,
  reportedSpoofing, reportedMisconfiguration,
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

/** Most likely first; `caps` holds scores a cause must stay below (a symptom under its causes). */
export function rankCauses(causes: Cause[], caps: ReadonlyMap<Cause, number> = new Map()): Cause[] {
  const ranked = (c: Cause) => Math.min(score(c), caps.get(c) ?? Infinity);
  return [...causes].sort((a, b) => ranked(b) - ranked(a));
}

/** What makes DMARC fail: when receivers refuse for DMARC, these are the cause and the refusal the symptom. */
const DMARC_ROOTS = new Set<CauseId>(['spf-error', 'spf-missing', 'spf-not-authorizing-sender', 'dkim-failing', 'dkim-missing']);

/**
 * A DMARC refusal corroborates the SPF/DKIM faults behind it: they gain the refusal as evidence and
 * rank above it, so the report leads with what to fix rather than with the symptom. Returns the
 * causes and, for the symptom, the score it must stay below.
 */
export function corroborate(causes: Cause[]): { causes: Cause[]; caps: Map<Cause, number> } {
  const caps = new Map<Cause, number>();
  const dmarc = causes.find((c) => c.id === 'dmarc-failing');
  if (!dmarc || !causes.some((c) => DMARC_ROOTS.has(c.id))) return { causes, caps };
  const boosted = causes.map((c) => (DMARC_ROOTS.has(c.id)
    ? { ...c, confidence: Math.max(c.confidence, 0.9), evidence: [...c.evidence, `Receivers refuse the domain's mail for failing DMARC: ${dmarc.evidence[0] ?? dmarc.summary}`] }
    : c === dmarc ? { ...c, summary: `${c.summary} (the result of the SPF/DKIM causes above)` } : c));
  const symptom = boosted[causes.indexOf(dmarc)]!;
  caps.set(symptom, Math.min(...boosted.filter((c) => DMARC_ROOTS.has(c.id)).map(score)) - 0.01);
  return { causes: boosted, caps };
}

export function runRules(facts: Facts, rules: readonly Rule[] = RULES): Cause[] {
  const { causes, caps } = corroborate(mergeCauses(rules.flatMap((rule) => rule(facts))));
  return rankCauses(causes, caps);
}
