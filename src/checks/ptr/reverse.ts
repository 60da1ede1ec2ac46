/**
 * Reverse DNS of one address and its forward confirmation (FCrDNS): the PTR names of the address,
 * then the A/AAAA of each name, which must lead back to the address. Receivers (Gmail, Microsoft,
 * most Postfix setups) refuse or junk mail from an IP without a forward-confirmed PTR.
 */
import { isIP } from 'node:net';
import type { Context } from '../types.ts';
import type { Outcome } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { expandIpv6, reverseName } from '../../net/names.ts';
import { reviewPtrName, type PtrNameReview } from './generic.ts';

/** PTR names followed per address, like SPF's limit on `ptr` (RFC 7208 §5.5): more is abuse, not configuration. */
export const MAX_PTR_NAMES = 10;

export interface ForwardLookup {
  name: string;
  outcome: Outcome;
  addresses: string[];
  /** The name resolves back to the address. */
  confirmed: boolean;
  dns: number;
}

export type ReverseDnsStatus = 'ok' | 'no-ptr' | 'not-confirmed' | 'lookup-failed';

export interface ReverseDns {
  ip: string;
  /** `4.3.2.1.in-addr.arpa` or the ip6.arpa nibble name. */
  reverseName: string;
  outcome: Outcome;
  /** Transcript id of the PTR query. */
  dns: number;
  ptr: string[];
  forward: ForwardLookup[];
  /** Forward-confirmed; null when a lookup failed and it cannot be told. */
  fcrdns: boolean | null;
  status: ReverseDnsStatus;
  /** The name a receiver would use (the confirmed one, else the first). */
  name: string | null;
  /** Generic or dynamic-looking name (ISP pool) for `name`. */
  review: PtrNameReview | null;
  error?: string;
}

function sameAddress(a: string, b: string): boolean {
  if (isIP(a) === 6 && isIP(b) === 6) return expandIpv6(a) === expandIpv6(b);
  return a === b;
}

async function forwardLookup(ctx: Context, ip: string, name: string): Promise<ForwardLookup> {
  const result = isIP(ip) === 6 ? await ctx.resolver.query(name, 'AAAA') : await ctx.resolver.query(name, 'A');
  const addresses = result.records.map((r) => r.data);
  return { name, outcome: result.outcome, addresses, confirmed: addresses.some((a) => sameAddress(a, ip)), dns: result.id };
}

function statusOf(outcome: Outcome, ptr: string[], forward: ForwardLookup[]): { status: ReverseDnsStatus; fcrdns: boolean | null } {
  if (isFailure(outcome)) return { status: 'lookup-failed', fcrdns: null };
  if (!ptr.length) return { status: 'no-ptr', fcrdns: false };
  if (forward.some((f) => f.confirmed)) return { status: 'ok', fcrdns: true };
  // Unconfirmed only counts when every forward lookup really answered.
  if (forward.some((f) => isFailure(f.outcome))) return { status: 'lookup-failed', fcrdns: null };
  return { status: 'not-confirmed', fcrdns: false };
}

/** PTR and forward confirmation for `ip` (IPv4 or IPv6). Data only; see `reverseDnsFindings`. */
export async function lookupReverseDns(ctx: Context, ip: string): Promise<ReverseDns> {
  const rname = reverseName(ip);
  const result = await ctx.resolver.query(rname, 'PTR');
  const ptr = [...new Set(result.records.map((r) => r.data))].filter(Boolean);
  const forward = await Promise.all(ptr.slice(0, MAX_PTR_NAMES).map((name) => forwardLookup(ctx, ip, name)));
  const { status, fcrdns } = statusOf(result.outcome, ptr, forward);
  const name = forward.find((f) => f.confirmed)?.name ?? ptr[0] ?? null;
  return {
    ip,
    reverseName: rname,
    outcome: result.outcome,
    dns: result.id,
    ptr,
    forward,
    fcrdns,
    status,
    name,
    review: name ? reviewPtrName(name, ip) : null,
    ...(result.error ? { error: result.error } : {}),
  };
}
