/**
 * The facts the rules reason over, gathered once per run: the domain's infrastructure (MX, web host,
 * SPF, provider), every analysed message, who sent each bounced message and in what role, and the
 * blocklist results. Rules never query anything themselves.
 */
import type { CheckResult, Finding } from '../checks/types.ts';
import type { MessageAnalysis, BounceRecipient } from '../message/types.ts';
import type { AggregateSummary } from '../reports/dmarc/types.ts';

export interface MxHostFact { host: string; preference: number; addresses: string[] }
export interface WebHostFact { name: string; addresses: string[] }

/** The mail provider as identified from MX/SPF, with what the fixes need. */
export interface MailProviderFact {
  id: string;
  name: string;
  /** The SPF include the provider documents, e.g. `spf.protection.outlook.com`. */
  spfInclude: string | null;
  docs: Record<string, string>;
  evidence: string[];
}

/**
 * `authenticated-user`: submitted with SMTP AUTH (RFC 3848 ESMTPA/ESMTPSA) or a signed-in mailbox —
 * the domain's own user, wherever they sat. `third-party-service`: a service (an ESP) that signs
 * with its own domain's DKIM key on the domain's behalf.
 */
export type OriginRole = 'mail-provider' | 'spf-authorized' | 'authenticated-user' | 'third-party-service' | 'mx-host' | 'web-host' | 'unknown';

/** Who sent a message that came back, and how it relates to the domain. */
export interface OriginFact {
  /** The message (file name) this origin was read from. */
  message: string;
  ip: string | null;
  host: string | null;
  role: OriginRole;
  /** check_host() for this IP (null when there was no IP or no evaluation)… */
  spfResult: string | null;
  /** …of this domain: the From domain when it is a subdomain, else the domain itself. */
  spfDomain: string;
  /** Whether the mail provider's own SPF authorizes the IP. */
  providerAuthorizes: boolean | null;
  /** PTR name(s) of the IP, and whether forward-confirmed. */
  ptr: { names: string[]; confirmed: boolean; outcome: string } | null;
  /** How the origin was found, for evidence. */
  reasoning: string[];
  /** Lines that betray a script on a web host (X-PHP-Originating-Script…). */
  submissionSigns: string[];
  /** Whether the returned message carried a DKIM signature of the domain. */
  domainDkim: 'none' | 'present';
  /** Whether this origin's message claims to be from the domain. */
  fromDomain: boolean;
  /** The domain of the From address (the domain itself or one of its subdomains). */
  fromName: string | null;
  /** The d= of a DKIM signature by another domain (the service that sent it), if any. */
  service: string | null;
  /** Addresses the receivers named in their refusals, other than `ip`: the outbound relay they saw. */
  relays: { ip: string; spfResult: string; ptr: OriginFact['ptr'] }[];
}

export interface BlocklistHit {
  target: string;
  list: string;
  listName: string;
  zone: string;
  kind: 'ip' | 'domain';
  status: 'listed' | 'not-listed' | 'error';
  codes: string[];
  /** Short names of the matched codes (XBL, PBL, phish…). */
  labels: string[];
  meaning: string;
  /** `abuse` listings accuse; `policy` ones (PBL) only say the address should not send directly. */
  nature: 'abuse' | 'policy' | 'unknown';
  txt: string | null;
  url: string | null;
  delistUrl: string | null;
  delistNote: string | null;
  /** Why the list refused the query (public resolver, volume, key), or null. */
  errorKind: string | null;
  /** Transcript id of the DNS answer. */
  dns: number | null;
}

export interface BounceFact {
  message: string;
  recipient: BounceRecipient;
  reportingMta: string | null;
  /** True when the bounced message was sent by the domain's legitimate infrastructure. */
  legitimate: boolean | null;
}

export interface Facts {
  domain: string;
  checks: Record<string, CheckResult>;
  findings: Finding[];
  messages: { name: string; analysis: MessageAnalysis }[];
  mx: MxHostFact[];
  web: WebHostFact[];
  spfRecord: string | null;
  spfOutcome: string;
  nameservers: string[];
  /** DMARC asks receivers to quarantine or reject (both RFC readings, pct 100); null when unknown. */
  dmarcEnforced: boolean | null;
  /** The same for mail From a subdomain that does not exist (sp/np); null when unknown. */
  dmarcSubdomainsEnforced: boolean | null;
  mailProvider: MailProviderFact | null;
  dnsProvider: { id: string; name: string; docs: Record<string, string> } | null;
  origins: OriginFact[];
  /** Every address read from the messages (origins and the relays named in refusals). */
  messageAddresses: string[];
  bounces: BounceFact[];
  blocklists: BlocklistHit[];
  /** DMARC aggregate reports given to the run, read and summed; null when none. */
  aggregate: AggregateSummary | null;
  /** Lines of the DNS transcript by id, formatted for citation (`dns#3 acme.example MX → 0 mx…`). */
  cite: (id: number | null | undefined) => string;
}

export function findingsOf(facts: Facts, check: string): Finding[] {
  return facts.checks[check]?.findings ?? [];
}

export function dataOf<T = Record<string, unknown>>(facts: Facts, check: string): T | null {
  return (facts.checks[check]?.data as T | undefined) ?? null;
}
