/**
 * Finding DMARC records: the `_dmarc.<name>` lookup, and the RFC 9989 §4.10 DNS Tree Walk that
 * replaces the Public Suffix List. Lookups go through an injected `fetch`, memoised per name, so
 * both receiver models share queries and the walk logic can be tested from a table.
 */
import type { Outcome, Resolver } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { joinTxt } from '../dkim/tag-list.ts';
import { isDmarcRecord, looksLikeDmarcAttempt, parseDmarcRecord, type ParsedRecord } from './record.ts';

export interface DmarcLookup {
  /** The domain whose `_dmarc.` name was queried. */
  domain: string;
  outcome: Outcome;
  dns: number;
  /** TXT strings starting with v=DMARC1. */
  records: string[];
  /** TXT meant as DMARC that receivers discard (v=DMARC1 not first, a typo in the version). */
  discarded: string[];
  /** The record when exactly one was published; several records count as none (RFC 7489 §6.6.3, RFC 9989 §4.10). */
  parsed: ParsedRecord | null;
}

export type FetchRecord = (domain: string) => Promise<DmarcLookup>;

export function failed(lookup: DmarcLookup): boolean {
  return isFailure(lookup.outcome);
}

/** A memoised `_dmarc.` fetcher over the run's resolver. */
export function recordFetcher(resolver: Resolver): FetchRecord {
  const memo = new Map<string, Promise<DmarcLookup>>();
  return (domain) => {
    let pending = memo.get(domain);
    if (!pending) {
      pending = fetchRecord(resolver, domain);
      memo.set(domain, pending);
    }
    return pending;
  };
}

async function fetchRecord(resolver: Resolver, domain: string): Promise<DmarcLookup> {
  const answer = await resolver.query(`_dmarc.${domain}`, 'TXT');
  return lookupFromTxt(domain, answer.outcome, answer.id, answer.records.map((r) => joinTxt(r.data)));
}

/** Sorts the TXT found at `_dmarc.<domain>` into records, discarded attempts and the one parsed record. */
export function lookupFromTxt(domain: string, outcome: Outcome, dns: number, txt: readonly string[]): DmarcLookup {
  const texts = txt.map((t) => t.trim());
  const records = texts.filter(isDmarcRecord);
  return {
    domain,
    outcome,
    dns,
    records,
    discarded: texts.filter(looksLikeDmarcAttempt),
    parsed: records.length === 1 ? parseDmarcRecord(records[0]!) : null,
  };
}

// RFC 9989 §4.10 step 4: a name of eight or more labels is shortened straight to seven.
const WALK_MAX_LABELS = 7;

/** The name the walk queries after `domain`, or null after the top-level label. */
export function nextWalkTarget(domain: string): string | null {
  const labels = domain.split('.');
  if (labels.length <= 1) return null;
  return (labels.length > WALK_MAX_LABELS ? labels.slice(-WALK_MAX_LABELS) : labels.slice(1)).join('.');
}

export interface Found {
  domain: string;
  parsed: ParsedRecord;
  lookup: DmarcLookup;
}

export interface TreeWalk {
  /** Every lookup made, in order (at most eight). */
  steps: DmarcLookup[];
  /** Names with exactly one DMARC record, longest name first. */
  found: Found[];
  /** The lookup that failed and ended the walk early, if any. */
  failure: DmarcLookup | null;
}

/**
 * The DNS Tree Walk: from `domain` towards the root, stopping at a record with psd=y or psd=n.
 * A failed lookup ends the walk; what was found before it is kept, since a record at the
 * start name applies whatever lies above it.
 */
export async function treeWalk(domain: string, fetch: FetchRecord): Promise<TreeWalk> {
  const walk: TreeWalk = { steps: [], found: [], failure: null };
  for (let name: string | null = domain; name !== null; name = nextWalkTarget(name)) {
    const lookup = await fetch(name);
    walk.steps.push(lookup);
    if (failed(lookup)) {
      walk.failure = lookup;
      break;
    }
    if (!lookup.parsed) continue;
    walk.found.push({ domain: name, parsed: lookup.parsed, lookup });
    const psd = lookup.parsed.record.psd;
    if (psd === 'y' || psd === 'n') break;
  }
  return walk;
}

/**
 * Organizational Domain selection (RFC 9989 §4.10.2): a psd=n record marks it; a psd=y record puts
 * it one label below the public suffix; otherwise it is the name with a record and the fewest labels,
 * or the start name when the walk found nothing.
 */
export function selectOrgDomain(domain: string, found: readonly Found[]): string {
  for (const f of found) {
    if (f.parsed.record.psd === 'n') return f.domain;
    if (f.parsed.record.psd === 'y' && f.domain !== domain) {
      return domain.split('.').slice(-(f.domain.split('.').length + 1)).join('.');
    }
  }
  return found.length ? found[found.length - 1]!.domain : domain;
}

/** The record holding the Organizational Domain's policy: its own, else the public suffix's (psd=y). */
export function orgRecord(orgDomain: string, found: readonly Found[]): Found | null {
  const own = found.find((f) => f.domain === orgDomain);
  if (own) return own;
  const last = found[found.length - 1];
  return last && last.parsed.record.psd === 'y' ? last : null;
}

export type Existence = { exists: boolean | null; dns: number; outcome: Outcome };

/**
 * Whether a name exists (RFC 9989 Appendix A.4): only NXDOMAIN means it does not. An A query tells
 * the two apart; a CNAME whose target is missing still makes the name exist.
 */
export async function domainExists(resolver: Resolver, name: string): Promise<Existence> {
  const answer = await resolver.query(name, 'A');
  if (isFailure(answer.outcome)) return { exists: null, dns: answer.id, outcome: answer.outcome };
  return { exists: answer.outcome !== 'nxdomain' || answer.cnames.length > 0, dns: answer.id, outcome: answer.outcome };
}
