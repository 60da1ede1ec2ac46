/**
 * Provider check: who hosts the domain's mail, DNS and web site (from MX, SPF, NS and web
 * fingerprints in data/providers.json), so fixes can say where to click. Also catches the commonest
 * hosted-mail slip: mail hosted at a provider whose SPF include the domain's SPF record lacks.
 */
import type { CheckResult, Context, Finding } from '../types.ts';
import { checkStatus } from '../status.ts';
import { lookupMxRecords, type MxRecordSet } from '../mx/index.ts';
import { catalog, matches } from './catalog.ts';
import { gatherFacts, type GatheredFacts } from './facts.ts';
import { identifyProviders, type ProviderIdentification, type ProviderMatch, type ProviderFacts } from './identify.ts';

export { identifyProviders, type ProviderIdentification, type ProviderMatch, type ProviderFacts };
export { catalog, type MailProvider, type DnsProvider, type WebProvider, type ProviderDocs } from './catalog.ts';
export { spfTargets, spfSingleAddresses } from './facts.ts';

export interface ProvidersData extends ProviderIdentification {
  facts: ProviderFacts;
  /** Single addresses the domain's own SPF records authorize (its own sending servers). */
  ownSpfAddresses: string[];
}

const list = (matches: ProviderMatch[]) => matches.map((m) => `${m.name} (${[...new Set(m.evidence.map((e) => e.source))].join(', ')})`).join(', ');

function summary(domain: string, found: ProviderIdentification, dns: number[]): Finding {
  const parts = [
    found.mail.length ? `mail: ${list(found.mail)}` : found.unmatchedMx.length ? `mail: ${found.unmatchedMx.join(', ')} (self-hosted or unknown provider)` : null,
    found.dns.length ? `DNS: ${list(found.dns)}` : null,
    found.web.length ? `web: ${list(found.web)}` : null,
  ].filter(Boolean);
  return {
    id: 'providers.identified',
    severity: 'info',
    title: parts.length ? `Providers of ${domain}: ${parts.join('; ')}` : `No known provider recognised for ${domain}`,
    detail: found.gateway
      ? `Inbound mail passes the ${found.mail.find((m) => m.id === found.gateway)?.name} filtering gateway${found.mailboxHost ? ` before ${found.mail.find((m) => m.id === found.mailboxHost)?.name}` : ''}.`
      : 'Identified from MX, SPF includes, name servers and web host names.',
    data: { mailboxHost: found.mailboxHost, gateway: found.gateway, mail: found.mail.map((m) => m.id), dns: found.dns.map((m) => m.id), web: found.web.map((m) => m.id) },
    dns,
  };
}

/** The record with `include:` added before its final `all` (or at the end when it has none). */
function withInclude(record: string, include: string): string {
  const terms = record.trim().split(/\s+/);
  const all = terms.findIndex((t) => /^[+?~-]?all$/i.test(t));
  terms.splice(all < 0 ? terms.length : all, 0, `include:${include}`);
  return terms.join(' ');
}

/** Mail hosted at a provider (MX points straight at it) whose SPF include the domain's SPF record never reaches. */
function missingInclude(domain: string, found: ProviderIdentification, gathered: GatheredFacts): Finding | null {
  if (!gathered.spfRecord || gathered.failed.length || found.gateway) return null;
  const host = found.mail.find((m) => m.id === found.mailboxHost);
  if (!host?.spfInclude || host.role !== 'mailbox-host' || host.unverified.some((u) => u === 'spf' || u === 'entry')) return null;
  const provider = catalog().mail.find((p) => p.id === host.id)!;
  if ((gathered.facts.spfIncludes ?? []).some((i) => matches(provider.spf, i))) return null;
  return {
    id: 'providers.spf-missing-include',
    severity: 'warn',
    title: `${domain}'s mail is hosted at ${host.name}, but its SPF record does not include ${host.spfInclude}`,
    detail: `Mail that ${host.name} sends for ${domain} is not authorized by "${gathered.spfRecord}" unless its addresses are listed some other way; receivers then see an SPF fail or softfail.`,
    data: { provider: host.id, include: host.spfInclude, record: gathered.spfRecord },
    dns: gathered.dns,
    fix: {
      text: `Add include:${host.spfInclude} to the SPF record of ${domain}, before the final "all".`,
      dns: [{ name: domain, type: 'TXT', value: withInclude(gathered.spfRecord, host.spfInclude) }],
      ...(host.docs.spf ?? host.docs.setup ? { links: [(host.docs.spf ?? host.docs.setup)!] } : {}),
    },
  };
}

export interface ProvidersOptions {
  /** An MX lookup already in flight (shared with the MX check). */
  mx?: Promise<MxRecordSet>;
  /** Called with the domain's own SPF single addresses as the SPF walk finds them. */
  onOwnSpfAddresses?: (addresses: string[]) => void;
}

export async function checkProviders(ctx: Context, domain: string, options: ProvidersOptions = {}): Promise<CheckResult<ProvidersData>> {
  const gathered = await gatherFacts(ctx, domain, options.mx ?? lookupMxRecords(ctx, domain), options.onOwnSpfAddresses);
  const found = identifyProviders(gathered.facts);
  const findings: Finding[] = [summary(domain, found, gathered.dns)];
  const missing = missingInclude(domain, found, gathered);
  if (missing) findings.push(missing);
  if (gathered.failed.length) {
    findings.push({ id: 'providers.lookup-failed', severity: 'warn', title: 'Some lookups failed: the providers found may be incomplete', detail: gathered.failed.join('; '), dns: gathered.dns });
  }
  return { id: 'providers', status: checkStatus(findings, gathered.failed.length > 0), findings, data: { ...found, facts: gathered.facts, ownSpfAddresses: gathered.ownSpfAddresses } };
}

export async function run(ctx: Context, domain: string): Promise<CheckResult<ProvidersData>> {
  return checkProviders(ctx, domain);
}
