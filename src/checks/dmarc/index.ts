/**
 * DMARC check: finds the policy that covers a domain and reads it the way both kinds of receiver
 * do today, RFC 7489 (Public Suffix List, pct) and RFC 9989 (DNS Tree Walk, psd, np, t), for the
 * domain and for a made-up subdomain that does not exist, side by side. Reviews the record's
 * syntax and strength and whether external report addresses agreed to receive reports.
 */
import { createHash } from 'node:crypto';
import { severityRank, worstSeverity, type CheckResult, type Context, type Finding } from '../types.ts';
import { normalizeDomain, organizationalDomain } from './organizational-domain.ts';
import { domainExists, recordFetcher, type DmarcLookup, type Existence, type FetchRecord } from './discovery.ts';
import { readAs7489, readAs9989, type Reading, type Readings } from './readings.ts';
import { lintRecord, policyStrength, type LintIssue } from './lint.ts';
import { explainTags, type TagExplanation } from './explain.ts';
import { checkReportDestinations, type ReportDestination } from './report-auth.ts';
import type { DmarcRecord, Policy, RecordProblem } from './record.ts';
import { dmarcFindings } from './findings.ts';
import type { Resolver } from '../../net/dns/types.ts';

export type { Policy, DmarcRecord, ReportUri } from './record.ts';
export type { Reading, Readings } from './readings.ts';
export type { ReportDestination } from './report-auth.ts';
export { parseDmarcRecord } from './record.ts';
export { organizationalDomain } from './organizational-domain.ts';

export interface PublishedRecord {
  /** Where it is published: the domain itself or its organizational domain. */
  domain: string;
  inherited: boolean;
  text: string;
  record: DmarcRecord;
  problems: RecordProblem[];
  lint: LintIssue[];
  tags: TagExplanation[];
  dns: number;
}

export interface EffectivePolicy {
  /** False when a lookup failed and the readings are incomplete. */
  known: boolean;
  /** The weaker of what RFC 7489 and RFC 9989 receivers apply to the domain; null when either applies no DMARC. */
  policy: Policy | null;
  /** quarantine or reject at both kinds of receiver, for all failing mail (pct 100). */
  enforced: boolean;
  /** The weaker policy for a subdomain that does not exist (spoofing with made-up names). */
  nonexistentSubdomainPolicy: Policy | null;
}

export interface DmarcData {
  domain: string;
  /** The record that covers the domain (its own or its organizational domain's), or null. */
  published: PublishedRecord | null;
  /** TXT at `_dmarc.<domain>`: how many DMARC records, and text that was meant as DMARC but is discarded. */
  recordsAtDomain: number;
  discarded: { domain: string; text: string; dns: number }[];
  readings: Readings;
  effective: EffectivePolicy;
  reportDestinations: ReportDestination[];
  /** Lookups that failed: the readings that depend on them are unknown. */
  failures: { what: string; outcome: string; dns: number }[];
}

export async function run(ctx: Context, target: string): Promise<CheckResult<DmarcData>> {
  const domain = normalizeDomain(target);
  const fetch = recordFetcher(ctx.resolver);
  const existence = existenceOf(ctx.resolver);
  const nxName = nonexistentName(domain);

  const [d7489, d9989, n7489, n9989, nxExists] = await Promise.all([
    readAs7489(domain, fetch),
    readAs9989(domain, fetch, () => existence(domain)),
    readAs7489(nxName, fetch),
    readAs9989(nxName, fetch, () => existence(nxName)),
    existence(nxName),
  ]);
  const readings: Readings = {
    rfc7489: { domain: d7489, nonexistentSubdomain: n7489 },
    rfc9989: { domain: d9989, nonexistentSubdomain: n9989 },
    nonexistentName: nxName,
    nonexistentOutcome: nxExists.outcome,
  };

  const own = await fetch(domain);
  const published = await publishedRecord(domain, own, readings, fetch);
  const reportDestinations = published ? await checkReportDestinations(ctx.resolver, published.domain, published.record) : [];
  const lookups = await Promise.all([domain, organizationalDomain(domain)].filter((d): d is string => !!d).map(fetch));

  const data: DmarcData = {
    domain,
    published,
    recordsAtDomain: own.records.length,
    discarded: lookups.flatMap((l) => l.discarded.map((text) => ({ domain: l.domain, text, dns: l.dns }))),
    readings,
    effective: effectiveFromReadings(readings),
    reportDestinations,
    failures: failuresOf(readings, reportDestinations),
  };
  const findings = dmarcFindings(data, own);
  return { id: 'dmarc', status: statusOf(data, findings), findings, data };
}

/** The policy a diagnosis should reason with (see EffectivePolicy). */
export function effectivePolicy(data: DmarcData): EffectivePolicy {
  return data.effective;
}

function effectiveFromReadings(r: Readings): EffectivePolicy {
  const known = [r.rfc7489.domain, r.rfc9989.domain, r.rfc7489.nonexistentSubdomain, r.rfc9989.nonexistentSubdomain].every((x) => x.outcome !== 'unknown');
  const policy = weakest(r.rfc7489.domain, r.rfc9989.domain);
  const fullPct = (r.rfc7489.domain.pct ?? 100) === 100;
  return {
    known,
    policy,
    enforced: known && policy !== null && policy !== 'none' && fullPct,
    nonexistentSubdomainPolicy: weakest(r.rfc7489.nonexistentSubdomain, r.rfc9989.nonexistentSubdomain),
  };
}

function weakest(a: Reading, b: Reading): Policy | null {
  if (!a.policy || !b.policy) return null;
  return policyStrength(a.policy) <= policyStrength(b.policy) ? a.policy : b.policy;
}

/**
 * The record the domain owner controls: at the domain, else at its organizational domain (by the
 * PSL or by the tree walk). A public suffix's psd=y record is not the owner's record.
 */
async function publishedRecord(domain: string, own: DmarcLookup, readings: Readings, fetch: FetchRecord): Promise<PublishedRecord | null> {
  let lookup: DmarcLookup | null = own.parsed ? own : null;
  if (!lookup) {
    for (const reading of [readings.rfc7489.domain, readings.rfc9989.domain]) {
      if (!reading.recordDomain || reading.recordDomain === domain) continue;
      const candidate = await fetch(reading.recordDomain);
      if (candidate.parsed && candidate.parsed.record.psd !== 'y') {
        lookup = candidate;
        break;
      }
    }
  }
  if (!lookup?.parsed) return null;
  const { record, problems } = lookup.parsed;
  return {
    domain: lookup.domain,
    inherited: lookup.domain !== domain,
    text: record.text,
    record,
    problems,
    lint: lintRecord(record),
    tags: explainTags(record),
    dns: lookup.dns,
  };
}

function existenceOf(resolver: Resolver): (name: string) => Promise<Existence> {
  const memo = new Map<string, Promise<Existence>>();
  return (name) => {
    let pending = memo.get(name);
    if (!pending) memo.set(name, (pending = domainExists(resolver, name)));
    return pending;
  };
}

/**
 * A subdomain that should not exist, to read the policy spoofers get with made-up names. Derived
 * from the domain rather than random so a recorded DNS transcript replays the same queries.
 */
export function nonexistentName(domain: string): string {
  return `mailsleuth-nx-${createHash('sha256').update(domain).digest('hex').slice(0, 10)}.${domain}`;
}

/** What could not be read; an existence lookup only counts through the reading it left unknown. */
function failuresOf(r: Readings, destinations: ReportDestination[]): DmarcData['failures'] {
  const out: DmarcData['failures'] = [];
  const readings: [string, Reading][] = [
    ['RFC 7489 reading of the domain', r.rfc7489.domain],
    ['RFC 9989 reading of the domain', r.rfc9989.domain],
    ['RFC 7489 reading of a non-existent subdomain', r.rfc7489.nonexistentSubdomain],
    ['RFC 9989 reading of a non-existent subdomain', r.rfc9989.nonexistentSubdomain],
  ];
  for (const [what, reading] of readings) {
    if (reading.outcome === 'unknown') out.push({ what: `${what}: ${reading.why}`, outcome: 'unknown', dns: reading.dns[reading.dns.length - 1] ?? -1 });
  }
  for (const d of destinations) {
    if (d.authorization === 'unknown') out.push({ what: `report authorization ${d.name}`, outcome: d.outcome ?? 'error', dns: d.dns ?? -1 });
  }
  return out;
}

function statusOf(data: DmarcData, findings: Finding[]): CheckResult['status'] {
  const worst = worstSeverity(findings.filter((f) => f.id !== 'dmarc.lookup-failed'));
  if (severityRank(worst) >= severityRank('error')) return worst;
  if (data.failures.length > 0) return 'unknown';
  return worst === 'info' && findings.some((f) => f.severity === 'ok') ? 'ok' : worst;
}
