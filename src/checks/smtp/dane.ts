/**
 * DANE for SMTP (RFC 7672) as the probe sees it: the TLSA RRset at `_25._tcp.<mx>` and whether the
 * certificate chain the server presented matches it. A sending MTA only uses TLSA records it got
 * with DNSSEC validation (the AD bit from a validating resolver); without it DANE is ignored, and
 * the probe says so instead of judging the records.
 */
import type { Context } from '../types.ts';
import type { Outcome, TlsaData } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { matchTlsa, reviewTlsa } from '../dane/tlsa.ts';

export type DaneState =
  /** No TLSA records (NXDOMAIN or NODATA): DANE does not apply. */
  | 'none'
  /** TLSA records that were not DNSSEC-validated: senders ignore them. */
  | 'ignored'
  /** Validated, but no record is usable (PKIX usages, malformed): senders fall back as for no DANE… or defer (RFC 7672 §2.2). */
  | 'unusable'
  /** Validated usable records: DANE senders require a match. */
  | 'applies'
  /** The TLSA lookup failed: DANE senders defer delivery when this happens for a signed zone. */
  | 'lookup-failed';

export interface DaneRecord extends TlsaData {
  /** Presentation form `3 1 1 ab12…`. */
  text: string;
  label: string;
  usable: boolean;
  problems: string[];
}

export interface DaneLookup {
  name: string;
  state: DaneState;
  outcome: Outcome;
  ad: boolean;
  records: DaneRecord[];
  /** Transcript id of the TLSA query. */
  dns: number;
}

export interface DaneMatch {
  matched: boolean;
  /** The record that matched, or null. */
  record: string | null;
  /** Usage of the matching record (3 DANE-EE, 2 DANE-TA). */
  usage: number | null;
  reason: string;
}

export function tlsaName(mxHost: string, port = 25): string {
  return `_${port}._tcp.${mxHost.replace(/\.$/, '')}`;
}

export async function lookupDane(ctx: Context, mxHost: string, port = 25): Promise<DaneLookup> {
  const name = tlsaName(mxHost, port);
  const result = await ctx.resolver.query(name, 'TLSA');
  const records = result.records.map((r) => {
    const review = reviewTlsa(r.data);
    return { ...r.data, text: review.text, label: review.label, usable: review.usable, problems: review.problems.map((p) => p.message) };
  });
  const base = { name, outcome: result.outcome, ad: result.ad, records, dns: result.id };
  if (isFailure(result.outcome)) return { ...base, state: 'lookup-failed' };
  if (result.outcome !== 'answer' || records.length === 0) return { ...base, state: 'none' };
  if (!result.ad) return { ...base, state: 'ignored' };
  return { ...base, state: records.some((r) => r.usable) ? 'applies' : 'unusable' };
}

/**
 * Matches the chain against the usable records (RFC 7672 §3): any one match authenticates the
 * server. Only meaningful when the lookup's state is `applies`.
 */
export function matchDane(lookup: DaneLookup, chainDer: readonly Uint8Array[]): DaneMatch {
  const reasons: string[] = [];
  for (const record of lookup.records) {
    if (!record.usable) continue;
    const match = matchTlsa(record, chainDer);
    if (match.matched) return { matched: true, record: record.text, usage: record.usage, reason: match.reason };
    reasons.push(`${record.text.slice(0, 24)}…: ${match.reason}`);
  }
  return { matched: false, record: null, usage: null, reason: reasons.join('; ') || `no usable TLSA record at ${lookup.name}` };
}
