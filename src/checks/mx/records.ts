/**
 * The first step of mail routing (RFC 5321 §5.1): the domain's MX RRset, read as a sender reads it.
 * A null MX (RFC 7505: one record `0 .`) says the domain accepts no mail; no MX at all means the
 * domain's own address records act as an implicit MX of preference 0.
 */
import { isIP } from 'node:net';
import type { Context } from '../types.ts';
import type { Outcome, Rcode } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';

/** What the MX lookup says about where mail goes. */
export type MxKind =
  /** MX records (possibly with a null MX among them, which is an error). */
  | 'mx'
  /** Only a null MX: the domain accepts no mail. */
  | 'null'
  /** NODATA: no MX, so the domain's A/AAAA are the implicit MX. */
  | 'implicit'
  /** NXDOMAIN: the domain does not exist. */
  | 'domain-not-found'
  /** SERVFAIL, REFUSED, timeout: nothing is known. */
  | 'failed';

export interface MxTarget {
  exchange: string;
  preference: number;
  /** The domain itself, standing in for a missing MX (RFC 5321 §5.1). */
  implicit: boolean;
  /** The MX names an address instead of a host (`10 192.0.2.1`): senders look it up as a name and fail. */
  ipLiteral: boolean;
}

export interface MxRecordSet {
  domain: string;
  kind: MxKind;
  outcome: Outcome;
  rcode: Rcode | null;
  /** Transcript id of the MX query. */
  dns: number;
  /** AD flag of the MX answer (a secure MX RRset, RFC 7672 §2.2.1). */
  ad: boolean;
  /** A `.` exchange is present (null MX, RFC 7505). */
  nullMx: boolean;
  /** The null MX's preference when present (RFC 7505 §3 says 0). */
  nullPreference: number | null;
  /** Where senders go, by preference: the real MX targets, or the domain itself when implicit. */
  targets: MxTarget[];
  /** Targets beyond the limit that were not resolved. */
  dropped: number;
  error?: string;
}

/** Hosts resolved per domain: real domains have a handful; more is a misconfiguration or an attack on the checker. */
export const MAX_MX_HOSTS = 20;

function isIpLiteral(exchange: string): boolean {
  return isIP(exchange.replace(/^\[|\]$/g, '')) !== 0;
}

export async function lookupMxRecords(ctx: Context, domain: string): Promise<MxRecordSet> {
  const result = await ctx.resolver.query(domain, 'MX');
  const base = { domain, outcome: result.outcome, rcode: result.rcode, dns: result.id, ad: result.ad, nullMx: false, nullPreference: null, targets: [], dropped: 0 };
  if (isFailure(result.outcome)) return { ...base, kind: 'failed', ...(result.error ? { error: result.error } : {}) };
  if (result.outcome === 'nxdomain') return { ...base, kind: 'domain-not-found' };
  if (result.outcome === 'nodata') {
    return { ...base, kind: 'implicit', targets: [{ exchange: domain, preference: 0, implicit: true, ipLiteral: false }] };
  }
  // The client decodes the root name `.` as the empty string.
  const nulls = result.records.filter((r) => r.data.exchange === '' || r.data.exchange === '.');
  const real = result.records
    .filter((r) => !nulls.includes(r))
    .map((r) => ({ exchange: r.data.exchange, preference: r.data.preference, implicit: false, ipLiteral: isIpLiteral(r.data.exchange) }))
    .sort((a, b) => a.preference - b.preference || a.exchange.localeCompare(b.exchange));
  const unique = real.filter((t, i) => real.findIndex((o) => o.exchange === t.exchange) === i);
  return {
    ...base,
    kind: nulls.length && !unique.length ? 'null' : 'mx',
    nullMx: nulls.length > 0,
    nullPreference: nulls[0]?.data.preference ?? null,
    targets: unique.slice(0, MAX_MX_HOSTS),
    dropped: Math.max(0, unique.length - MAX_MX_HOSTS),
  };
}
