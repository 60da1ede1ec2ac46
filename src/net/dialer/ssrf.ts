/**
 * The server-mode SSRF guard: when mailsleuth runs as a service, a user-supplied domain could point
 * its MX or web host at the service's own network. Such destinations are refused before the connect
 * map applies, unless the operator allowed them. Ranges from the IANA special-purpose registries
 * (RFC 6890 and updates).
 */
import { contains, parseAddress, parseNetwork, type Address, type Network } from '../ip.ts';

const SPECIAL_RANGES: ReadonlyArray<readonly [string, string]> = [
  ['0.0.0.0/8', '"this network"'],
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['100.64.0.0/10', 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (and broadcast)'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fc00::/7', 'unique local (RFC 4193)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
];

const PARSED: ReadonlyArray<{ network: Network; text: string; what: string }> = SPECIAL_RANGES.map(([text, what]) => ({
  network: parseNetwork(text)!,
  text,
  what,
}));

/** NAT64 (RFC 6052 well-known prefix) carries an IPv4 destination in its last 32 bits. */
const NAT64 = parseNetwork('64:ff9b::/96')!;

/** The special-purpose range `ip` falls in (`{ range, what }`), or null for an ordinary public address. */
export function specialRange(ip: string): { range: string; what: string } | null {
  const address = parseAddress(ip);
  if (!address) return null;
  const inner: Address = contains(NAT64, address) ? { family: 4, value: address.value & 0xffffffffn } : address;
  const hit = PARSED.find((entry) => contains(entry.network, inner));
  return hit ? { range: hit.text, what: hit.what } : null;
}

/** Parses the operator's allow list (CIDRs or addresses); null entries are reported by the caller. */
export function parseAllowList(entries: readonly string[]): { networks: Network[]; bad: string[] } {
  const networks: Network[] = [];
  const bad: string[] = [];
  for (const entry of entries) {
    const network = parseNetwork(entry.trim());
    if (network) networks.push(network);
    else bad.push(entry);
  }
  return { networks, bad };
}

export function isAllowed(networks: readonly Network[], ip: string): boolean {
  const address = parseAddress(ip);
  return address !== null && networks.some((network) => contains(network, address));
}
