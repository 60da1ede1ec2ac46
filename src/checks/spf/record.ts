/**
 * Fetching a domain's SPF record (RFC 7208 §4.4, §4.5): the TXT RRset at the domain, only the
 * records that begin with "v=spf1" followed by a space or the end, each record's strings joined with
 * no separator (§3.3). The SPF RR type (99) is obsolete (§3.1, §14.1) and is never queried.
 */
import type { DnsResult, Resolver } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { isSpfRecord } from './parse.ts';

export interface TxtRecord {
  /** The strings as published (a TXT record is a list of strings of at most 255 octets). */
  strings: string[];
  /** The strings joined with no separator. */
  text: string;
}

export type RecordLookup =
  | { status: 'found'; record: TxtRecord; txt: TxtRecord[]; dns: DnsResult<'TXT'> }
  /** No SPF record: the domain does not exist, has no TXT, or no TXT is an SPF record. */
  | { status: 'none'; reason: 'nxdomain' | 'no-txt' | 'no-spf'; txt: TxtRecord[]; dns: DnsResult<'TXT'> }
  /** Several SPF records: permerror (§4.5). */
  | { status: 'multiple'; records: TxtRecord[]; txt: TxtRecord[]; dns: DnsResult<'TXT'> }
  /** The TXT lookup failed (timeout, SERVFAIL…): temperror (§4.4), never "none". */
  | { status: 'temperror'; error: string; txt: TxtRecord[]; dns: DnsResult<'TXT'> };

export function txtRecords(result: DnsResult<'TXT'>): TxtRecord[] {
  return result.records.map((r) => ({ strings: r.data, text: r.data.join('') }));
}

/** The SPF records among TXT records (pure). */
export function selectSpfRecords(txt: readonly TxtRecord[]): TxtRecord[] {
  return txt.filter((r) => isSpfRecord(r.text));
}

/** Classifies a TXT answer (pure, so lint and replayed answers use the same rule). */
export function classifyTxt(dns: DnsResult<'TXT'>): RecordLookup {
  const txt = txtRecords(dns);
  if (isFailure(dns.outcome)) {
    return { status: 'temperror', error: `TXT lookup for ${dns.name} failed: ${dns.outcome}${dns.error ? ` (${dns.error})` : ''}`, txt, dns };
  }
  if (dns.outcome === 'nxdomain') return { status: 'none', reason: 'nxdomain', txt, dns };
  const spf = selectSpfRecords(txt);
  if (spf.length > 1) return { status: 'multiple', records: spf, txt, dns };
  const record = spf[0];
  if (!record) return { status: 'none', reason: txt.length ? 'no-spf' : 'no-txt', txt, dns };
  return { status: 'found', record, txt, dns };
}

export async function fetchSpfRecord(resolver: Resolver, domain: string): Promise<RecordLookup> {
  return classifyTxt(await resolver.query(domain, 'TXT'));
}
