/** Findings of the DMARC check, from the data the lookups and readings produced. */
import type { Finding, Fix, Severity } from '../types.ts';
import type { DmarcData } from './index.ts';
import type { DmarcLookup } from './discovery.ts';
import type { Reading } from './readings.ts';
import type { LintCode } from './lint.ts';

export function dmarcFindings(data: DmarcData, own: DmarcLookup): Finding[] {
  const findings: Finding[] = [];
  const domainKnown = data.readings.rfc7489.domain.outcome !== 'unknown' && data.readings.rfc9989.domain.outcome !== 'unknown';
  if (data.failures.length) findings.push(lookupFailed(data));
  if (data.recordsAtDomain > 1) {
    findings.push({
      id: 'dmarc.multiple-records',
      severity: 'error',
      title: `${data.recordsAtDomain} DMARC records at _dmarc.${data.domain}`,
      detail: `_dmarc.${data.domain} publishes ${data.recordsAtDomain} records starting with v=DMARC1. Receivers then ignore all of them (RFC 7489 §6.6.3, RFC 9989 §4.10): the domain has no working policy.`,
      data: { records: own.records },
      dns: [own.dns],
      fix: { text: 'Delete all but one DMARC record.', dns: [{ name: `_dmarc.${data.domain}`, type: 'TXT', value: own.records[0] ?? suggested(data.domain) }] },
    });
  }
  for (const d of data.discarded) {
    findings.push({
      id: 'dmarc.invalid',
      severity: 'error',
      title: `Record at _dmarc.${d.domain} is ignored by receivers`,
      detail: `"${d.text}" was meant as DMARC but does not start with v=DMARC1, so receivers discard it.`,
      data: { text: d.text, tag: 'v' },
      dns: [d.dns],
      fix: { text: 'Start the record with v=DMARC1; followed by the other tags.' },
    });
  }
  if (!data.published && domainKnown && data.recordsAtDomain <= 1) findings.push(missing(data));
  if (data.published) findings.push(...recordFindings(data));
  findings.push(...readingFindings(data));
  findings.push(...reportFindings(data));
  return findings;
}

function suggested(domain: string): string {
  return `v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@${domain}`;
}

function lookupFailed(data: DmarcData): Finding {
  return {
    id: 'dmarc.lookup-failed',
    severity: 'warn',
    title: 'DMARC lookup failed',
    detail: `${data.failures.map((f) => f.what).join('; ')}. What receivers apply is unknown until the lookup succeeds.`,
    data: { failures: data.failures },
    dns: data.failures.map((f) => f.dns).filter((id) => id >= 0),
  };
}

function missing(data: DmarcData): Finding {
  const psd = data.readings.rfc9989.domain;
  const psdNote = psd.outcome === 'policy' ? ` RFC 9989 receivers apply the public suffix ${psd.recordDomain}'s policy (${psd.tag}=${psd.published}), but that is not a policy you control and RFC 7489 receivers ignore it.` : '';
  const org = data.readings.rfc7489.domain.orgDomain;
  return {
    id: 'dmarc.missing',
    severity: 'error',
    title: `No DMARC record for ${data.domain}`,
    detail: `Neither _dmarc.${data.domain}${org && org !== data.domain ? ` nor _dmarc.${org}` : ''} publishes a DMARC record: receivers cannot tell forged mail in this domain's name from real mail, and Gmail and Yahoo require DMARC from bulk senders.${psdNote}`,
    data: { orgDomain: org },
    dns: [...new Set([...data.readings.rfc7489.domain.dns, ...data.readings.rfc9989.domain.dns])],
    fix: {
      text: 'Publish a DMARC record; start with p=none and a report address if unsure, then move to quarantine or reject once the reports show only your own senders.',
      dns: [{ name: `_dmarc.${org ?? data.domain}`, type: 'TXT', value: suggested(org ?? data.domain) }],
    },
  };
}

function recordFindings(data: DmarcData): Finding[] {
  const pub = data.published!;
  const dns = [pub.dns];
  const broken = pub.problems.some((p) => p.severity === 'error');
  const findings: Finding[] = [{
    id: 'dmarc.record-found',
    // A record with errors is still shown, but it is not a success.
    severity: broken ? 'info' : 'ok',
    title: `DMARC record at _dmarc.${pub.domain}`,
    detail: `${pub.text}${pub.inherited ? ` (inherited: ${data.domain} has no record of its own)` : ''}`,
    data: { domain: pub.domain, inherited: pub.inherited, tags: pub.tags },
    dns,
  }];
  for (const p of pub.problems) {
    const id = p.severity === 'error' ? 'dmarc.invalid' : p.message.startsWith('unknown tag') ? 'dmarc.unknown-tag' : 'dmarc.syntax-warning';
    findings.push({ id, severity: p.severity, title: `DMARC record: ${p.message.split(':')[0]}`, detail: `_dmarc.${pub.domain}: ${p.message}.`, data: { tag: p.tag }, dns });
  }
  for (const issue of pub.lint) {
    findings.push({
      id: `dmarc.${issue.code}`,
      severity: issue.severity,
      title: LINT_TITLES[issue.code],
      detail: `_dmarc.${pub.domain}: ${issue.message}.`,
      data: { tag: issue.code },
      dns,
      ...(lintFix(issue.code, data) ? { fix: lintFix(issue.code, data)! } : {}),
    });
  }
  if (pub.record.psd === 'y' && !pub.inherited && organizationalDomain(data)) {
    findings.push({
      id: 'dmarc.psd-misused',
      severity: 'warn',
      title: 'psd=y on an organization\'s domain',
      detail: `${pub.domain} is not a public suffix, yet its record says psd=y: RFC 9989 receivers then treat each of its subdomains as a separate organization, and alignment between them breaks.`,
      dns,
      fix: { text: 'Remove psd=y (or set psd=n).' },
    });
  }
  return findings;
}

function organizationalDomain(data: DmarcData): boolean {
  return data.readings.rfc7489.domain.orgDomain !== null;
}

const LINT_TITLES: Record<LintCode, string> = {
  'policy-none': 'DMARC policy is p=none (monitoring only)',
  'sp-weaker': 'Subdomain policy (sp) is weaker than the domain policy',
  'np-weaker': 'Non-existent subdomain policy (np) is weaker',
  'pct-partial': 'DMARC policy applies to only part of failing mail (pct)',
  'removed-tags': 'Tags removed by RFC 9989',
  'testing': 'DMARC in test mode (t=y)',
  'no-reports': 'No DMARC aggregate report address',
};

function lintFix(code: LintCode, data: DmarcData): Fix | null {
  const pub = data.published!;
  const name = `_dmarc.${pub.domain}`;
  const rewrite = (change: (tags: Map<string, string>) => void): Fix['dns'] => {
    const tags = new Map(pub.record.tags.map((t) => [t.name.toLowerCase(), t.value]));
    change(tags);
    return [{ name, type: 'TXT', value: [...tags].map(([k, v]) => `${k}=${v}`).join('; ') }];
  };
  switch (code) {
    case 'policy-none': return { text: 'Once the aggregate reports show only your own senders passing, move to p=quarantine, then p=reject.', dns: rewrite((t) => t.set('p', 'quarantine')) };
    case 'sp-weaker': return { text: 'Remove sp= (subdomains then get p) or set it to the same policy as p.', dns: rewrite((t) => t.delete('sp')) };
    case 'np-weaker': return { text: 'Set np= to reject: names that do not exist send no legitimate mail.', dns: rewrite((t) => t.set('np', 'reject')) };
    case 'pct-partial': return { text: 'Remove pct= (or set pct=100) so the policy covers all failing mail.', dns: rewrite((t) => t.delete('pct')) };
    case 'testing': return { text: 'Remove t=y once the reports look clean.', dns: rewrite((t) => t.delete('t')) };
    case 'no-reports': return { text: 'Add rua=mailto:<address> to receive daily aggregate reports.', dns: rewrite((t) => t.set('rua', `mailto:dmarc-reports@${pub.domain}`)) };
    default: return null;
  }
}

function readingFindings(data: DmarcData): Finding[] {
  const r = data.readings;
  const pairs: [string, Reading, Reading][] = [
    [data.domain, r.rfc7489.domain, r.rfc9989.domain],
    [`a subdomain that does not exist (${r.nonexistentName})`, r.rfc7489.nonexistentSubdomain, r.rfc9989.nonexistentSubdomain],
  ];
  const findings: Finding[] = [];
  for (const [what, a, b] of pairs) {
    if (a.outcome === 'unknown' || b.outcome === 'unknown' || describe(a) === describe(b)) continue;
    const enforcedOne = [a, b].some((x) => x.policy === 'quarantine' || x.policy === 'reject');
    const weakOne = [a, b].some((x) => x.policy === null || x.policy === 'none');
    const severity: Severity = enforcedOne && weakOne ? 'warn' : 'info';
    findings.push({
      id: 'dmarc.readings-differ',
      severity,
      title: `Receivers disagree on the policy for ${what}`,
      detail: `RFC 7489 receivers: ${describe(a)} (${a.why}). RFC 9989 receivers: ${describe(b)} (${b.why}).`,
      data: { subject: what, rfc7489: a.policy, rfc9989: b.policy },
      dns: [...new Set([...a.dns, ...b.dns])],
    });
  }
  return findings;
}

function describe(r: Reading): string {
  if (r.policy === null) return 'no DMARC policy';
  return r.pct !== null && r.pct < 100 && r.policy !== 'none' ? `${r.policy} for ${r.pct}% of failing mail` : r.policy;
}

function reportFindings(data: DmarcData): Finding[] {
  return data.reportDestinations.flatMap((d): Finding[] => {
    if (d.authorization === 'unauthorized') {
      return [{
        id: 'dmarc.external-report-unauthorized',
        severity: 'warn',
        title: `Reports to ${d.host} are not authorized`,
        detail: `${d.tag}=${d.uri} is outside ${data.published!.domain}'s organization and ${d.name} has no v=DMARC1 record (${d.outcome}), so receivers will not send ${d.tag === 'rua' ? 'aggregate' : 'failure'} reports there (RFC 7489 §7.1).`,
        data: { host: d.host, tag: d.tag, name: d.name },
        dns: d.dns !== undefined ? [d.dns] : [],
        fix: { text: `Ask the operator of ${d.host} to publish the authorization record (report services do this when you add the domain), or use an address in your own domain.`, dns: [{ name: d.name!, type: 'TXT', value: 'v=DMARC1' }] },
      }];
    }
    if (d.authorization === 'authorized') {
      return [{
        id: 'dmarc.external-report-authorized',
        severity: 'ok',
        title: `Reports to ${d.host} are authorized`,
        detail: `${d.name}${d.cnames?.length ? ` → ${d.cnames.join(' → ')}` : ''} publishes v=DMARC1.`,
        data: { host: d.host, tag: d.tag, name: d.name },
        dns: d.dns !== undefined ? [d.dns] : [],
      }];
    }
    return [];
  });
}
