/**
 * Domain names and IP addresses as the user types them, checked and normalised before anything is
 * looked up: a clear one-line InputError instead of a confusing DNS answer.
 */
import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';
import { InputError } from '../errors.ts';
import { formatAddress, parseIpLiteral, reverseName as reverseNameOf } from './ip.ts';

/** RFC 1035 §2.3.4 limits: 253 characters in presentation form, 63 per label. */
const MAX_NAME = 253;
const MAX_LABEL = 63;
/** Letters, digits and hyphens; underscores are allowed because service names (`_dmarc`, `_25._tcp`) are queried too. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;

/**
 * Lowercase, punycode for IDNs (RFC 5891), no trailing dot. Throws InputError explaining what is
 * wrong with the name.
 */
export function normalizeDomain(input: string, what = 'domain'): string {
  const raw = input.trim().replace(/\.$/, '');
  if (!raw) throw new InputError(`empty ${what} name`);
  if (isIP(raw)) throw new InputError(`${what} expected, got the IP address ${raw}`);
  if (/[/@:\s]/.test(raw)) throw new InputError(`invalid ${what} name "${input}": it contains "${raw.match(/[/@:\s]/)?.[0]}"`);
  const ascii = /^[\x00-\x7f]*$/.test(raw) ? raw.toLowerCase() : domainToASCII(raw.toLowerCase());
  if (!ascii) throw new InputError(`invalid ${what} name "${input}": not a valid internationalised domain name`);
  if (ascii.length > MAX_NAME) throw new InputError(`invalid ${what} name: ${ascii.length} characters, the limit is ${MAX_NAME}`);
  for (const label of ascii.split('.')) {
    if (!label) throw new InputError(`invalid ${what} name "${input}": empty label`);
    if (label.length > MAX_LABEL) throw new InputError(`invalid ${what} name "${input}": label "${label.slice(0, 20)}…" is ${label.length} characters, the limit is ${MAX_LABEL}`);
    if (!LABEL.test(label)) throw new InputError(`invalid ${what} name "${input}": label "${label}" may only hold letters, digits and inner hyphens`);
  }
  return ascii;
}

/** True when `input` would pass `normalizeDomain`. */
export function isDomainName(input: string): boolean {
  try {
    normalizeDomain(input);
    return true;
  } catch {
    return false;
  }
}

/** An IPv4 or IPv6 address in canonical form; brackets and an IPv6 zone are refused. */
export function normalizeIp(input: string): string {
  const raw = input.trim();
  const v = isIP(raw);
  // node:net already refuses IPv4 octets with leading zeros (ambiguous: octal in some parsers).
  if (v === 4) return raw;
  if (v === 6) return formatAddress(parseIpLiteral(raw)!);
  throw new InputError(`invalid IP address "${input}"`);
}

/** The reverse-lookup name of an address: `4.3.2.1.in-addr.arpa` or the ip6.arpa nibble form. */
export function reverseName(ip: string): string {
  const address = parseIpLiteral(ip);
  if (!address) throw new InputError(`invalid IP address "${ip}"`);
  return reverseNameOf(address);
}

/** Eight four-digit hex groups, lowercase (handles `::` and an embedded IPv4 tail). */
export function expandIpv6(ip: string): string {
  const address = parseIpLiteral(ip);
  if (!address || address.family !== 6) throw new InputError(`invalid IPv6 address "${ip}"`);
  return address.value.toString(16).padStart(32, '0').match(/.{4}/g)!.join(':');
}
