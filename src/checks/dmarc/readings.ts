/**
 * How a receiver reads a domain's DMARC policy, in the two models that coexist today:
 * RFC 7489 (record at the name, else at the Organizational Domain from the Public Suffix List;
 * `pct` honoured; `np`, `psd` and `t` unknown) and RFC 9989 (DNS Tree Walk; `np` for names that do
 * not exist, public suffix records with `psd=y`, `t=y` test mode; `pct` ignored).
 */
import type { Outcome } from '../../net/dns/types.ts';
import { organizationalDomain } from './organizational-domain.ts';
import { failed, orgRecord, selectOrgDomain, treeWalk, type DmarcLookup, type Existence, type FetchRecord } from './discovery.ts';
import { appliedPolicyTags, type ParsedRecord, type Policy } from './record.ts';

export interface Reading {
  /** `unknown`: a lookup failed, so what the receiver does cannot be known. */
  outcome: 'policy' | 'no-policy' | 'unknown';
  /** What the receiver applies to failing mail, after test mode; null when no DMARC applies. */
  policy: Policy | null;
  /** The tag that supplied it. */
  tag: 'p' | 'sp' | 'np' | null;
  /** The tag's value as published (before t=y softens it). */
  published: Policy | null;
  /** p was missing or invalid, and a usable rua made the receiver act as p=none. */
  fallback: boolean;
  /** Where the applied record was published. */
  recordDomain: string | null;
  orgDomain: string | null;
  /** RFC 7489: share of failing mail the policy applies to (100 when absent). */
  pct: number | null;
  /** RFC 9989: t=y softened the policy one step. */
  testing: boolean;
  why: string;
  /** Transcript ids of the lookups behind this reading. */
  dns: number[];
}

const SOFTER: Record<Policy, Policy> = { reject: 'quarantine', quarantine: 'none', none: 'none' };

function blank(outcome: Reading['outcome'], why: string, dns: number[], orgDomain: string | null = null): Reading {
  return { outcome, policy: null, tag: null, published: null, fallback: false, recordDomain: null, orgDomain, pct: null, testing: false, why, dns };
}

function unknownFrom(lookup: DmarcLookup, dns: number[]): Reading {
  return blank('unknown', `the lookup of _dmarc.${lookup.domain} failed (${lookup.outcome}), so the policy is unknown`, dns);
}

/** RFC 7489 §6.6.3: the name's own record, else the Organizational Domain's (sp, else p). */
export async function readAs7489(name: string, fetch: FetchRecord): Promise<Reading> {
  const own = await fetch(name);
  const dns = [own.dns];
  if (failed(own)) return unknownFrom(own, dns);
  const orgDomain = organizationalDomain(name);
  if (own.records.length > 1) return blank('no-policy', `_dmarc.${name} has ${own.records.length} DMARC records; RFC 7489 receivers then apply no DMARC at all`, dns, orgDomain);
  if (own.parsed) return apply7489(own.parsed, 'own', name, orgDomain, dns);
  if (!orgDomain || orgDomain === name) return blank('no-policy', `no DMARC record at _dmarc.${name}${orgDomain ? '' : ' (a public suffix)'}`, dns, orgDomain);
  const org = await fetch(orgDomain);
  dns.push(org.dns);
  if (failed(org)) return unknownFrom(org, dns);
  if (!org.parsed) {
    const several = org.records.length > 1 ? ` (it has ${org.records.length} records, which counts as none)` : '';
    return blank('no-policy', `no DMARC record at _dmarc.${name} nor at its organizational domain ${orgDomain}${several}`, dns, orgDomain);
  }
  return apply7489(org.parsed, 'org', orgDomain, orgDomain, dns);
}

function apply7489(parsed: ParsedRecord, from: 'own' | 'org', recordDomain: string, orgDomain: string | null, dns: number[]): Reading {
  const tags = appliedPolicyTags(parsed.record, parsed.problems);
  if (!tags) return blank('no-policy', `the record at _dmarc.${recordDomain} has no valid policy and no report address, so receivers ignore it`, dns, orgDomain);
  const tag = from === 'org' && tags.sp ? 'sp' : 'p';
  const policy = tag === 'sp' ? tags.sp! : tags.p;
  const pct = parsed.record.pct ?? 100;
  const where = from === 'own' ? `the record at _dmarc.${recordDomain}` : `no record at the name itself; the organizational domain ${recordDomain} (Public Suffix List) has one`;
  const fallbackNote = tags.fallback ? ' (p is missing or invalid, so receivers act as p=none)' : '';
  const pctNote = pct < 100 && policy !== 'none' ? `, to ${pct}% of failing mail` : '';
  return {
    outcome: 'policy', policy, tag, published: policy, fallback: tags.fallback, recordDomain, orgDomain, pct, testing: false,
    why: `${where}: ${tag}=${policy} applies${pctNote}${fallbackNote}`,
    dns,
  };
}

/**
 * RFC 9989 §4.10.1: the name's own record; else the Organizational Domain's record (or the public
 * suffix's), applying np when the name does not exist, else sp, else p; t=y softens by one step.
 */
export async function readAs9989(name: string, fetch: FetchRecord, exists: () => Promise<Existence>): Promise<Reading> {
  const walk = await treeWalk(name, fetch);
  const dns = walk.steps.map((s) => s.dns);
  const first = walk.found[0];
  const orgDomain = walk.failure ? null : selectOrgDomain(name, walk.found);
  if (first?.domain === name) return apply9989(first.parsed, name, orgDomain, 'p', dns, 'the record at the name itself');
  if (walk.failure) return unknownFrom(walk.failure, dns);
  const entry = orgRecord(orgDomain!, walk.found);
  if (!entry) {
    return blank('no-policy', `the DNS tree walk from _dmarc.${name} (${walk.steps.length} lookups) found no applicable record`, dns, orgDomain);
  }
  const tags = appliedPolicyTags(entry.parsed.record, entry.parsed.problems);
  let tag: 'p' | 'sp' | 'np' = tags?.sp ? 'sp' : 'p';
  let existence = '';
  if (tags?.np) {
    const e = await exists();
    dns.push(e.dns);
    if (e.exists === null && tags.np !== (tags.sp ?? tags.p)) {
      return blank('unknown', `whether ${name} exists could not be checked (${e.outcome}), and np=${tags.np} differs from the policy for existing subdomains`, dns, orgDomain);
    }
    if (e.exists === false) tag = 'np';
    existence = e.exists === false ? ` ${name} does not exist (NXDOMAIN).` : ` ${name} exists, so np does not apply.`;
  }
  const how = entry.parsed.record.psd === 'y' && entry.domain !== orgDomain
    ? `the tree walk reaches the public suffix ${entry.domain} (psd=y), whose policy covers ${orgDomain}.${existence}`
    : `the tree walk finds the organizational domain ${entry.domain}.${existence}`;
  return apply9989(entry.parsed, entry.domain, orgDomain, tag, dns, how);
}

function apply9989(parsed: ParsedRecord, recordDomain: string, orgDomain: string | null, wanted: 'p' | 'sp' | 'np', dns: number[], how: string): Reading {
  const tags = appliedPolicyTags(parsed.record, parsed.problems);
  if (!tags) return blank('no-policy', `${how}; that record has no valid policy and no report address, so receivers ignore it`, dns, orgDomain);
  const tag = wanted === 'np' && tags.np ? 'np' : wanted !== 'p' && tags.sp ? 'sp' : 'p';
  const published = tag === 'np' ? tags.np! : tag === 'sp' ? tags.sp! : tags.p;
  const testing = parsed.record.t === 'y';
  const policy = testing ? SOFTER[published] : published;
  const testNote = testing && policy !== published ? `; t=y softens it to ${policy}` : '';
  const fallbackNote = tags.fallback ? ' (p is missing or invalid, so receivers act as p=none)' : '';
  return {
    outcome: 'policy', policy, tag, published, fallback: tags.fallback, recordDomain, orgDomain, pct: null, testing,
    why: `${how.replace(/\.$/, '')}: ${tag}=${published} applies${testNote}${fallbackNote}`,
    dns,
  };
}

export interface Readings {
  rfc7489: { domain: Reading; nonexistentSubdomain: Reading };
  rfc9989: { domain: Reading; nonexistentSubdomain: Reading };
  /** The made-up name used for the non-existent subdomain readings. */
  nonexistentName: string;
  /** Whether that name really does not exist (a wildcard would make it exist). */
  nonexistentOutcome: Outcome;
}
