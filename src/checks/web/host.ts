/**
 * One web host name (the domain or its `www`), probed as a browser would reach it: its addresses
 * through the run's resolver, then HTTPS on 443 (certificate, status, HSTS) and HTTP on 80 (does it
 * send visitors to HTTPS?), both against the same address.
 */
import { isIP } from 'node:net';
import type { Context } from '../types.ts';
import type { Outcome } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { specialRange } from '../../net/dialer/ssrf.ts';
import { fetchHead, header, type HttpFetchResult } from '../../net/http/index.ts';
import { followRedirects, type RedirectHop } from './redirect.ts';

export interface Hsts {
  value: string;
  maxAge: number | null;
  includeSubDomains: boolean;
  preload: boolean;
}

export interface HttpsProbe extends HttpFetchResult {
  hsts: Hsts | null;
}

export interface HttpProbe extends HttpFetchResult {
  /** The redirects followed from `http://name/`, in order. */
  redirects: RedirectHop[];
  /** The chain of redirects ends on an https:// URL. */
  reachesHttps: boolean;
}

export type WebHostStatus = 'ok' | 'no-address' | 'lookup-failed' | 'not-probed';

export interface WebHostResult {
  name: string;
  addresses: string[];
  status: WebHostStatus;
  lookups: { type: 'A' | 'AAAA'; outcome: Outcome; dns: number }[];
  /** The address probed (IPv4 first), or null. */
  probed: string | null;
  notProbed: { address: string; reason: string }[];
  https: HttpsProbe | null;
  http: HttpProbe | null;
}

export async function probeWebHost(ctx: Context, name: string): Promise<WebHostResult> {
  const [a, aaaa] = await Promise.all([ctx.resolver.query(name, 'A'), ctx.resolver.query(name, 'AAAA')]);
  const addresses = [...a.records, ...aaaa.records].map((r) => r.data);
  const lookups = [{ type: 'A' as const, outcome: a.outcome, dns: a.id }, { type: 'AAAA' as const, outcome: aaaa.outcome, dns: aaaa.id }];
  const base = { name, addresses, lookups, probed: null, notProbed: [], https: null, http: null };
  if (!addresses.length) {
    return { ...base, status: isFailure(a.outcome) || isFailure(aaaa.outcome) ? 'lookup-failed' : 'no-address' };
  }
  const { chosen, notProbed } = chooseAddress(addresses);
  if (!chosen) return { ...base, notProbed, status: 'not-probed' };
  const now = ctx.now();
  const timeoutMs = ctx.options.timeoutMs;
  const [secure, plain] = await Promise.all([
    fetchHead(ctx.dialer, { host: chosen, port: 443 }, { host: name, tls: true, timeoutMs, now }),
    followRedirects(ctx, name, chosen),
  ]);
  return {
    ...base,
    status: 'ok',
    probed: chosen,
    notProbed,
    https: { ...secure.result, hsts: secure.result.head ? parseHsts(header(secure.result.head, 'strict-transport-security')) : null },
    http: plain,
  };
}

/** A browser tries IPv4 and IPv6 alike; IPv4 first here because many networks lack an IPv6 route. */
function chooseAddress(addresses: readonly string[]): { chosen: string | null; notProbed: { address: string; reason: string }[] } {
  const notProbed: { address: string; reason: string }[] = [];
  const usable = addresses.filter((address) => {
    const special = specialRange(address);
    if (special) notProbed.push({ address, reason: `${special.what} address: not reachable from the internet` });
    return !special;
  });
  const chosen = usable.find((a) => isIP(a) === 4) ?? usable[0] ?? null;
  for (const address of usable) if (address !== chosen) notProbed.push({ address, reason: 'one address is probed per host name' });
  return { chosen, notProbed };
}

/** Strict-Transport-Security (RFC 6797 §6.1): directives separated by `;`, max-age required. */
export function parseHsts(value: string | null): Hsts | null {
  if (value === null) return null;
  const directives = value.split(';').map((d) => d.trim().toLowerCase()).filter(Boolean);
  const maxAge = directives.map((d) => /^max-age\s*=\s*"?(\d+)"?$/.exec(d)?.[1]).find((v) => v !== undefined);
  return {
    value,
    maxAge: maxAge === undefined ? null : Number(maxAge),
    includeSubDomains: directives.includes('includesubdomains'),
    preload: directives.includes('preload'),
  };
}
