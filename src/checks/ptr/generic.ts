/**
 * Generic and dynamic-looking reverse DNS names. Receivers (and lists like Spamhaus PBL) treat a
 * mail server whose PTR reads like an ISP's address pool (`1-2-3-4.dyn.pool.isp.net`,
 * `dsl-203-0-113-5.example.net`) as residential or unmanaged: such names hurt deliverability even
 * when forward-confirmed. Pure; a name is judged on its own, with the address it was looked up for.
 */
import { isIP } from 'node:net';
import { getDomain } from 'tldts';
import { expandIpv6 } from '../../net/names.ts';

/**
 * Label tokens that ISPs use for customer address pools. Matched as whole tokens (split on dots,
 * hyphens, digits) so `dynamics-mail.com` or `poolside.example` do not trip them.
 */
const DYNAMIC_TOKENS = new Set([
  'dynamic', 'dyn', 'dynip', 'dhcp', 'dsl', 'adsl', 'vdsl', 'xdsl', 'sdsl', 'cable', 'cpe', 'pool', 'dialup', 'dial', 'dialin',
  'ppp', 'pppoe', 'broadband', 'bb', 'residential', 'resnet', 'home', 'cust', 'customer', 'client', 'clients', 'subscriber',
  'user', 'users', 'ftth', 'fttx', 'fios', 'wireless', 'wifi', 'mobile', 'lte', 'cgnat', 'nat', 'unassigned', 'unknown', 'dip',
]);

export type PtrKind = 'dynamic' | 'generic' | 'specific';

export interface PtrNameReview {
  kind: PtrKind;
  /** Why the name was judged generic or dynamic, for the finding's detail. */
  reasons: string[];
}

/** Classifies a PTR name found for `ip`: `dynamic` (pool keywords), `generic` (the address spelled out), or `specific`. */
export function reviewPtrName(ptrName: string, ip: string): PtrNameReview {
  const name = ptrName.toLowerCase().replace(/\.$/, '');
  const host = hostPart(name);
  const reasons: string[] = [];
  const embedded = embeddedAddress(host, ip);
  if (embedded) reasons.push(`it spells out the address (${embedded})`);
  const tokens = host.split(/[^a-z]+/).filter((t) => DYNAMIC_TOKENS.has(t));
  if (tokens.length) reasons.push(`it contains ${[...new Set(tokens)].map((t) => `"${t}"`).join(', ')}, typical of ISP address pools`);
  const kind: PtrKind = tokens.length ? 'dynamic' : embedded ? 'generic' : 'specific';
  return { kind, reasons };
}

/**
 * The labels left of the registrable domain: `1-2-3-4.dyn.isp.net` → `1-2-3-4.dyn`. Keywords in the
 * operator's own domain (`dynamic-hosting.com`) say nothing about the address. When the name has no
 * public suffix (lab names, `.local`), the last label is treated as the suffix.
 */
function hostPart(name: string): string {
  const registrable = getDomain(name, { allowPrivateDomains: false });
  if (registrable && name.endsWith(`.${registrable}`)) return name.slice(0, -registrable.length - 1);
  if (registrable === name) return '';
  const labels = name.split('.');
  return labels.slice(0, Math.max(labels.length - 2, 0)).join('.');
}

/** How the address appears in the name, or null: dotted, dashed, reversed, zero-padded, concatenated or in hex. */
function embeddedAddress(host: string, ip: string): string | null {
  if (!host) return null;
  if (isIP(ip) === 4) return embeddedIpv4(host, ip);
  if (isIP(ip) === 6) return embeddedIpv6(host, ip);
  return null;
}

function embeddedIpv4(host: string, ip: string): string | null {
  const octets = ip.split('.');
  const reversed = [...octets].reverse();
  // Digit runs compared as numbers, so `001-002-003-004` and `1.2.3.4` both match.
  const runs = host.split(/[^0-9]+/).filter(Boolean).map((r) => String(Number(r)));
  if (containsRun(runs, octets)) return 'all four octets';
  if (containsRun(runs, reversed)) return 'all four octets, reversed';
  const digits = host.replace(/[^0-9]+/g, '');
  const padded = (order: string[]) => order.map((o) => o.padStart(3, '0')).join('');
  if (digits.includes(padded(octets)) || digits.includes(padded(reversed))) return 'the zero-padded octets';
  // Unpadded concatenation is only telling when long enough not to be a coincidence (`mail1234`).
  if (octets.join('').length >= 8 && (digits.includes(octets.join('')) || digits.includes(reversed.join('')))) return 'the concatenated octets';
  // Many pools keep only the host part: `c-113-5-77.isp.net` for 203.113.5.77.
  if (containsRun(runs, octets.slice(1)) || containsRun(runs, reversed.slice(0, 3))) return 'three of the octets';
  const hex = octets.map((o) => Number(o).toString(16).padStart(2, '0')).join('');
  if (host.includes(hex)) return `the address in hexadecimal (${hex})`;
  return null;
}

/** True when `needle` appears as consecutive elements of `hay`. */
function containsRun(hay: string[], needle: string[]): boolean {
  for (let i = 0; i + needle.length <= hay.length; i++) {
    if (needle.every((n, j) => hay[i + j] === n)) return true;
  }
  return false;
}

/**
 * IPv6 pools name hosts after the interface identifier or the whole address: look for the last
 * four groups (with or without leading zeros) or 16+ consecutive nibbles of the address.
 */
function embeddedIpv6(host: string, ip: string): string | null {
  const groups = expandIpv6(ip).split(':');
  const compact = host.replace(/[^0-9a-f]/g, '');
  const full = groups.join('');
  const iid = groups.slice(4).join('');
  if (iid !== '0000000000000000' && compact.includes(iid)) return 'interface identifier';
  const shortIid = groups.slice(4).map((g) => g.replace(/^0+(?=.)/, ''));
  const hostGroups = host.split(/[^0-9a-f]+/);
  if (shortIid.some((g) => g !== '0') && containsRun(hostGroups, shortIid)) return 'interface identifier groups';
  for (let i = 0; i + 16 <= full.length; i += 4) {
    const window = full.slice(i, i + 16);
    if (/[1-9a-f]/.test(window) && compact.includes(window)) return 'address nibbles';
  }
  return null;
}
