/**
 * The second step of mail routing: the addresses of one MX host, A and AAAA asked together. Keeps
 * what a sender would trip over: an alias instead of a host name (RFC 2181 §10.3), no address at
 * all, an address no one on the internet can reach.
 */
import { isIP } from 'node:net';
import type { Context } from '../types.ts';
import type { DnsResult, Outcome } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { specialRange } from '../../net/dialer/ssrf.ts';
import type { MxTarget } from './records.ts';

export interface MxAddress {
  ip: string;
  family: 4 | 6;
  /**
   * The special-purpose range the address is in (private, loopback, link-local…), or null for an
   * ordinary address. Documentation ranges (TEST-NET) count as ordinary: the lab stands them in for
   * the public internet, and no real MX host is numbered there.
   */
  special: { range: string; what: string } | null;
}

export interface AddressLookup {
  outcome: Outcome;
  /** Transcript id. */
  dns: number;
  ad: boolean;
  error?: string;
}

export type MxHostStatus = 'ok' | 'no-address' | 'lookup-failed' | 'ip-literal';

export interface MxHost extends MxTarget {
  status: MxHostStatus;
  addresses: MxAddress[];
  /** The alias chain met when resolving the name (empty for a proper host name). */
  cnames: string[];
  a: AddressLookup | null;
  aaaa: AddressLookup | null;
  /** Both address answers carried AD: the host sits in a validated zone (needed for DANE, RFC 7672 §2.2.2). */
  addressesSecure: boolean;
}

function summary(result: DnsResult): AddressLookup {
  return { outcome: result.outcome, dns: result.id, ad: result.ad, ...(result.error ? { error: result.error } : {}) };
}

function hostStatus(a: DnsResult<'A'>, aaaa: DnsResult<'AAAA'>, addresses: MxAddress[]): MxHostStatus {
  if (addresses.length) return 'ok';
  // One family failing while the other is empty leaves the question open: not "no address".
  if (isFailure(a.outcome) || isFailure(aaaa.outcome)) return 'lookup-failed';
  return 'no-address';
}

/** True when any address lookup of the host failed: its address list may be incomplete. */
export function addressLookupFailed(host: MxHost): boolean {
  return [host.a?.outcome, host.aaaa?.outcome].some((o) => o !== undefined && isFailure(o));
}

export async function resolveMxHost(ctx: Context, target: MxTarget): Promise<MxHost> {
  if (target.ipLiteral) {
    return { ...target, status: 'ip-literal', addresses: [], cnames: [], a: null, aaaa: null, addressesSecure: false };
  }
  const [a, aaaa] = await Promise.all([ctx.resolver.query(target.exchange, 'A'), ctx.resolver.query(target.exchange, 'AAAA')]);
  const addresses: MxAddress[] = [...a.records, ...aaaa.records].map((r) => ({
    ip: r.data,
    family: isIP(r.data) === 6 ? 6 : 4,
    special: specialRange(r.data),
  }));
  const cnames = a.cnames.length >= aaaa.cnames.length ? a.cnames : aaaa.cnames;
  return {
    ...target,
    status: hostStatus(a, aaaa, addresses),
    addresses,
    cnames,
    a: summary(a),
    aaaa: summary(aaaa),
    addressesSecure: a.ad && aaaa.ad,
  };
}
