/**
 * Gathering the facts: the domain's infrastructure (through the run's cached resolver, so nothing is
 * asked twice), who sent each message that came back and in what role, and the blocklist results
 * for every address involved.
 */
import { isIP } from 'node:net';
import type { Context, CheckResult } from '../checks/types.ts';
import type { DnsRecord, Resolver, TranscriptEntry } from '../net/dns/types.ts';
import type { MessageAnalysis } from '../message/types.ts';
import type { ProviderIdentification } from '../checks/providers/identify.ts';
import type { PtrData } from '../checks/ptr/index.ts';
import type { BlocklistReport } from '../checks/blocklists/index.ts';
import { checkHost } from '../checks/spf/index.ts';
import type { BlocklistHit, BounceFact, Facts, MailProviderFact, MxHostFact, OriginFact, OriginRole, WebHostFact } from './facts.ts';

async function addresses(resolver: Resolver, name: string): Promise<string[]> {
  const [a, aaaa] = await Promise.all([resolver.query(name, 'A'), resolver.query(name, 'AAAA')]);
  return [...a.records.map((r) => r.data), ...aaaa.records.map((r) => r.data)];
}

export interface Infrastructure {
  mx: MxHostFact[];
  mxOutcome: string;
  web: WebHostFact[];
  spfRecord: string | null;
  spfOutcome: 'found' | 'missing' | 'multiple' | 'unknown';
  nameservers: string[];
}

export async function gatherInfrastructure(ctx: Context, domain: string): Promise<Infrastructure> {
  const r = ctx.resolver;
  const [mx, txt, ns, apex, www] = await Promise.all([
    r.query(domain, 'MX'), r.query(domain, 'TXT'), r.query(domain, 'NS'),
    addresses(r, domain), addresses(r, `www.${domain}`),
  ]);
  const mxHosts = await Promise.all(mx.records.filter((m) => m.data.exchange).map(async (m) => ({ host: m.data.exchange, preference: m.data.preference, addresses: await addresses(r, m.data.exchange) })));
  const spf = txt.records.map((t) => t.data.join('')).filter((s) => /^v=spf1(\s|$)/i.test(s));
  const spfOutcome = txt.outcome === 'answer' || txt.outcome === 'nodata' || txt.outcome === 'nxdomain'
    ? (spf.length === 1 ? 'found' : spf.length > 1 ? 'multiple' : 'missing')
    : 'unknown';
  return {
    mx: mxHosts,
    mxOutcome: mx.outcome,
    web: [{ name: domain, addresses: apex }, { name: `www.${domain}`, addresses: www }].filter((w) => w.addresses.length),
    spfRecord: spf[0] ?? null,
    spfOutcome,
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

const isFromDomain = (address: string | null, domain: string) => {
  const d = address?.match(/@([^>\s]+)>?\s*$/)?.[1]?.toLowerCase();
  return !!d && (d === domain || d.endsWith(`.${domain}`));
};

/** The host a local submission names, matched against the bounce's own hops to find its address. */
function addressOfHost(bounce: MessageAnalysis, host: string | null): { ip: string; line: string } | null {
  if (!host) return null;
  const h = host.toLowerCase();
  for (const hop of bounce.hops) {
    const names = [hop.from, hop.helo, hop.fromRdns].filter(Boolean).map((n) => n!.toLowerCase());
    if (hop.fromIp && names.includes(h)) return { ip: hop.fromIp, line: `the bounce itself was handed over by ${host} from ${hop.fromIp} (Received hop ${hop.index}: from ${hop.from ?? hop.helo} [${hop.fromIp}] by ${hop.by})` };
  }
  return null;
}

interface RawOrigin { message: string; analysis: MessageAnalysis; ip: string | null; host: string | null; reasoning: string[]; carrier: MessageAnalysis; authenticated: boolean }

/** RFC 3848 transmission types of an authenticated submission, and the comment Postfix/Exim add. */
const AUTH_WITH = /^(?:E?SMTPS?A|LMTPS?A|UTF8SMTPS?A|ESMTPSA|ASMTP)\b/i;
const AUTH_TEXT = /\(Authenticated sender:|\bauthenticated as\b|\(authenticated bits=/i;

function authenticatedHop(m: MessageAnalysis): string | null {
  const hop = m.hops.find((h) => AUTH_WITH.test(h.with ?? '') || AUTH_TEXT.test(h.raw));
  return hop ? `hop ${hop.index} was an authenticated submission (${hop.with ?? 'SMTP AUTH'}) by ${hop.by ?? 'the relay'}: the domain's own user sent it` : null;
}

/** Where the message that came back (or the message given) started its journey. */
export function rawOrigins(messages: { name: string; analysis: MessageAnalysis }[], domain: string): RawOrigin[] {
  const out: RawOrigin[] = [];
  for (const { name, analysis } of messages) {
    if (analysis.kind === 'auto-reply' || analysis.kind === 'feedback-report' || analysis.kind === 'delivered') continue;
    const carrier = analysis.original ?? (analysis.kind === 'bounce' ? null : analysis);
    if (!carrier) continue;
    const origin = carrier.origin;
    let ip = origin?.ip ?? null;
    const host = origin?.host ?? null;
    const reasoning = [...(origin?.reasoning ?? [])];
    if (!ip && analysis.original && origin?.kind === 'local-submission') {
      const found = addressOfHost(analysis, host) ?? addressOfHost(analysis, analysis.bounce?.reportingMta ?? null);
      if (found) { ip = found.ip; reasoning.push(found.line); }
    }
    if (!ip && analysis.bounce) {
      const mention = analysis.bounce.recipients.flatMap((r) => r.blocklists).find((m) => m.listed && isIP(m.listed));
      if (mention?.listed) { ip = mention.listed; reasoning.push(`the refusal names ${mention.listed} as the sending address`); }
    }
    const auth = authenticatedHop(carrier);
    if (auth) reasoning.push(auth);
    out.push({ message: name, analysis, ip, host, reasoning, carrier, authenticated: !!auth });
  }
  return out;
}

/** The origin's reverse DNS as the ptr check found it (the diagnosis hands it every bounce address). */
function ptrOf(ptr: PtrData | null, ip: string): OriginFact['ptr'] {
  const r = ptr?.addresses.find((a) => a.ip === ip);
  return r ? { names: r.ptr, confirmed: r.fcrdns === true, outcome: r.outcome } : null;
}

async function spfFor(ctx: Context, ip: string, domain: string): Promise<string> {
  const result = await checkHost(ctx, { ip, domain, sender: `postmaster@${domain}` });
  return result.result;
}

export async function resolveOrigins(ctx: Context, domain: string, raw: RawOrigin[], infra: Infrastructure, provider: MailProviderFact | null, ptr: PtrData | null): Promise<OriginFact[]> {
  return Promise.all(raw.map(async (o): Promise<OriginFact> => {
    const fromDomain = isFromDomain(o.carrier.from, domain) || (o.analysis.kind === 'bounce' && !o.analysis.original);
    const signs = o.carrier.submission.map((s) => `${s.header}: ${s.value}`);
    const domainDkim = o.carrier.dkimSignatures.some((s) => s.d && (s.d === domain || s.d.endsWith(`.${domain}`))) ? 'present' : 'none';
    if (!o.ip) {
      return { message: o.message, ip: null, host: o.host, role: 'unknown', spfResult: null, providerAuthorizes: null, ptr: null, reasoning: o.reasoning.length ? o.reasoning : ['no sending address could be read from the headers'], submissionSigns: signs, domainDkim, fromDomain };
    }
    const ip = o.ip;
    const [spfResult, providerResult] = await Promise.all([
      spfFor(ctx, ip, domain),
      provider?.spfInclude ? spfFor(ctx, ip, provider.spfInclude) : Promise.resolve(null),
    ]);
    const providerAuthorizes = providerResult === null ? null : providerResult === 'pass';
    let role: OriginRole = 'unknown';
    if (providerAuthorizes) role = 'mail-provider';
    else if (spfResult === 'pass') role = 'spf-authorized';
    else if (o.authenticated) role = 'authenticated-user';
    else if (infra.web.some((w) => w.addresses.includes(ip))) role = 'web-host';
    else if (infra.mx.some((m) => m.addresses.includes(ip))) role = 'mx-host';
    return { message: o.message, ip, host: o.host, role, spfResult, providerAuthorizes, ptr: ptrOf(ptr, ip), reasoning: o.reasoning, submissionSigns: signs, domainDkim, fromDomain };
  }));
}

export function bounceFacts(messages: { name: string; analysis: MessageAnalysis }[], origins: OriginFact[]): BounceFact[] {
  return messages.flatMap(({ name, analysis }) => {
    if (!analysis.bounce) return [];
    const origin = origins.find((o) => o.message === name);
    const legitimate = !origin || !origin.ip ? null : origin.role === 'mail-provider' || origin.role === 'spf-authorized' || origin.role === 'authenticated-user' || origin.role === 'mx-host';
    return analysis.bounce.recipients.map((recipient) => ({ message: name, recipient, reportingMta: analysis.bounce!.reportingMta, legitimate }));
  });
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

export type { CheckResult };
