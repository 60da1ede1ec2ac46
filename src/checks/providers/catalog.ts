/**
 * The provider catalog (`data/providers.json`): who runs a domain's mail, DNS and web site, told
 * apart by MX, SPF include, NS and CNAME/address fingerprints, with each provider's setup pages.
 * Loaded once and compiled (suffix lists lower-cased, regexes built) so matching is cheap.
 */
import raw from '../../../data/providers.json' with { type: 'json' };

export type MailRole = 'mailbox-host' | 'security-gateway' | 'esp' | 'forwarding';

/** Setup pages, by what the fix is about; `setup` is the provider's general page. */
export interface ProviderDocs {
  setup?: string;
  spf?: string;
  dkim?: string;
  dmarc?: string;
  mx?: string;
  postmaster?: string;
  errors?: string;
  troubleshooting?: string;
  /** DNS hosts: where records are edited. */
  records?: string;
}

export interface HeaderRule {
  name: string;
  equals?: string;
  includes?: string;
  present?: boolean;
}

interface Matcher {
  suffixes: string[];
  patterns: RegExp[];
}

export interface MailProvider {
  id: string;
  name: string;
  role: MailRole;
  mx: Matcher;
  spf: Matcher;
  /** The include to recommend in a fix: the first plain one. */
  spfInclude: string | null;
  dkimSelectors: string[];
  docs: ProviderDocs;
  unverified: string[];
}

export interface DnsProvider { id: string; name: string; ns: Matcher; docs: ProviderDocs; unverified: string[] }
export interface WebProvider { id: string; name: string; cname: Matcher; addresses: string[]; headers: HeaderRule[]; unverified: string[] }

export interface Catalog {
  mail: MailProvider[];
  dns: DnsProvider[];
  web: WebProvider[];
}

interface RawMatcher { suffixes?: string[]; patterns?: string[] }

function matcher(m: RawMatcher | undefined): Matcher {
  return {
    suffixes: (m?.suffixes ?? []).map((s) => s.toLowerCase().replace(/\.$/, '')),
    patterns: (m?.patterns ?? []).map((p) => new RegExp(p, 'i')),
  };
}

/** Equal to a suffix or below it (`a.b.example` ends with `.b.example`), or a pattern hit. */
export function matches(m: Matcher, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (!n) return false;
  return m.suffixes.some((s) => n === s || n.endsWith(`.${s}`)) || m.patterns.some((p) => p.test(n));
}

function compile(): Catalog {
  const mail = raw.mail.map((p): MailProvider => ({
    id: p.id,
    name: p.name,
    role: p.category as MailRole,
    mx: matcher(p.mx),
    spf: matcher({ suffixes: p.spf.includes, patterns: p.spf.patterns }),
    spfInclude: p.spf.includes[0] ?? null,
    dkimSelectors: p.dkim.selectors,
    docs: p.docs as ProviderDocs,
    unverified: (p as { unverified?: string[] }).unverified ?? [],
  }));
  const dns = raw.dns.map((p): DnsProvider => ({ id: p.id, name: p.name, ns: matcher(p.ns), docs: p.docs as ProviderDocs, unverified: (p as { unverified?: string[] }).unverified ?? [] }));
  const web = raw.web.map((p): WebProvider => ({
    id: p.id,
    name: p.name,
    cname: matcher(p.cname),
    addresses: p.addresses,
    headers: p.headers as HeaderRule[],
    unverified: (p as { unverified?: string[] }).unverified ?? [],
  }));
  return { mail, dns, web };
}

let compiled: Catalog | null = null;

export function catalog(): Catalog {
  compiled ??= compile();
  return compiled;
}
