/**
 * Concrete fixes: the exact DNS records to publish and where to publish them. The records are built
 * from what the domain has now, so a fix never drops a sender the domain relies on.
 */
import type { Fix } from '../checks/types.ts';
import type { Facts } from './facts.ts';

/** SPF terms that cost a DNS lookup (RFC 7208 §4.6.4). */
const LOOKUP_TERM = /^[+\-~?]?(include:|a\b|a:|a\/|mx\b|mx:|mx\/|ptr\b|ptr:|exists:|redirect=)/i;

export function spfLookupTerms(record: string): number {
  return record.split(/\s+/).filter((t) => LOOKUP_TERM.test(t)).length;
}

/**
 * The domain's SPF with `include` added before the terminal `all` (or `-all` appended), keeping
 * every existing term; `~all`/`?all`/`+all` become `-all` only when asked.
 */
export function spfWithInclude(current: string | null, include: string): string {
  const terms = (current ?? 'v=spf1').trim().split(/\s+/);
  if (terms.some((t) => t.toLowerCase() === `include:${include}`.toLowerCase())) return terms.join(' ');
  const allIndex = terms.findIndex((t) => /^[+\-~?]?all$/i.test(t));
  const redirectIndex = terms.findIndex((t) => /^redirect=/i.test(t));
  if (allIndex >= 0) terms.splice(allIndex, 0, `include:${include}`);
  else if (redirectIndex >= 0) terms.splice(redirectIndex, 0, `include:${include}`);
  else terms.push(`include:${include}`, '-all');
  return terms.join(' ');
}

/** Where DNS records are edited for this domain, from its name servers. */
export function whereToPublish(facts: Facts): string {
  const dns = facts.dnsProvider;
  if (dns) return `at ${dns.name}, where the DNS of ${facts.domain} is hosted (name servers ${facts.nameservers.join(', ')})`;
  if (facts.nameservers.length) return `at the DNS host of ${facts.domain} (name servers ${facts.nameservers.join(', ')})`;
  return `at the DNS host of ${facts.domain}`;
}

export function dnsHostLinks(facts: Facts): string[] {
  const docs = facts.dnsProvider?.docs ?? {};
  return Object.values(docs).filter((u) => /^https?:\/\//.test(u)).slice(0, 2);
}

export function spfFix(facts: Facts, include: string, why: string): Fix {
  const value = spfWithInclude(facts.spfRecord, include);
  const lookups = spfLookupTerms(value);
  const budget = lookups > 10
    ? ` Careful: the record would then need ${lookups} DNS lookups at its top level alone, over the limit of 10 (RFC 7208 §4.6.4); remove includes of services no longer used, or replace them with their ip4/ip6 ranges.`
    : '';
  return {
    text: `${why} Replace the SPF record ${whereToPublish(facts)} with this one (keep a single v=spf1 TXT record).${budget}`,
    dns: [{ name: facts.domain, type: 'TXT', value }],
    links: [...(facts.mailProvider?.docs.spf ? [facts.mailProvider.docs.spf] : []), ...dnsHostLinks(facts)],
  };
}

/**
 * The domain's DMARC record with some tags changed (null removes one), everything else kept as
 * published — a fix must never drop a reporting address or weaken a policy in passing.
 */
export function dmarcRecord(current: readonly (readonly [string, string])[] | null, changes: Record<string, string | null>, domain: string): string {
  const tags = new Map<string, string>((current ?? []).map(([k, v]) => [k.toLowerCase(), v]));
  tags.delete('v');
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) tags.delete(k);
    else tags.set(k, v);
  }
  if (!tags.has('rua')) tags.set('rua', `mailto:dmarc-reports@${domain}`);
  // p first after v (RFC 7489 §6.3 requires it right after v; RFC 9989 recommends it).
  const ordered = [['p', tags.get('p') ?? 'none'], ...[...tags].filter(([k]) => k !== 'p')];
  return ['v=DMARC1', ...ordered.map(([k, v]) => `${k}=${v}`)].join('; ');
}

/** The DMARC rollout path from where the domain stands: monitor, then quarantine, then reject. */
export function dmarcFixes(facts: Facts, current: readonly (readonly [string, string])[] | null): Fix[] {
  const name = `_dmarc.${facts.domain}`;
  const where = whereToPublish(facts);
  const links = dnsHostLinks(facts);
  const p = current?.find(([k]) => k.toLowerCase() === 'p')?.[1]?.toLowerCase() ?? null;
  const record = (changes: Record<string, string | null>) => [{ name, type: 'TXT', value: dmarcRecord(current, changes, facts.domain) }];
  const steps: Fix[] = [];
  if (!current) {
    steps.push({ text: `Publish a DMARC record ${where}, first in monitoring mode, and read the aggregate reports for 2–4 weeks to find every legitimate sender.`, dns: record({ p: 'none' }), links });
  }
  if (p !== 'quarantine' && p !== 'reject') {
    steps.push({ text: `Once every legitimate source passes SPF or DKIM aligned with ${facts.domain}, ask receivers to quarantine mail that fails DMARC: change the record ${where}.`, dns: record({ p: 'quarantine' }), links });
  }
  if (p !== 'reject') {
    steps.push({ text: 'Then reject it outright: spoofed mail in your name is refused instead of delivered or bounced back to you.', dns: record({ p: 'reject' }) });
  }
  return steps;
}
