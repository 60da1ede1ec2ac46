/**
 * The state of one check_host() evaluation and its processing limits (RFC 7208 §4.6.4): every DNS
 * query goes through `query()` here so it lands in the trace, and the counters live in one place.
 *
 * The reading of §4.6.4 taken here (documented because tools disagree):
 * - The limit of 10 counts *terms*: include, a, mx, ptr, exists, redirect. It is checked before the
 *   term's lookup, so the 11th such term is permerror and the 10th still runs. The PTR query of a
 *   %{p} macro in a mechanism also counts (§4.6.4: "the number of PTR resource records queried is
 *   included in the overall limit"); exp= lookups never count.
 * - The address lookups of MX hosts and PTR names do not consume the 10: they have their own
 *   limit of 10 per mechanism (an mx over it is permerror, ptr names past the 10th are ignored).
 *   They are counted apart as `subLookups`, so a report can show the count both ways.
 * - A void lookup is a term's own query answered NOERROR-empty or NXDOMAIN ("limit the number of
 *   terms for which DNS queries return…"): the A/AAAA query of `a`, the MX query of `mx`, the A
 *   query of `exists`, the PTR query of `ptr`/%{p}, the TXT query of an include/redirect target.
 *   Address lookups of MX hosts and PTR names are not void lookups (as in mailauth). More than 2
 *   is permerror, checked at each void lookup, so the count runs across includes.
 * - `a` queries the client's family (§5.3: "the type of lookup (A or AAAA) appropriate for the
 *   connection type"). Whether an empty answer is void depends on `voidRule`:
 *   `dual-stack` (the default, as mailauth): the name is void only when A and AAAA are both empty,
 *   at the cost of one extra query, so an IPv4-only host is not void for IPv6 clients;
 *   `client-family` (the literal §4.6.4 reading, as pyspf): the client-family query alone decides.
 *   The domain-level lint reports both counts.
 */
import type { DnsRecord, DnsResult, RecordType, Resolver } from '../../net/dns/types.ts';
import type { IpAddress } from './address.ts';
import type { LookupPurpose, SpfCause, SpfLookup, SpfResult, SpfTermTrace } from './types.ts';

export type VoidRule = 'dual-stack' | 'client-family';

export interface CheckHostOptions {
  /** Terms that may query DNS (RFC 7208 §4.6.4): 10. */
  maxLookups?: number;
  /** Void lookups allowed (§4.6.4 "SHOULD limit void lookups to two"): 2. */
  maxVoidLookups?: number;
  /** MX hosts looked up per mx mechanism: 10. */
  maxMxNames?: number;
  /** PTR names validated per ptr mechanism or %{p}: 10. */
  maxPtrNames?: number;
  /** When an `a` name is a void lookup: both families empty (`dual-stack`) or the client's family empty. */
  voidRule?: VoidRule;
  /** Overall time limit, temperror past it (§4.6.4 "SHOULD allow at least 20 seconds"): 20000. */
  maxElapsedMs?: number;
}

export interface Evaluation {
  resolver: Resolver;
  ip: IpAddress;
  /** <sender>: local-part@domain. */
  sender: string;
  helo: string;
  receiver: string;
  now: Date;
  limits: Required<CheckHostOptions>;
  deadline: number;
  lookups: number;
  voidLookups: number;
  subLookups: number;
  lookupCauses: SpfCause[];
  voidCauses: SpfCause[];
}

export const DEFAULT_LIMITS: Required<CheckHostOptions> = {
  maxLookups: 10,
  maxVoidLookups: 2,
  maxMxNames: 10,
  maxPtrNames: 10,
  voidRule: 'dual-stack',
  maxElapsedMs: 20_000,
};

/** Ends the whole evaluation with permerror or temperror, from however deep in includes. */
export class Stop extends Error {
  readonly result: Extract<SpfResult, 'permerror' | 'temperror'>;
  constructor(result: Extract<SpfResult, 'permerror' | 'temperror'>, message: string) {
    super(message);
    this.name = 'Stop';
    this.result = result;
  }
}

export function presentRecord(r: DnsRecord): string {
  switch (r.type) {
    case 'MX': return `${r.data.preference} ${r.data.exchange || '.'}`;
    case 'TXT': return r.data.map((s) => JSON.stringify(s)).join(' ');
    case 'A': case 'AAAA': case 'CNAME': case 'NS': case 'PTR': return r.data;
    default: return JSON.stringify(r.data);
  }
}

/** One DNS query, recorded on the term (or record) trace it belongs to. */
export async function query<T extends RecordType>(ev: Evaluation, name: string, type: T, purpose: LookupPurpose, into: SpfLookup[]): Promise<{ dns: DnsResult<T>; lookup: SpfLookup }> {
  if (Date.now() > ev.deadline) throw new Stop('temperror', `the evaluation took longer than ${ev.limits.maxElapsedMs} ms (RFC 7208 §4.6.4)`);
  const dns = await ev.resolver.query(name, type);
  const lookup: SpfLookup = { dns: dns.id, name, type, purpose, outcome: dns.outcome, answers: (dns.records as DnsRecord[]).map(presentRecord) };
  into.push(lookup);
  return { dns, lookup };
}

export function isVoid(dns: DnsResult): boolean {
  return dns.outcome === 'nodata' || dns.outcome === 'nxdomain';
}

/** Counts a DNS-querying term before its lookup; the 11th is permerror. */
export function countLookup(ev: Evaluation, term: SpfTermTrace, domain: string, what = term.term): number {
  if (ev.lookups >= ev.limits.maxLookups) {
    throw new Stop('permerror', `more than ${ev.limits.maxLookups} DNS-querying terms: "${what}" in ${domain}'s record would be number ${ev.lookups + 1} (RFC 7208 §4.6.4)`);
  }
  ev.lookups++;
  ev.lookupCauses.push({ n: ev.lookups, domain, term: what });
  return ev.lookups;
}

export function countVoid(ev: Evaluation, lookup: SpfLookup, domain: string, term: string): void {
  ev.voidLookups++;
  lookup.void = ev.voidLookups;
  ev.voidCauses.push({ n: ev.voidLookups, domain, term, name: lookup.name });
  if (ev.voidLookups > ev.limits.maxVoidLookups) {
    throw new Stop('permerror', `more than ${ev.limits.maxVoidLookups} void lookups: ${lookup.type} ${lookup.name} for "${term}" in ${domain}'s record was void number ${ev.voidLookups} (RFC 7208 §4.6.4)`);
  }
}

/** A DNS failure (timeout, SERVFAIL, REFUSED…) in a mechanism is temperror (RFC 7208 §5). */
export function temperror(dns: DnsResult, term: string): Stop {
  return new Stop('temperror', `${dns.type} lookup of ${dns.name} for "${term}" failed: ${dns.outcome}${dns.error ? ` (${dns.error})` : ''}`);
}
