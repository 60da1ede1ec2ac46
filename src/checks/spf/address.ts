/**
 * IP addresses as SPF sees them: the client <ip> of check_host() and the networks of ip4/ip6 terms
 * and a/mx CIDR lengths. An IPv4-mapped IPv6 client (::ffff:1.2.3.4) is an IPv4 client
 * (RFC 7208 §5: "MUST still be considered an IPv4 address"), but an ip6 network is never unwrapped.
 */
import { isIP } from 'node:net';

export type Family = 4 | 6;

export interface IpAddress {
  family: Family;
  value: bigint;
}

export interface Network {
  family: Family;
  /** Address with the host bits cleared. */
  value: bigint;
  prefix: number;
}

export const bitsOf = (family: Family): number => (family === 4 ? 32 : 128);

function parseV4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function parseV6(text: string): bigint {
  let head = text;
  let tail: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = parseV4(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const l = left === '' ? [] : left.split(':');
  const r = right === undefined || right === '' ? [] : right.split(':');
  const fill = right === undefined ? [] : Array<string>(8 - l.length - r.length).fill('0');
  let value = [...l, ...fill, ...r].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tail !== null) value = (value & ~0xffffffffn) | tail;
  return value;
}

/** Parses an address literal as written (no unwrapping); null when it is not one. */
export function parseIpLiteral(text: string): IpAddress | null {
  const family = isIP(text);
  if (family === 4) return { family: 4, value: parseV4(text) };
  if (family === 6) return { family: 6, value: parseV6(text) };
  return null;
}

/** The client address of check_host(): IPv4-mapped IPv6 becomes IPv4 (RFC 7208 §5). */
export function parseClientIp(text: string): IpAddress | null {
  const ip = parseIpLiteral(text.trim());
  if (ip?.family === 6 && ip.value >> 32n === 0xffffn) return { family: 4, value: ip.value & 0xffffffffn };
  return ip;
}

export function networkOf(ip: IpAddress, prefix: number): Network {
  const bits = bitsOf(ip.family);
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { family: ip.family, value: ip.value & mask, prefix };
}

export function inNetwork(ip: IpAddress, network: Network): boolean {
  return ip.family === network.family && networkOf(ip, network.prefix).value === network.value;
}

/** True when `inner` lies entirely inside `outer` (equal networks included). */
export function contains(outer: Network, inner: Network): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && networkOf({ family: inner.family, value: inner.value }, outer.prefix).value === outer.value;
}

/** IPv4 dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as `::`): the `c` macro. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((ip.value >> s) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function formatNetwork(n: Network): string {
  return `${formatIp({ family: n.family, value: n.value })}/${n.prefix}`;
}

/** The `i` macro: dotted quad, or 32 dot-separated lowercase nibbles for IPv6 (RFC 7208 §7.3). */
export function dotFormat(ip: IpAddress): string {
  if (ip.family === 4) return formatIp(ip);
  return ip.value.toString(16).padStart(32, '0').split('').join('.');
}

/** The PTR query name: `4.3.2.1.in-addr.arpa` or the reversed nibbles under ip6.arpa. */
export function reverseName(ip: IpAddress): string {
  return `${dotFormat(ip).split('.').reverse().join('.')}.${ip.family === 4 ? 'in-addr' : 'ip6'}.arpa`;
}
