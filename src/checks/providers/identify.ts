/**
 * Provider identification from facts already gathered (MX hosts, SPF includes, NS, web CNAMEs,
 * addresses and HTTP headers). Pure, so the diagnosis can call it on whatever evidence it holds.
 */
import { catalog, matches, type MailRole, type ProviderDocs, type HeaderRule } from './catalog.ts';

export interface ProviderFacts {
  /** MX exchange names. */
  mx?: readonly string[];
  /** Every `include:` / `redirect=` target seen while walking the SPF record, at any depth. */
  spfIncludes?: readonly string[];
  /** Name servers of the domain's zone. */
  ns?: readonly string[];
  /** CNAME targets met while resolving the web site's names (apex, www). */
  webNames?: readonly string[];
  /** Addresses of the web site. */
  webAddresses?: readonly string[];
  /** Response headers of the web site (from the web probe), any case. */
  httpHeaders?: Readonly<Record<string, string | readonly string[]>>;
}

export type EvidenceSource = 'mx' | 'spf' | 'ns' | 'cname' | 'address' | 'http-header';

export interface ProviderEvidence {
  source: EvidenceSource;
  value: string;
}

export interface ProviderMatch {
  id: string;
  name: string;
  role: MailRole | 'dns-host' | 'web-host';
  evidence: ProviderEvidence[];
  docs: ProviderDocs;
  /** Mail providers: the SPF include to publish for them. */
  spfInclude?: string;
  /** Mail providers: their documented DKIM selectors (candidates for discovery). */
  dkimSelectors?: string[];
  /** Catalog fields not confirmed by the provider itself: say "unverified" when relying on them. */
  unverified: string[];
}

export interface ProviderIdentification {
  /** Mail providers, those seen in MX first. */
  mail: ProviderMatch[];
  dns: ProviderMatch[];
  web: ProviderMatch[];
  /** Who hosts the mailboxes: the MX provider, or, behind a filtering gateway, a mailbox host seen in SPF. */
  mailboxHost: string | null;
  /** The filtering gateway the MX points at (Mimecast, Proofpoint…), if any. */
  gateway: string | null;
  /** MX hosts no catalog entry claims: self-hosted, or a provider we do not know. */
  unmatchedMx: string[];
}

const clean = (name: string) => name.toLowerCase().replace(/\.$/, '');

function addEvidence(found: Map<string, ProviderMatch>, base: Omit<ProviderMatch, 'evidence'>, evidence: ProviderEvidence): void {
  const match = found.get(base.id) ?? { ...base, evidence: [] };
  if (!match.evidence.some((e) => e.source === evidence.source && e.value === evidence.value)) match.evidence.push(evidence);
  found.set(base.id, match);
}

function identifyMail(facts: ProviderFacts): { mail: ProviderMatch[]; unmatchedMx: string[] } {
  const found = new Map<string, ProviderMatch>();
  const unmatchedMx: string[] = [];
  const mx = (facts.mx ?? []).map(clean).filter(Boolean);
  const includes = (facts.spfIncludes ?? []).map(clean).filter(Boolean);
  for (const provider of catalog().mail) {
    const base = {
      id: provider.id,
      name: provider.name,
      role: provider.role,
      docs: provider.docs,
      ...(provider.spfInclude ? { spfInclude: provider.spfInclude } : {}),
      ...(provider.dkimSelectors.length ? { dkimSelectors: provider.dkimSelectors } : {}),
      unverified: provider.unverified,
    };
    for (const host of mx) if (matches(provider.mx, host)) addEvidence(found, base, { source: 'mx', value: host });
    for (const include of includes) if (matches(provider.spf, include)) addEvidence(found, base, { source: 'spf', value: include });
  }
  for (const host of mx) {
    if (![...found.values()].some((m) => m.evidence.some((e) => e.source === 'mx' && e.value === host))) unmatchedMx.push(host);
  }
  const inMx = (m: ProviderMatch) => m.evidence.some((e) => e.source === 'mx');
  const mail = [...found.values()].sort((a, b) => Number(inMx(b)) - Number(inMx(a)));
  return { mail, unmatchedMx };
}

function headerValues(headers: ProviderFacts['httpHeaders'], name: string): string[] {
  if (!headers) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    out.push(...(Array.isArray(value) ? value : [value as string]));
  }
  return out;
}

function headerHit(rule: HeaderRule, headers: ProviderFacts['httpHeaders']): string | null {
  const values = headerValues(headers, rule.name);
  if (!values.length) return null;
  if (rule.present) return `${rule.name} present`;
  const hit = values.find((v) =>
    rule.equals !== undefined ? v.trim().toLowerCase() === rule.equals.toLowerCase() : rule.includes !== undefined && v.toLowerCase().includes(rule.includes.toLowerCase()),
  );
  return hit === undefined ? null : `${rule.name}: ${hit}`;
}

function identifyDns(facts: ProviderFacts): ProviderMatch[] {
  const found = new Map<string, ProviderMatch>();
  for (const provider of catalog().dns) {
    const base = { id: provider.id, name: provider.name, role: 'dns-host' as const, docs: provider.docs, unverified: provider.unverified };
    for (const ns of (facts.ns ?? []).map(clean)) if (matches(provider.ns, ns)) addEvidence(found, base, { source: 'ns', value: ns });
  }
  return [...found.values()];
}

function identifyWeb(facts: ProviderFacts): ProviderMatch[] {
  const found = new Map<string, ProviderMatch>();
  for (const provider of catalog().web) {
    const base = { id: provider.id, name: provider.name, role: 'web-host' as const, docs: {}, unverified: provider.unverified };
    for (const name of (facts.webNames ?? []).map(clean)) if (matches(provider.cname, name)) addEvidence(found, base, { source: 'cname', value: name });
    for (const ip of facts.webAddresses ?? []) if (provider.addresses.includes(ip)) addEvidence(found, base, { source: 'address', value: ip });
    for (const rule of provider.headers) {
      const hit = headerHit(rule, facts.httpHeaders);
      if (hit) addEvidence(found, base, { source: 'http-header', value: hit });
    }
  }
  return [...found.values()];
}

/**
 * Who hosts the domain's mail, DNS and web site. A gateway MX (Mimecast, Proofpoint…) hides the
 * mailbox host, so then the mailbox host is looked for among the SPF includes (providers.json notes).
 */
export function identifyProviders(facts: ProviderFacts): ProviderIdentification {
  const { mail, unmatchedMx } = identifyMail(facts);
  const viaMx = mail.filter((m) => m.evidence.some((e) => e.source === 'mx'));
  const gateway = viaMx.find((m) => m.role === 'security-gateway')?.id ?? null;
  const directHost = viaMx.find((m) => m.role === 'mailbox-host' || m.role === 'forwarding');
  const behindGateway = gateway ? mail.find((m) => m.role === 'mailbox-host' && m.evidence.some((e) => e.source === 'spf')) : undefined;
  return {
    mail,
    dns: identifyDns(facts),
    web: identifyWeb(facts),
    mailboxHost: directHost?.id ?? behindGateway?.id ?? null,
    gateway,
    unmatchedMx,
  };
}
