/**
 * The DNS facts provider identification rests on: MX names, every SPF include (walked the way an
 * evaluator would reach them, within RFC 7208's 10 lookups), the zone's name servers, and the web
 * site's CNAMEs and addresses. Every lookup is one the other checks make too, so with the run's
 * shared cache this costs no extra queries.
 */
import { getDomain } from 'tldts';
import type { Context } from '../types.ts';
import { isFailure } from '../../net/dns/types.ts';
import type { MxRecordSet } from '../mx/index.ts';
import type { ProviderFacts } from './identify.ts';

/** RFC 7208 §4.6.4: an evaluator stops after 10 DNS-querying terms; the walk goes no further. */
const MAX_SPF_LOOKUPS = 10;

export interface GatheredFacts {
  facts: ProviderFacts;
  /** The domain's SPF record, or null when it has none. */
  spfRecord: string | null;
  /**
   * Single addresses (`ip4:a.b.c.d`, `/32`, `/128`) authorized by the domain's own SPF records (its
   * own names, not a provider's include): the domain's own sending servers, for reverse DNS and
   * blocklists.
   */
  ownSpfAddresses: string[];
  /** A lookup failed: the facts may be incomplete. */
  failed: string[];
  dns: number[];
}

/** `include:` and `redirect=` targets of an SPF record (macros skipped: they expand per message). */
export function spfTargets(record: string): string[] {
  const out: string[] = [];
  for (const term of record.trim().split(/\s+/).slice(1)) {
    const m = term.toLowerCase().match(/^[+?~-]?include:(.+)$/) ?? term.toLowerCase().match(/^redirect=(.+)$/);
    if (m?.[1] && !m[1].includes('%')) out.push(m[1].replace(/\.$/, ''));
  }
  return out;
}

/** `ip4:`/`ip6:` terms naming one address (no prefix, or /32 and /128). */
export function spfSingleAddresses(record: string): string[] {
  const out: string[] = [];
  for (const term of record.trim().split(/\s+/).slice(1)) {
    const m = term.match(/^[+?~-]?ip([46]):([^/]+)(?:\/(\d+))?$/i);
    if (!m?.[2]) continue;
    const full = m[1] === '4' ? '32' : '128';
    if (m[3] === undefined || m[3] === full) out.push(m[2].toLowerCase());
  }
  return out;
}

function spfRecordOf(strings: string[][]): string | null {
  const records = strings.map((s) => s.join('')).filter((t) => /^v=spf1(\s|$)/i.test(t));
  return records.length === 1 ? records[0]! : null;
}

/** The domain's own names: itself and names below its registrable domain (`_spf.acme.example`). */
function ownName(name: string, domain: string): boolean {
  const apex = getDomain(domain) ?? domain;
  return name === domain || name === apex || name.endsWith(`.${apex}`);
}

/**
 * Walks the SPF record and its includes; each record's includes go out as soon as that record
 * answers (not level by level), and the domain's own single addresses are handed to `onOwn` as
 * they are found, so reverse DNS and blocklist lookups on them need not wait for the whole walk.
 */
async function walkSpf(ctx: Context, domain: string, out: GatheredFacts, onOwn?: (addresses: string[]) => void): Promise<string[]> {
  const seen = new Set<string>();
  const includes: string[] = [];
  let lookups = 0;
  const visit = async (name: string): Promise<void> => {
    const r = await ctx.resolver.query(name, 'TXT');
    out.dns.push(r.id);
    if (isFailure(r.outcome)) out.failed.push(`TXT ${r.name}: ${r.outcome}`);
    const record = spfRecordOf(r.records.map((x) => x.data));
    if (r.name === domain) out.spfRecord = record;
    if (record && ownName(r.name, domain)) {
      const fresh = spfSingleAddresses(record).filter((a) => !out.ownSpfAddresses.includes(a));
      out.ownSpfAddresses.push(...fresh);
      if (fresh.length) onOwn?.(fresh);
    }
    const next: string[] = [];
    for (const target of record ? spfTargets(record) : []) {
      if (seen.has(target)) continue;
      seen.add(target);
      includes.push(target);
      if (++lookups <= MAX_SPF_LOOKUPS) next.push(target);
    }
    await Promise.all(next.map(visit));
  };
  await visit(domain);
  return includes;
}

async function nameServers(ctx: Context, domain: string, out: GatheredFacts): Promise<string[]> {
  // NS live at the zone apex; ask the registrable domain at the same time in case `domain` is below it.
  const apex = getDomain(domain) ?? domain;
  const names = apex === domain ? [domain] : [domain, apex];
  const results = await Promise.all(names.map((n) => ctx.resolver.query(n, 'NS')));
  for (const r of results) out.dns.push(r.id);
  const found = results.find((r) => r.records.length);
  if (!found && results.some((r) => isFailure(r.outcome))) out.failed.push(`NS ${domain}: ${results.map((r) => r.outcome).join('/')}`);
  return found ? found.records.map((r) => r.data) : [];
}

async function webHost(ctx: Context, domain: string, out: GatheredFacts): Promise<{ names: string[]; addresses: string[] }> {
  const results = await Promise.all([domain, `www.${domain}`].flatMap((n) => [ctx.resolver.query(n, 'A'), ctx.resolver.query(n, 'AAAA')]));
  for (const r of results) out.dns.push(r.id);
  // The web site is optional: a failure here only matters for the apex, which mail also depends on.
  for (const r of results.slice(0, 2)) if (isFailure(r.outcome)) out.failed.push(`${r.type} ${r.name}: ${r.outcome}`);
  return {
    names: [...new Set(results.flatMap((r) => r.cnames))],
    addresses: [...new Set(results.flatMap((r) => r.records.map((x) => x.data)))],
  };
}

export async function gatherFacts(ctx: Context, domain: string, mx: Promise<MxRecordSet>, onOwnSpfAddresses?: (addresses: string[]) => void): Promise<GatheredFacts> {
  const out: GatheredFacts = { facts: {}, spfRecord: null, ownSpfAddresses: [], failed: [], dns: [] };
  const [set, spfIncludes, ns, web] = await Promise.all([mx, walkSpf(ctx, domain, out, onOwnSpfAddresses), nameServers(ctx, domain, out), webHost(ctx, domain, out)]);
  out.dns.push(set.dns);
  if (set.kind === 'failed') out.failed.push(`MX ${domain}: ${set.outcome}`);
  out.facts = {
    mx: set.targets.filter((t) => !t.implicit).map((t) => t.exchange),
    spfIncludes,
    ns,
    webNames: web.names,
    webAddresses: web.addresses,
  };
  return out;
}
