/**
 * IP addresses as SPF sees them: the client <ip> of check_host() and the networks of ip4/ip6 terms
 * and a/mx CIDR lengths. An IPv4-mapped IPv6 client (::ffff:1.2.3.4) is an IPv4 client
 * (RFC 7208 §5: "MUST still be considered an IPv4 address"), but an ip6 network is never unwrapped.
 */
import { bitsOf, networkOf, parseIpLiteral, unwrapMapped, formatAddress, addressLabels, reverseName, contains as networkHolds, type Address, type Family, type Network } from '../../net/ip.ts';

export { bitsOf, networkOf, parseIpLiteral, formatAddress, reverseName, type Family, type Network };
export type IpAddress = Address;

/** The client address of check_host(): IPv4-mapped IPv6 becomes IPv4 (RFC 7208 §5). */
export function parseClientIp(text: string): IpAddress | null {
  const ip = parseIpLiteral(text.trim());
  return ip && unwrapMapped(ip);
}

export function inNetwork(ip: IpAddress, network: Network): boolean {
  return networkHolds(network, ip);
}

/** True when `inner` lies entirely inside `outer` (equal networks included). */
export function contains(outer: Network, inner: Network): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && networkOf({ family: inner.family, value: inner.value }, outer.prefix).value === outer.value;
}

export function formatNetwork(n: Network): string {
  return `${formatAddress({ family: n.family, value: n.value })}/${n.prefix}`;
}

/** The `i` macro: dotted quad, or 32 dot-separated lowercase nibbles for IPv6 (RFC 7208 §7.3). */
export const dotFormat = (ip: IpAddress): string => addressLabels(ip);

