/**
 * Domain names and IP addresses as the user types them, checked and normalised before anything is
 * looked up: a clear one-line InputError instead of a confusing DNS answer.
 */
import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';
import { InputError } from '../errors.ts';

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
  if (v === 6) return canonicalIpv6(raw);
  throw new InputError(`invalid IP address "${input}"`);
}

/** RFC 5952 canonical text for an IPv6 address. */
export function canonicalIpv6(ip: string): string {
  const groups = expandIpv6(ip).split(':').map((g) => g.replace(/^0+(?=.)/, ''));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  const head = groups.slice(0, bestStart).join(':');
  const tail = groups.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** Eight four-digit hex groups, lowercase (handles `::` and an embedded IPv4 tail). */
export function expandIpv6(ip: string): string {
  let text = ip.toLowerCase();
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4?.[1]) {
    const o = v4[1].split('.').map(Number);
    const hi = (((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16);
    const lo = (((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16);
    text = text.slice(0, -v4[1].length) + `${hi}:${lo}`;
  }
  const [left = '', right] = text.split('::');
  const l = left ? left.split(':') : [];
  const r = right !== undefined && right !== '' ? right.split(':') : [];
  const fill = right === undefined ? [] : new Array(8 - l.length - r.length).fill('0');
  return [...l, ...fill, ...r].map((g) => g.padStart(4, '0')).join(':');
}

/** The reverse-lookup name of an address: `4.3.2.1.in-addr.arpa` or the ip6.arpa nibble form. */
export function reverseName(ip: string): string {
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  return `${expandIpv6(ip).replace(/:/g, '').split('').reverse().join('.')}.ip6.arpa`;
}
