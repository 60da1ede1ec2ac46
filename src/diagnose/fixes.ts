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

/** Existing rua/ruf destinations, or a reporting address at the domain itself. */
function reportingTag(current: Record<string, string> | null, domain: string): string {
  const rua = current?.rua ?? `mailto:dmarc-reports@${domain}`;
  return `rua=${rua}`;
}

/** The DMARC rollout path: monitor, then quarantine, then reject. */
export function dmarcFixes(facts: Facts, current: Record<string, string> | null): Fix[] {
  const rua = reportingTag(current, facts.domain);
  const name = `_dmarc.${facts.domain}`;
  const where = whereToPublish(facts);
  const links = dnsHostLinks(facts);
  const steps: Fix[] = [];
  if (!current) {
    steps.push({ text: `Publish a DMARC record ${where}, first in monitoring mode, and read the aggregate reports for 2–4 weeks to find every legitimate sender.`, dns: [{ name, type: 'TXT', value: `v=DMARC1; p=none; ${rua}` }], links });
  }
  steps.push({ text: `Once every legitimate source passes SPF or DKIM aligned with ${facts.domain}, ask receivers to quarantine mail that fails DMARC: change the record ${where}.`, dns: [{ name, type: 'TXT', value: `v=DMARC1; p=quarantine; ${rua}` }], links });
  steps.push({ text: 'Then reject it outright: spoofed mail in your name is refused instead of delivered or bounced back to you.', dns: [{ name, type: 'TXT', value: `v=DMARC1; p=reject; ${rua}` }] });
  return steps;
}
