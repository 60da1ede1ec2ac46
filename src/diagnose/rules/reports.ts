/**
 * What the receivers' DMARC aggregate reports say about who sends as the domain: forgers (failing
 * both aligned SPF and DKIM), and the domain's own services that are not set up right. Counts are
 * messages (the sum of `count`), never report rows.
 */
import type { SourceRow, SourceIssue } from '../../reports/dmarc/types.ts';
import type { Cause, CauseId } from '../types.ts';
import type { Facts } from '../facts.ts';

const MAX_SOURCES = 5;

function sourcesWith(facts: Facts, issue: SourceIssue): { row: SourceRow; messages: number }[] {
  return (facts.aggregate?.sources ?? [])
    .map((row) => ({ row, messages: row.issues.find((i) => i.issue === issue)?.messages ?? 0 }))
    .filter((s) => s.messages > 0)
    .sort((a, b) => b.messages - a.messages);
}

function describe(row: SourceRow): string {
  const name = row.reverseDns?.name;
  return name ? `${row.ip} (${name})` : row.ip;
}

function period(facts: Facts): string {
  const p = facts.aggregate?.period;
  return p?.begin && p.end ? ` between ${p.begin.slice(0, 10)} and ${p.end.slice(0, 10)}` : '';
}

function lines(found: { row: SourceRow; messages: number }[]): string[] {
  return found.slice(0, MAX_SOURCES).map(({ row, messages }) =>
    `DMARC aggregate reports: ${messages} message(s) from ${describe(row)} — ${row.evidence[0] ?? row.class}; reported by ${row.reporters.map((r) => r.value).join(', ')}`);
}

/** Forgers seen by receivers: the spoofing a bounce only hints at, measured. */
export function reportedSpoofing(facts: Facts): Cause[] {
  const spoofed = sourcesWith(facts, 'spoofed');
  if (!spoofed.length) return [];
  const total = spoofed.reduce((n, s) => n + s.messages, 0);
  const top = spoofed[0]!.row;
  const protectedNow = facts.dmarcEnforced === true;
  return [{
    id: 'unauthorized-sender',
    severity: protectedNow ? 'warn' : 'critical',
    confidence: 0.9,
    summary: `Receivers report ${total} message(s) in ${facts.domain}'s name from ${spoofed.length} source(s) it does not authorize${period(facts)}: they failed both SPF and DKIM.${protectedNow ? ' The enforced DMARC policy has receivers refuse them.' : ''}`,
    evidence: [...lines(spoofed), ...(spoofed.length > MAX_SOURCES ? [`…and ${spoofed.length - MAX_SOURCES} more source(s)`] : [])],
    fixes: protectedNow
      ? [{ text: 'Nothing to change: DMARC already asks receivers to refuse this mail. Keep reading the reports for new legitimate senders that fail.' }]
      : [
        { text: 'Enforce DMARC so receivers refuse this mail (see the DMARC cause for the records): the reports show it is not yours.' },
        ...(top.fix ? [{ text: top.fix }] : []),
      ],
    data: { originIp: top.ip, originRole: 'unknown', messages: total, sources: spoofed.slice(0, MAX_SOURCES).map((s) => ({ ip: s.row.ip, messages: s.messages })) },
  }];
}

const SERVICE_ISSUES: { issue: SourceIssue; id: CauseId; summary: (n: number, domain: string) => string }[] = [
  { issue: 'spf-not-authorized', id: 'spf-not-authorizing-sender', summary: (n, d) => `Receivers report ${n} message(s) of ${d} from servers its SPF does not authorize, though they carry its DKIM signature: a service it uses is missing from SPF.` },
  { issue: 'dkim-failing', id: 'dkim-failing', summary: (n, d) => `Receivers report ${n} message(s) of ${d} whose DKIM signature of the domain fails.` },
  { issue: 'dkim-missing', id: 'dkim-missing', summary: (n, d) => `Receivers report ${n} message(s) of ${d} from its own senders without a DKIM signature of the domain.` },
  { issue: 'dkim-not-aligned', id: 'dkim-missing', summary: (n, d) => `Receivers report ${n} message(s) of ${d} signed only by the sending service's own domain (not aligned): DMARC rests on SPF alone for them.` },
];

/** The domain's own services that the reports show misconfigured. */
export function reportedMisconfiguration(facts: Facts): Cause[] {
  return SERVICE_ISSUES.flatMap(({ issue, id, summary }) => {
    const found = sourcesWith(facts, issue).filter((s) => s.row.class !== 'unauthorized');
    if (!found.length) return [];
    const total = found.reduce((n, s) => n + s.messages, 0);
    const fixes = [...new Set(found.map((s) => s.row.fix).filter((f): f is string => !!f))].slice(0, 3).map((text) => ({ text }));
    return [{
      id, severity: 'error' as const, confidence: 0.85, summary: summary(total, facts.domain),
      evidence: lines(found),
      fixes: fixes.length ? fixes : [{ text: 'Set up SPF and DKIM for each sending service the reports list, so it passes DMARC aligned with the domain.' }],
      data: { messages: total, sources: found.slice(0, MAX_SOURCES).map((s) => ({ ip: s.row.ip, messages: s.messages })) },
    }];
  });
}
