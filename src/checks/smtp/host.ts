/**
 * One MX host, probed: its TLSA RRset, then for each chosen address the SMTP dialog, the PTR of the
 * address against the name in the greeting, and the DANE match of the certificate it presented.
 */
import { isIP } from 'node:net';
import type { Context } from '../types.ts';
import type { Outcome } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { reverseName } from '../../net/names.ts';
import { specialRange } from '../../net/dialer/ssrf.ts';
import { probeSmtp, type SmtpProbeResult } from '../../net/smtp/index.ts';
import { lookupDane, matchDane, type DaneLookup, type DaneMatch } from './dane.ts';

/** Addresses probed per MX host: two show whether a pool is consistent without hammering it. */
export const MAX_ADDRESSES_PER_HOST = 2;

export interface ProbeSettings {
  port: number;
  timeoutMs: number;
  greetingTimeoutMs: number;
  heloName?: string;
  relayTest: { mailFrom: string; rcptTo: string } | null;
}

export type BannerPtr = 'match' | 'mismatch' | 'no-ptr' | 'lookup-failed' | 'no-banner-name';

export interface SmtpAddressResult extends SmtpProbeResult {
  ptr: { names: string[]; outcome: Outcome; dns: number } | null;
  /** The greeting's host name against the PTR names of the address (null when there was no greeting). */
  bannerPtr: BannerPtr | null;
  dane: DaneMatch | null;
}

export interface MxHostInput {
  name: string;
  preference: number;
  implicit: boolean;
  addresses: string[];
}

export interface SmtpHostResult extends MxHostInput {
  /** Addresses not probed and why (over the per-host limit, loopback/private, other family). */
  notProbed: { address: string; reason: string }[];
  dane: DaneLookup;
  /** MTA-STS mode and whether the policy lists this host; null when no policy is known. */
  mtaSts: { mode: string; covered: boolean } | null;
  probes: SmtpAddressResult[];
}

/** Probes the host; `mtaSts` is filled in by the caller once the policy is known. */
export async function probeHost(ctx: Context, host: MxHostInput, settings: ProbeSettings): Promise<SmtpHostResult> {
  const { chosen, notProbed } = chooseAddresses(host.addresses);
  const danePending = lookupDane(ctx, host.name, settings.port);
  const probes = await Promise.all(chosen.map((address) => probeAddress(ctx, host.name, address, settings, danePending)));
  return { ...host, notProbed, dane: await danePending, mtaSts: null, probes };
}

/**
 * IPv4 first: many networks have no IPv6 route, and a v6 address that cannot be reached would read
 * as a failure of the server. IPv6 is probed when the host has no IPv4 address at all.
 */
export function chooseAddresses(addresses: readonly string[]): { chosen: string[]; notProbed: { address: string; reason: string }[] } {
  const notProbed: { address: string; reason: string }[] = [];
  const usable = addresses.filter((address) => {
    const special = specialRange(address);
    if (special) notProbed.push({ address, reason: `${special.what} address: no one on the internet can deliver there` });
    return !special;
  });
  const v4 = usable.filter((a) => isIP(a) === 4);
  const pool = v4.length ? v4 : usable;
  const chosen = pool.slice(0, MAX_ADDRESSES_PER_HOST);
  for (const address of usable) {
    if (chosen.includes(address)) continue;
    notProbed.push({ address, reason: pool.includes(address) ? `only ${MAX_ADDRESSES_PER_HOST} addresses are probed per host` : 'IPv6 is not probed when the host has IPv4 addresses' });
  }
  return { chosen, notProbed };
}

async function probeAddress(ctx: Context, mxName: string, address: string, settings: ProbeSettings, danePending: Promise<DaneLookup>): Promise<SmtpAddressResult> {
  const ptrPending = ctx.resolver.query(reverseName(address), 'PTR');
  const { result, chainDer } = await probeSmtp(ctx.dialer, { host: address, port: settings.port }, {
    mxName,
    timeoutMs: settings.timeoutMs,
    greetingTimeoutMs: settings.greetingTimeoutMs,
    now: ctx.now(),
    relayTest: settings.relayTest,
    ...(settings.heloName ? { heloName: settings.heloName } : {}),
  });
  const [ptrResult, dane] = await Promise.all([ptrPending, danePending]);
  const ptr = { names: ptrResult.records.map((r) => r.data.replace(/\.$/, '').toLowerCase()), outcome: ptrResult.outcome, dns: ptrResult.id };
  return {
    ...result,
    ptr,
    bannerPtr: result.greeting ? compareBanner(result.greeting.host, ptr.names, ptr.outcome) : null,
    dane: dane.state === 'applies' && result.tls ? matchDane(dane, chainDer) : null,
  };
}

function compareBanner(bannerHost: string | null, ptrNames: string[], outcome: Outcome): BannerPtr {
  if (isFailure(outcome)) return 'lookup-failed';
  if (!ptrNames.length) return 'no-ptr';
  if (!bannerHost || bannerHost.startsWith('[')) return 'no-banner-name';
  return ptrNames.includes(bannerHost) ? 'match' : 'mismatch';
}
