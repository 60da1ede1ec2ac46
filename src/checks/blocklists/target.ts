/**
 * What gets checked against blocklists: IP addresses (on IP lists) and domains (on domain lists).
 * `blocklistTargets` gathers them from a domain diagnosis — every address that sends or could send
 * the domain's mail, and the domain itself — each tagged with the roles it plays, so a listing can
 * be explained ("the web host is on XBL").
 */
import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { getDomain } from 'tldts';
import { InputError } from '../../errors.ts';
import type { ListKind } from './catalog.ts';

export type TargetRole = 'given' | 'mx' | 'domain-host' | 'web-host' | 'spf' | 'bounce' | 'domain';

export interface BlocklistTarget {
  /** The IP address (IPv4-mapped IPv6 as IPv4) or the lowercase ASCII domain name. */
  value: string;
  kind: ListKind;
  /** Domains: the registered domain under its public suffix (Public Suffix List, ICANN section). */
  registeredDomain?: string;
  roles: TargetRole[];
  /** Names that led to this address (the MX host names), for reports. */
  hosts?: string[];
}

const MAX_NAME = 253;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function parseIp(text: string): { value: string; kind: 'ip4' | 'ip6' } | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(bare)) return { value: bare, kind: 'ip4' };
  if (!isIPv6(bare) || bare.includes('%')) return null;
  // An IPv4-mapped IPv6 address is an IPv4 sender; lists know it under its IPv4 form.
  const mapped = bare.toLowerCase().match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
  if (mapped?.[1] && isIPv4(mapped[1])) return { value: mapped[1], kind: 'ip4' };
  return { value: bare.toLowerCase(), kind: 'ip6' };
}

function parseDomain(text: string): { value: string; registeredDomain: string } | null {
  const ascii = domainToASCII(text.replace(/\.$/, '').toLowerCase());
  if (!ascii || ascii.length > MAX_NAME) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  // A numeric top label is an IP-ish typo (1.2.3), not a domain.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return null;
  const registeredDomain = getDomain(ascii);
  if (!registeredDomain) return null;
  return { value: ascii, registeredDomain };
}

/** An IP address or a domain typed by a user; a clear one-line error otherwise. */
export function parseTarget(text: string, role: TargetRole = 'given'): BlocklistTarget {
  const trimmed = text.trim();
  const ip = parseIp(trimmed);
  if (ip) return { ...ip, roles: [role] };
  const domain = parseDomain(trimmed);
  if (domain) return { ...domain, kind: 'domain', roles: [role] };
  if (/^[\d.]+$/.test(trimmed) || trimmed.includes(':')) throw new InputError(`invalid IP address "${text}"`);
  throw new InputError(`invalid target "${text}": expected an IP address or a domain name under a public suffix`);
}

/** Addresses no DNS list knows: private, loopback, link-local, shared (CGNAT), multicast, unspecified. */
const NOT_ON_LISTS = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  NOT_ON_LISTS.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  NOT_ON_LISTS.addSubnet(net, prefix, 'ipv6');
}

/** False for addresses that cannot be on a public blocklist (internal hops in a bounce, say). */
export function isListableAddress(ip: string): boolean {
  const v = isIP(ip);
  if (!v) return false;
  return !NOT_ON_LISTS.check(ip, v === 4 ? 'ipv4' : 'ipv6');
}

/** What a domain diagnosis knows that decides which addresses to check. */
export interface BlocklistFacts {
  domain: string;
  /** MX hosts and their addresses. */
  mx?: { host: string; addresses: string[] }[];
  /** A/AAAA of the domain itself. */
  domainAddresses?: string[];
  /** A/AAAA of `www.<domain>` (the web host). */
  webAddresses?: string[];
  /** SPF networks (`ip4:`/`ip6:` values, CIDR or bare); only single addresses (/32, /128) are checked. */
  spf?: string[];
  /** Every address found in bounces (Received hops, the reported remote host). */
  bounceAddresses?: string[];
}

/** A single SPF address: `203.0.113.5`, `203.0.113.5/32`, `ip6:2001:db8::1/128`; null for wider networks. */
function spfSingleAddress(entry: string): string | null {
  const text = entry.trim().replace(/^[+?~-]?ip[46]:/i, '');
  const [addr, prefix] = text.split('/') as [string, string | undefined];
  const v = isIP(addr);
  if (!v) return null;
  if (prefix !== undefined && Number(prefix) !== (v === 4 ? 32 : 128)) return null;
  return addr;
}

/**
 * Every target a domain diagnosis checks: MX addresses, the domain's and the web host's addresses,
 * single-address SPF entries, addresses seen in bounces, and the domain itself (domain lists).
 * One target per address, carrying every role it plays; unlistable addresses are left out.
 */
export function blocklistTargets(facts: BlocklistFacts): BlocklistTarget[] {
  const byValue = new Map<string, BlocklistTarget>();
  const add = (text: string, role: TargetRole, host?: string) => {
    const ip = parseIp(text.trim());
    if (!ip || !isListableAddress(ip.value)) return;
    const existing = byValue.get(ip.value);
    const target = existing ?? { ...ip, roles: [] };
    if (!target.roles.includes(role)) target.roles.push(role);
    if (host && !(target.hosts ??= []).includes(host)) target.hosts.push(host);
    if (!existing) byValue.set(ip.value, target);
  };
  for (const mx of facts.mx ?? []) for (const a of mx.addresses) add(a, 'mx', mx.host.replace(/\.$/, '').toLowerCase());
  for (const a of facts.domainAddresses ?? []) add(a, 'domain-host');
  for (const a of facts.webAddresses ?? []) add(a, 'web-host');
  for (const entry of facts.spf ?? []) {
    const a = spfSingleAddress(entry);
    if (a) add(a, 'spf');
  }
  for (const a of facts.bounceAddresses ?? []) add(a, 'bounce');
  const targets = [...byValue.values()];
  const domain = parseDomain(facts.domain);
  if (domain) targets.push({ ...domain, kind: 'domain', roles: ['domain'] });
  return targets;
}
