/**
 * IP addresses as numbers — for the connect map, the SSRF guard and SPF: parse, mask, format. An
 * address is kept as a bigint with its family so IPv4 and IPv6 share one code path. `parseAddress`
 * unwraps IPv4-mapped IPv6 (`::ffff:203.0.113.80`) to IPv4, because that is where a packet would
 * go; `parseIpLiteral` keeps the literal as written (an SPF ip6 network is never unwrapped).
 */
import { isIP } from 'node:net';

export type Family = 4 | 6;

export interface Address {
  family: Family;
  value: bigint;
}

export interface Network {
  family: Family;
  /** Address with the host bits cleared. */
  value: bigint;
  prefix: number;
}

export function bitsOf(family: Family): number {
  return family === 4 ? 32 : 128;
}

/** Parses an IPv4 or IPv6 literal as written (no brackets, no zone id); null when it is not one. */
export function parseIpLiteral(text: string): Address | null {
  const family = isIP(text);
  if (family === 4) return { family: 4, value: parseV4(text) };
  if (family === 6) return { family: 6, value: parseV6(text) };
  return null;
}

/** Like `parseIpLiteral`, with IPv4-mapped IPv6 unwrapped to the IPv4 address it carries. */
export function parseAddress(text: string): Address | null {
  const address = parseIpLiteral(text);
  return address && unwrapMapped(address);
}

function parseV4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function parseV6(text: string): bigint {
  let head = text;
  let tail4: bigint | null = null;
  // An embedded dotted quad (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) fills the last 32 bits.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = parseV4(text.slice(lastColon + 1));
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...Array<string>(right === undefined ? 0 : missing).fill('0'), ...rightGroups];
  let value = groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
  if (tail4 !== null) value = (value & ~0xffffffffn) | tail4;
  return value;
}

export function unwrapMapped(address: Address): Address {
  if (address.family === 6 && address.value >> 32n === 0xffffn) return { family: 4, value: address.value & 0xffffffffn };
  return address;
}

export function formatAddress(address: Address): string {
  if (address.family === 4) {
    const v = address.value;
    return [24n, 16n, 8n, 0n].map((shift) => String((v >> shift) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((address.value >> shift) & 0xffffn));
  return compressV6(groups);
}

/** RFC 5952: lowercase, the longest run of two or more zero groups becomes `::`. */
function compressV6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function hostMask(family: Family, prefix: number): bigint {
  return (1n << BigInt(bitsOf(family) - prefix)) - 1n;
}

export function networkOf(address: Address, prefix: number): Network {
  return { family: address.family, value: address.value & ~hostMask(address.family, prefix), prefix };
}

export function contains(network: Network, address: Address): boolean {
  return network.family === address.family && (address.value & ~hostMask(network.family, network.prefix)) === network.value;
}

/** Parses `ADDRESS` or `ADDRESS/PREFIX`; null when malformed. Host bits are cleared. */
export function parseNetwork(text: string): Network | null {
  const slash = text.indexOf('/');
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!address) return null;
  if (slash < 0) return networkOf(address, bitsOf(address.family));
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  let prefix = Number(prefixText);
  // A mapped IPv6 network (::ffff:0:0/104) becomes the IPv4 network it covers.
  if (address.family === 4 && isIP(text.slice(0, slash)) === 6) prefix -= 96;
  if (prefix < 0 || prefix > bitsOf(address.family)) return null;
  return networkOf(address, prefix);
}

export function formatNetwork(network: Network): string {
  const text = formatAddress(network);
  return network.prefix === bitsOf(network.family) ? text : `${text}/${network.prefix}`;
}

/** The address as DNS labels, most significant first: `192.0.2.80`, or 32 dot-separated nibbles for IPv6. */
export function addressLabels(address: Address): string {
  if (address.family === 4) return formatAddress(address);
  return address.value.toString(16).padStart(32, '0').split('').join('.');
}

/** The labels reversed (RFC 5782 DNSBL form, and the reverse zones): `80.2.0.192`, or reversed nibbles. */
export function reversedLabels(address: Address): string {
  return addressLabels(address).split('.').reverse().join('.');
}

/** The PTR query name: `80.2.0.192.in-addr.arpa` or the nibble name under ip6.arpa. */
export function reverseName(address: Address): string {
  return `${reversedLabels(address)}.${address.family === 4 ? 'in-addr' : 'ip6'}.arpa`;
}
