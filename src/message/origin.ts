/**
 * The originating IP: the first hop outside the receiving organisation, skipping private and
 * loopback addresses (RFC 1918, RFC 6598, RFC 4193 …) and the receiver's own internal relays. A
 * message handed to the MTA by a program on the same host (`with local`, `from userid 33`, a PHP
 * script header) is a local submission: the host is named, and its address comes from the next
 * hop when that hop recorded one.
 */
import { getDomain } from 'tldts';
import type { Hop, Origin } from './types.ts';

export function isPrivateAddress(ip: string): boolean {
  if (ip.includes(':')) {
    const v = ip.toLowerCase();
    return v === '::1' || v === '::' || /^f[cd]/.test(v) || /^fe[89ab]/.test(v) || v.startsWith('::ffff:127.') || v.startsWith('::ffff:10.') || v.startsWith('::ffff:192.168.');
  }
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
    || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
}

function orgOf(host: string | null): string | null {
  if (!host || !/[a-z]/i.test(host)) return null;
  return getDomain(host.toLowerCase().replace(/\.$/, ''), { allowPrivateDomains: false }) ?? null;
}

/** Providers whose internal hops carry many names: one organisation per family. */
const PROVIDER_FAMILIES: [RegExp, string][] = [
  [/(^|\.)(outlook\.com|office365\.com|microsoft\.com|exchangelabs\.com|hotmail\.com|onmicrosoft\.com)$/, 'microsoft'],
  [/(^|\.)(google\.com|gmail\.com|googlemail\.com)$/, 'google'],
  [/(^|\.)(yahoo\.com|yahoodns\.net|yahoo\.co\.jp|aol\.com)$/, 'yahoo'],
  [/(^|\.)(amazonses\.com|amazonaws\.com)$/, 'amazon'],
];

function familyOf(host: string | null): string | null {
  const org = orgOf(host);
  if (!org) return null;
  for (const [re, family] of PROVIDER_FAMILIES) if (re.test(org)) return family;
  return org;
}

export interface OriginHints {
  /** Headers that mark a script submission (X-PHP-Originating-Script, X-Mailer: PHPMailer …). */
  submission: { header: string; value: string }[];
  /** Exchange Online's recorded connecting IP (Forefront CIP / OriginalClientIPAddress). */
  microsoftClientIp: string | null;
  /** X-Originating-IP (webmail submissions). */
  originatingIp: string | null;
}

function localSubmission(hops: Hop[], hints: OriginHints, reasoning: string[]): Origin | null {
  const oldest = hops[0];
  const localHop = oldest?.local ? oldest : null;
  if (!localHop && !hints.submission.length) return null;
  const host = localHop?.by ?? (oldest && !oldest.fromIp ? oldest.by : null) ?? null;
  if (localHop) reasoning.push(`hop ${localHop.index} is a local hand-off on ${localHop.by ?? 'an unnamed host'} (${/from userid \d+/i.exec(localHop.raw)?.[0] ?? /with \S+/i.exec(localHop.raw)?.[0] ?? 'no network peer'})`);
  for (const s of hints.submission) reasoning.push(`${s.header}: ${s.value} — written by a script submitting mail on the host`);
  const next = hops.find((h) => h.index > (localHop?.index ?? 0) && h.fromIp && !isPrivateAddress(h.fromIp));
  let ip: string | null = null;
  if (next && (!host || [next.from, next.fromRdns, next.helo].some((n) => n && familyOf(n) === familyOf(host)) || next.index === (localHop?.index ?? 0) + 1)) {
    ip = next.fromIp;
    reasoning.push(`hop ${next.index} received it from ${next.fromRdns ?? next.from ?? 'that host'} [${ip}]: the submitting host's public address`);
  } else if (hints.originatingIp && !isPrivateAddress(hints.originatingIp)) {
    ip = hints.originatingIp;
    reasoning.push(`X-Originating-IP gives ${ip}`);
  } else {
    reasoning.push('no later hop recorded the host\'s public address');
  }
  return { ip, host, kind: 'local-submission', reasoning };
}

/** Finds where a message entered the mail system, with the reasoning a person can check. */
export function findOrigin(hops: Hop[], hints: OriginHints): Origin | null {
  const reasoning: string[] = [];
  if (!hops.length && !hints.originatingIp && !hints.microsoftClientIp && !hints.submission.length) return null;
  const local = localSubmission(hops, hints, reasoning);
  if (local && (hops[0]?.local || !hops.some((h) => h.fromIp && !isPrivateAddress(h.fromIp)))) return local;
  reasoning.length = 0;

  const newest = hops[hops.length - 1];
  const receiver = familyOf(newest?.by ?? null);
  if (receiver) reasoning.push(`the receiving organisation is ${receiver} (hop ${newest!.index} by ${newest!.by})`);
  const trusted = new Set(receiver ? [receiver] : []);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (hop.by) { const f = familyOf(hop.by); if (f && i === hops.length - 1) trusted.add(f); }
    if (!hop.fromIp) { reasoning.push(`hop ${hop.index} records no connecting address`); continue; }
    if (isPrivateAddress(hop.fromIp)) { reasoning.push(`hop ${hop.index}: ${hop.fromIp} is a private or loopback address, skipped`); continue; }
    const fromFamily = familyOf(hop.fromRdns ?? hop.from);
    const internal = fromFamily !== null && trusted.has(fromFamily) && i > 0;
    if (internal) { reasoning.push(`hop ${hop.index}: ${hop.fromRdns ?? hop.from} [${hop.fromIp}] is inside ${fromFamily}, skipped`); continue; }
    if (hints.microsoftClientIp && fromFamily === 'microsoft' && !isPrivateAddress(hints.microsoftClientIp)) {
      reasoning.push(`Exchange Online recorded the connecting client as ${hints.microsoftClientIp} (CIP)`);
      return { ip: hints.microsoftClientIp, host: null, kind: 'smtp', reasoning };
    }
    reasoning.push(`hop ${hop.index}: ${hop.by ?? 'the receiver'} accepted it from ${hop.fromRdns ?? hop.from ?? 'an unnamed host'} [${hop.fromIp}], the first address outside the receiving organisation`);
    return { ip: hop.fromIp, host: hop.fromRdns ?? (hop.from && /[a-z]/i.test(hop.from) ? hop.from : null), kind: 'smtp', reasoning };
  }
  if (hints.microsoftClientIp && !isPrivateAddress(hints.microsoftClientIp)) {
    reasoning.push(`Exchange Online recorded the connecting client as ${hints.microsoftClientIp} (CIP)`);
    return { ip: hints.microsoftClientIp, host: null, kind: 'smtp', reasoning };
  }
  if (hints.originatingIp && !isPrivateAddress(hints.originatingIp)) {
    reasoning.push(`X-Originating-IP gives ${hints.originatingIp}`);
    return { ip: hints.originatingIp, host: null, kind: 'smtp', reasoning };
  }
  if (local) return local;
  const oldest = hops[0];
  reasoning.push('no hop recorded a public address');
  return { ip: null, host: oldest?.from ?? oldest?.by ?? null, kind: 'smtp', reasoning };
}
