/**
 * The diagnosis: every lane of evidence joined into ranked root causes with their fixes.
 * Messages are read first (their DKIM selectors and sending addresses feed the checks), then the
 * domain checks, the infrastructure facts and the blocklists run concurrently on one cached
 * resolver, and the rules turn the facts into causes.
 */
import type { Context, CheckResult, Finding } from '../checks/types.ts';
import type { TranscriptEntry } from '../net/dns/types.ts';
import { normalizeDomain } from '../net/names.ts';
import { analyzeMessage } from '../message/index.ts';
import { readAggregateReports } from '../reports/dmarc/index.ts';
import type { MessageAnalysis } from '../message/types.ts';
import { runDomainChecks } from '../checks/index.ts';
import type { BlocklistReport } from '../checks/blocklists/index.ts';
import type { ProvidersData } from '../checks/providers/index.ts';
import type { PtrData } from '../checks/ptr/index.ts';
import type { Diagnosis, DiagnoseInput, Verdict, Cause } from './types.ts';
import type { Facts } from './facts.ts';
import { runRules } from './rules/index.ts';
import { gatherInfrastructure, providerFacts, blocklistHits, citation } from './gather.ts';
import { rawOrigins, resolveOrigins, bounceFacts, senderAddresses as addressesOf } from './origins.ts';

export type { Diagnosis, DiagnoseInput, Cause } from './types.ts';

/** DKIM `d=`/`s=` pairs of the domain seen in the messages (and the messages they returned). */
function signaturesFrom(messages: MessageAnalysis[], domain: string): { domain: string; selector: string }[] {
  const all = messages.flatMap((m) => [...m.dkimSelectors, ...(m.original?.dkimSelectors ?? [])]);
  const own = all.filter((s) => s.domain === domain || s.domain.endsWith(`.${domain}`));
  return [...new Map(own.map((s) => [`${s.domain}|${s.selector}`, s])).values()];
}

/** The first DNS error when no lookup of the run got an answer at all (resolver down or unreachable). */
function dnsDown(transcript: readonly TranscriptEntry[]): string | null {
  if (!transcript.length || transcript.some((e) => e.outcome !== 'error' && e.outcome !== 'timeout')) return null;
  return transcript[0]!.error ?? transcript[0]!.outcome;
}

/** Causes the messages alone establish, which stand even when DNS gave nothing. */
const FROM_MESSAGES_ALONE = new Set(['recipient-problem', 'content-rejected', 'rate-limited', 'dmarc-failing']);

function dmarcEnforcement(dmarc: CheckResult | undefined): { domain: boolean | null; subdomains: boolean | null } {
  const effective = (dmarc?.data as { effective?: { known: boolean; enforced: boolean; nonexistentSubdomainPolicy: string | null } } | undefined)?.effective;
  if (!effective?.known) return { domain: null, subdomains: null };
  const sub = effective.nonexistentSubdomainPolicy;
  return { domain: effective.enforced, subdomains: sub === 'quarantine' || sub === 'reject' };
}

/** What the checks themselves say about why DNS gave nothing (a DNSSEC validation failure, typically). */
function incompleteReason(checks: Record<string, CheckResult>): string | null {
  const f = checks.dnssec?.findings.find((x) => x.severity === 'error' || x.severity === 'critical');
  return f ? f.title.replace(/\.$/, '') : null;
}

function verdictOf(causes: Cause[], checks: Record<string, CheckResult>): Verdict {
  // Any cause is a problem someone has to act on — even one on the recipient's side (info severity).
  if (causes.length) return 'problems';
  const essential = ['mx', 'spf', 'dmarc'];
  if (essential.some((id) => checks[id]?.status === 'unknown')) return 'incomplete';
  return 'healthy';
}

/** The listings that follow from the top cause, said in the same sentence (the reference case's "…and it is listed on XBL"). */
function consequences(top: Cause, causes: Cause[]): string {
  const parts: string[] = [];
  const ip = top.data?.originIp;
  const sender = causes.find((c) => c.id === 'sender-blocklisted' && ip && (c.data?.ip === ip || (c.data?.instances as { ip?: unknown }[] | undefined)?.some((i) => i.ip === ip)));
  const named = (lists: { name?: string; labels?: string[] }[]) => lists.map((l) => `${l.name}${l.labels?.length ? ` (${l.labels.join(', ')})` : ''}`).join(' and ');
  const lists = (sender?.data?.lists as { name?: string; labels?: string[] }[] | undefined) ?? [];
  if (lists.length) parts.push(`It is listed on ${named(lists)}`);
  const domain = causes.find((c) => c.id === 'domain-blocklisted');
  const domainLists = (domain?.data?.lists as { name?: string; labels?: string[] }[] | undefined) ?? [];
  if (domainLists.length) parts.push(`${parts.length ? 'the' : 'The'} domain is listed on ${named(domainLists)}`);
  return parts.length ? ` ${parts.join(', and ')}.` : '';
}

function headlineOf(domain: string, causes: Cause[], verdict: Verdict, reason: string | null): string {
  const top = causes[0];
  if (verdict === 'incomplete') return `Could not complete the checks for ${domain}: DNS answers were missing (see the checks marked unknown).${reason ? ` ${reason}.` : ''}`;
  if (!top || verdict === 'healthy') return `Nothing found that would stop mail from ${domain} getting through.`;
  // Posture advice alone (p=none, no HTTPS) stops no mail: say so rather than call it a root cause.
  if (causes.every((c) => c.severity === 'warn' || c.severity === 'info') && !causes.some((c) => c.id === 'recipient-problem' || c.id === 'rate-limited' || c.id === 'content-rejected')) {
    return `Nothing found that stops mail from ${domain} getting through now; ${causes.length === 1 ? 'one finding' : `${causes.length} findings`} to act on, first: ${top.summary}`;
  }
  return `Root cause: ${top.summary}${top.id === 'unauthorized-sender' ? consequences(top, causes) : ''}`;
}

export async function diagnose(ctx: Context, input: DiagnoseInput): Promise<Diagnosis> {
  const started = performance.now();
  const domain = normalizeDomain(input.domain);
  const progress = input.onProgress ?? (() => {});

  progress({ kind: 'phase', phase: 'messages' });
  const messages = await Promise.all((input.messages ?? []).map(async (m) => ({ name: m.name, analysis: await analyzeMessage(m.bytes, { resolver: ctx.resolver }) })));
  const aggregate = input.dmarcReports?.length ? await readAggregateReports(input.dmarcReports, { domain, ctx }) : null;
  // Selectors the receivers saw in the reports are evidence too (RFC 9990 reports carry them).
  const fromReports = (aggregate?.sources ?? []).flatMap((s) => s.dkim).filter((k) => k.selector && (k.domain === domain || k.domain.endsWith(`.${domain}`))).map((k) => ({ domain: k.domain, selector: k.selector! }));
  const fromMessages = [...signaturesFrom(messages.map((m) => m.analysis), domain), ...fromReports];
  const raw = rawOrigins(messages);
  const senderAddresses = addressesOf(raw);

  progress({ kind: 'phase', phase: 'checks' });
  const checks = await runDomainChecks(ctx, domain, { onProgress: progress, fromMessages, senderAddresses });
  const infra = await gatherInfrastructure(ctx, domain, checks);
  const providersData = (checks.providers?.data ?? null) as ProvidersData | null;
  const provider = providerFacts(domain, providersData);

  const origins = await resolveOrigins(ctx, domain, raw, infra, provider.mail, (checks.ptr?.data ?? null) as PtrData | null);
  // The blocklists check covered the bounces' sending addresses (senderAddresses) along with the MX
  // hosts, the web host and the SPF addresses.
  const blocklistReport = (checks.blocklists?.data ?? null) as BlocklistReport | null;

  const findings: Finding[] = Object.values(checks).flatMap((c) => c.findings);
  const enforcement = dmarcEnforcement(checks.dmarc);
  const facts: Facts = {
    domain, checks, findings, messages,
    mx: infra.mx, web: infra.web,
    spfRecord: infra.spfRecord, spfOutcome: infra.spfOutcome, nameservers: infra.nameservers,
    dmarcEnforced: enforcement.domain,
    dmarcSubdomainsEnforced: enforcement.subdomains,
    mailProvider: provider.mail, dnsProvider: provider.dns,
    origins, messageAddresses: senderAddresses, bounces: bounceFacts(messages, origins),
    blocklists: blocklistReport?.results ? blocklistHits(blocklistReport) : [],
    aggregate,
    cite: citation(ctx.resolver.transcript),
  };
  progress({ kind: 'phase', phase: 'diagnosis' });
  const down = dnsDown(ctx.resolver.transcript);
  // With no DNS answer at all, every DNS-based cause would be an artefact of the outage.
  const causes = runRules(facts).filter((c) => !down || FROM_MESSAGES_ALONE.has(c.id));
  const verdict = down ? 'incomplete' : verdictOf(causes, checks);
  return {
    schema: 'mailsleuth/diagnosis@1',
    domain,
    generatedAt: ctx.now().toISOString(),
    durationMs: Math.round(performance.now() - started),
    verdict,
    headline: down ? `Could not complete the checks for ${domain}: no DNS answer at all (${down}).` : headlineOf(domain, causes, verdict, incompleteReason(checks)),
    causes,
    findings,
    checks,
    messages: messages.map((m) => ({ file: m.name, ...m.analysis })),
    ...(aggregate ? { aggregate } : {}),
    dns: { servers: [...ctx.resolver.servers], queriesSent: ctx.resolver.stats.queriesSent, cacheHits: ctx.resolver.stats.cacheHits, transcript: [...ctx.resolver.transcript] },
  };
}
