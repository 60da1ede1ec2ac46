/**
 * DNSBL query names (RFC 5782 §2.1, §2.4, §3): an IPv4 address as its octets reversed, an IPv6
 * address as its 32 nibbles reversed (the ip6.arpa layout), a domain as itself — each in front of
 * the list's zone.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { parseIpLiteral, reversedLabels } from '../../net/ip.ts';
import type { PlannedList } from './catalog.ts';
import type { BlocklistTarget } from './target.ts';

/** `192.0.2.99` → `99.2.0.192` (RFC 5782 §2.1). */
export function reverseIp4(ip: string): string {
  if (!isIPv4(ip)) throw new Error(`not an IPv4 address: ${ip}`);
  return reversedLabels(parseIpLiteral(ip)!);
}

/** `2001:db8::1` → `1.0.0.0…8.b.d.0.1.0.0.2` (RFC 5782 §2.4): 32 nibbles, least significant first. */
export function nibbleIp6(ip: string): string {
  if (!isIPv6(ip)) throw new Error(`not an IPv6 address: ${ip}`);
  return reversedLabels(parseIpLiteral(ip)!);
}

/**
 * The name to look up for `target` on a list, or null when the list does not take that kind of
 * target (an IP on a domain list is never sent: Spamhaus DBL answers it with an error code).
 */
export function queryName(planned: PlannedList, target: BlocklistTarget): string | null {
  const { list, zone } = planned;
  if (!list.kinds.includes(target.kind)) return null;
  switch (target.kind) {
    case 'ip4': return `${reverseIp4(target.value)}.${zone}`;
    case 'ip6': return `${nibbleIp6(target.value)}.${zone}`;
    case 'domain': {
      const name = list.domainQuery === 'host' ? target.value : (target.registeredDomain ?? target.value);
      return `${name}.${zone}`;
    }
  }
}
