/**
 * Gathering the facts the checks hold in the rules' form: the domain's infrastructure, its
 * providers, the blocklist results as hits, and DNS citations.
 * Who sent the messages is `origins.ts`.
 */
import type { Context, CheckResult } from '../checks/types.ts';
import type { MxData } from '../checks/mx/index.ts';
import type { SpfData } from '../checks/spf/index.ts';
import type { DnsRecord, Resolver, TranscriptEntry } from '../net/dns/types.ts';
import type { ProviderIdentification } from '../checks/providers/identify.ts';
import type { BlocklistReport } from '../checks/blocklists/index.ts';
import type { BlocklistHit, Facts, MailProviderFact, MxHostFact, WebHostFact } from './facts.ts';

async function addresses(resolver: Resolver, name: string): Promise<string[]> {
  const [a, aaaa] = await Promise.all([resolver.query(name, 'A'), resolver.query(name, 'AAAA')]);
  return [...a.records.map((r) => r.data), ...aaaa.records.map((r) => r.data)];
}

export interface Infrastructure {
  mx: MxHostFact[];
  web: WebHostFact[];
  spfRecord: string | null;
  spfOutcome: 'found' | 'missing' | 'multiple' | 'unknown';
  nameservers: string[];
}

/** SPF as the spf check read it: its record, and whether the record is there, absent or several. */
function spfState(spf: CheckResult | undefined): Pick<Infrastructure, 'spfRecord' | 'spfOutcome'> {
  const ids = new Set((spf?.findings ?? []).map((f) => f.id));
  const record = (spf?.data as SpfData | undefined)?.record ?? null;
  const spfOutcome = ids.has('spf.missing') ? 'missing' : ids.has('spf.multiple-records') ? 'multiple' : record ? 'found' : 'unknown';
  return { spfRecord: record, spfOutcome };
}

/**
 * The infrastructure in the rules' form: MX hosts and SPF from their checks, the web host and the
 * name servers from the run's cache (the web host is needed even when the web probe is skipped).
 */
export async function gatherInfrastructure(ctx: Context, domain: string, checks: Record<string, CheckResult>): Promise<Infrastructure> {
  const r = ctx.resolver;
  const [ns, apex, www] = await Promise.all([r.query(domain, 'NS'), addresses(r, domain), addresses(r, `www.${domain}`)]);
  const hosts = (checks.mx?.data as MxData | undefined)?.hosts ?? [];
  return {
    mx: hosts.filter((h) => !h.implicit).map((h) => ({ host: h.exchange, preference: h.preference, addresses: h.addresses.map((a) => a.ip) })),
    web: [{ name: domain, addresses: apex }, { name: `www.${domain}`, addresses: www }].filter((w) => w.addresses.length),
    ...spfState(checks.spf),
    nameservers: ns.records.map((n) => n.data),
  };
}

/**
 * The mail and DNS providers as the providers check identified them (from MX, the whole SPF
 * include tree, NS and web names), in the form the rules and fixes use.
 */
export function providerFacts(domain: string, identification: ProviderIdentification | null): { mail: MailProviderFact | null; dns: Facts['dnsProvider'] } {
  if (!identification) return { mail: null, dns: null };
  const links = (docs: object) => Object.fromEntries(Object.entries(docs).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const ids = identification;
  const mailbox = ids.mail.find((m) => m.id === ids.mailboxHost) ?? ids.mail.find((m) => m.evidence.some((e) => e.source === 'mx')) ?? null;
  const mail: MailProviderFact | null = mailbox ? {
    id: mailbox.id, name: mailbox.name, spfInclude: mailbox.spfInclude ?? null, docs: links(mailbox.docs),
    evidence: mailbox.evidence.map((e) => `${e.source.toUpperCase()} of ${domain} points at ${mailbox.name}: ${e.value}`),
  } : null;
  const dnsMatch = ids.dns[0];
  return { mail, dns: dnsMatch ? { id: dnsMatch.id, name: dnsMatch.name, docs: links(dnsMatch.docs) } : null };
}

export function blocklistHits(report: BlocklistReport): BlocklistHit[] {
  return report.results.map((r) => ({
    target: r.target, list: r.list, listName: r.listName, zone: r.zone, kind: r.targetKind === 'domain' ? 'domain' : 'ip',
    status: r.status, codes: r.codes, labels: r.labels, meaning: r.meaning ?? r.error?.message ?? '',
    nature: r.status !== 'listed' ? 'unknown' : r.abuse ? 'abuse' : 'policy',
    txt: r.txt, url: r.url, delistUrl: r.delistUrl ?? r.lookupUrl, delistNote: r.delisting,
    // Only a refusal by the list (public resolver, volume, bad key) is "query refused"; a network
    // failure or a timeout is just an unanswered lookup.
    errorKind: r.status === 'error' && r.error?.resolverProblem ? r.error.kind : null,
    dns: r.dns[0] ?? null,
  }));
}

function formatAnswer(r: DnsRecord): string {
  switch (r.type) {
    case 'MX': return `${r.data.preference} ${r.data.exchange}`;
    case 'TXT': return `"${r.data.join('')}"`;
    case 'SOA': return `${r.data.mname} ${r.data.rname} ${r.data.serial}`;
    case 'TLSA': return `${r.data.usage} ${r.data.selector} ${r.data.matchingType} ${r.data.certificate.slice(0, 16)}…`;
    case 'CAA': return `${r.data.flags} ${r.data.tag} "${r.data.value}"`;
    case 'SRV': return `${r.data.priority} ${r.data.weight} ${r.data.port} ${r.data.target}`;
    default: return r.data;
  }
}

/** `dns#12: 80.113.0.203.zen.spamhaus.org A → 127.0.0.4 (from 127.0.0.1:5353)` */
export function citation(transcript: readonly TranscriptEntry[]): Facts['cite'] {
  return (id) => {
    const e = id === null || id === undefined ? undefined : transcript[id];
    if (!e) return 'no DNS answer recorded';
    const answer = e.outcome === 'answer' ? e.answers.map(formatAnswer).join(', ') : e.outcome.toUpperCase();
    return `dns#${e.id}: ${e.name} ${e.type} → ${answer}${e.server ? ` (from ${e.server})` : ''}`;
  };
}

