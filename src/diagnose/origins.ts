/**
 * Who sent each message that came back, and in what role towards the domain: its mail provider,
 * a server its SPF authorizes, one of its own users (authenticated submission), a third-party
 * service signing with its own key, its web host, its MX — or nobody it knows (a forger).
 * Also the addresses the receivers named in their refusals: the domain's real outbound address
 * when the sending server is its own.
 */
import { isIP } from 'node:net';
import type { Context } from '../checks/types.ts';
import type { MessageAnalysis } from '../message/types.ts';
import type { PtrData } from '../checks/ptr/index.ts';
import { checkHost, type SpfRecordTrace } from '../checks/spf/index.ts';
import { specialRange } from '../net/dialer/index.ts';
import type { BounceFact, MailProviderFact, OriginFact, OriginRole } from './facts.ts';
import type { Infrastructure } from './gather.ts';

export interface RawOrigin {
  message: string;
  analysis: MessageAnalysis;
  ip: string | null;
  host: string | null;
  reasoning: string[];
  /** The message whose origin this is: the returned original, or the message itself. */
  carrier: MessageAnalysis;
  authenticated: boolean;
  /** Public addresses the receivers named in their refusal texts (`[2001:db8::25]`, `Client host [x]`). */
  relayIps: string[];
}

/** RFC 3848 transmission types of an authenticated submission, and the comment Postfix/Exim/Sendmail add. */
const AUTH_WITH = /^(?:E?SMTPS?A|LMTPS?A|UTF8SMTPS?A|ESMTPSA|ASMTP)\b/i;
const AUTH_TEXT = /\(Authenticated sender:|\bauthenticated as\b|\(authenticated bits=/i;

function authenticatedSubmission(m: MessageAnalysis): string | null {
  const hop = m.hops.find((h) => AUTH_WITH.test(h.with ?? '') || AUTH_TEXT.test(h.raw));
  if (hop) return `hop ${hop.index} was an authenticated submission (${hop.with ?? 'SMTP AUTH'}) by ${hop.by ?? 'the relay'}: the domain's own user sent it`;
  // Exchange Online stamps how the submitter authenticated; Internal means a signed-in mailbox.
  const authAs = m.microsoft?.organization['authas'];
  if (authAs && /^internal$/i.test(authAs)) return 'Exchange Online recorded the submission as authenticated (X-MS-Exchange-Organization-AuthAs: Internal): a signed-in mailbox of the tenant sent it';
  return null;
}

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

const IP = String.raw`((?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})`;
/**
 * An address as receivers name the connecting client: in brackets (`[203.0.113.5]`, Gmail's
 * `[2001:db8::25 12]`) or after a word that says so (`IP 203.0.113.5`, `client host 203.0.113.5`).
 * A bare dotted number is not enough: Yahoo's "4.16.55.1" is an error code. Postfix's
 * `host mx.example[192.0.2.5] said:` names the receiving server, not the sender, so a bracket glued
 * to a host name does not count.
 */
const IP_IN_TEXT = new RegExp(String.raw`(?<![\w.-])\[${IP}(?:[\] ]|$)|\b(?:IP(?: address)?|address|client(?: host)?|host|sender|from)[\s:=]+\[?${IP}\b`, 'gi');

/** Public addresses in the receivers' refusal texts: the address that connected to them. */
function addressesInRefusals(analysis: MessageAnalysis): string[] {
  const found = new Set<string>();
  for (const r of analysis.bounce?.recipients ?? []) {
    for (const m of (r.diagnostic ?? '').matchAll(IP_IN_TEXT)) {
      const ip = (m[1] ?? m[2] ?? '').toLowerCase();
      if (isIP(ip) && !specialRange(ip)) found.add(ip);
    }
  }
  return [...found];
}

/** Where the message that came back (or the message given) started its journey. */
export function rawOrigins(messages: { name: string; analysis: MessageAnalysis }[]): RawOrigin[] {
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
    const relayIps = addressesInRefusals(analysis);
    if (!ip && relayIps[0]) { ip = relayIps[0]; reasoning.push(`the refusal names ${ip} as the sending address`); }
    const auth = authenticatedSubmission(carrier);
    if (auth) reasoning.push(auth);
    out.push({ message: name, analysis, ip, host, reasoning, carrier, authenticated: !!auth, relayIps: relayIps.filter((r) => r !== ip) });
  }
  return out;
}

/**
 * Every address that sent or relayed the messages: the reverse DNS and blocklist checks get them
 * all — except a user's client that submitted with authentication: it never talked to a receiver,
 * and a home address on the PBL is exactly where it should be.
 */
export function senderAddresses(raw: RawOrigin[]): string[] {
  return [...new Set(raw.flatMap((o) => [...(o.ip && !o.authenticated ? [o.ip] : []), ...o.relayIps]))];
}

/**
 * The envelope (MAIL FROM) domain the receiver checked SPF for, from its Authentication-Results
 * (`smtp.mailfrom`) or Received-SPF (`envelope-from`); null when the copy does not say.
 */
function envelopeDomain(m: MessageAnalysis): string | null {
  const fromAr = m.authResults.flatMap((a) => a.results).find((r) => r.method === 'spf' && r.properties['smtp.mailfrom'])?.properties['smtp.mailfrom'];
  const fromRspf = m.receivedSpf.find((r) => r.properties['envelope-from'])?.properties['envelope-from'];
  const address = fromAr ?? fromRspf ?? null;
  if (!address) return null;
  const domain = (address.includes('@') ? address.split('@').pop()! : address).replace(/[<>]/g, '').toLowerCase();
  return domain || null;
}

const domainOf = (address: string | null) => address?.match(/@([^>\s]+)>?\s*$/)?.[1]?.toLowerCase() ?? null;

const inDomain = (d: string | null, domain: string) => !!d && (d === domain || d.endsWith(`.${domain}`));

function ptrOf(ptr: PtrData | null, ip: string): OriginFact['ptr'] {
  const r = ptr?.addresses.find((a) => a.ip === ip);
  return r ? { names: r.ptr, confirmed: r.fcrdns === true, outcome: r.outcome } : null;
}

/** The term that decided a trace matched `all` with a pass qualifier (also through include/redirect). */
function passedByAll(trace: SpfRecordTrace): boolean {
  const matched = trace.terms.find((t) => t.matched);
  if (!matched) return false;
  if (/^\+?all$/i.test(matched.term)) return true;
  return matched.record ? passedByAll(matched.record) : false;
}

/**
 * check_host() for the address. A pass that only `+all` gave authorizes every address on the
 * internet: it says nothing about who the sender is, so it reads as "pass (+all)", not pass.
 */
async function spfFor(ctx: Context, ip: string, domain: string): Promise<string> {
  const result = await checkHost(ctx, { ip, domain, sender: `postmaster@${domain}` });
  return result.result === 'pass' && passedByAll(result.trace) ? 'pass (+all)' : result.result;
}

export const LEGITIMATE_ROLES: ReadonlySet<OriginRole> = new Set(['mail-provider', 'spf-authorized', 'authenticated-user', 'third-party-service', 'mx-host']);

/** Each raw origin with its role, SPF for the domain and for the provider, PTR, and the relays' SPF. */
export async function resolveOrigins(ctx: Context, domain: string, raw: RawOrigin[], infra: Infrastructure, provider: MailProviderFact | null, ptr: PtrData | null): Promise<OriginFact[]> {
  return Promise.all(raw.map(async (o): Promise<OriginFact> => {
    const fromName = domainOf(o.carrier.from);
    const fromDomain = inDomain(fromName, domain) || (o.analysis.kind === 'bounce' && !o.analysis.original);
    const signs = o.carrier.submission.map((s) => `${s.header}: ${s.value}`);
    const domainDkim = o.carrier.dkimSignatures.some((s) => inDomain(s.d, domain)) ? 'present' : 'none';
    // A service signing with its own domain's key (an ESP without the domain authenticated).
    const service = o.carrier.dkimSignatures.find((s) => s.d && !inDomain(s.d, domain))?.d ?? null;
    // Receivers check SPF for the envelope domain (a custom MAIL FROM like bounce.<domain> has its
    // own SPF); when the copy does not record it, the From domain stands in (a forged subdomain has
    // its own SPF, or none).
    const envelope = envelopeDomain(o.carrier);
    const spfDomain = envelope && inDomain(envelope, domain) ? envelope : fromName && inDomain(fromName, domain) ? fromName : domain;
    const base = { message: o.message, host: o.host, submissionSigns: signs, domainDkim, fromDomain, fromName, service, spfDomain } as const;
    // The address a receiver names is the domain's own outbound server only when the bounce comes
    // from the domain's own MTA; behind a forwarder or a hosting relay it is theirs.
    const reporter = o.analysis.bounce?.reportingMta?.toLowerCase().replace(/^dns;\s*/, '') ?? null;
    const ownReporter = !!reporter && (inDomain(reporter, domain) || infra.mx.some((m) => m.host === reporter));
    const relays = ownReporter ? await Promise.all(o.relayIps.map(async (ip) => ({ ip, spfResult: await spfFor(ctx, ip, domain), ptr: ptrOf(ptr, ip) }))) : [];
    if (!o.ip) {
      const role: OriginRole = o.authenticated ? 'authenticated-user' : 'unknown';
      return { ...base, ip: null, role, spfResult: null, providerAuthorizes: null, ptr: null, relays, reasoning: o.reasoning.length ? o.reasoning : ['no sending address could be read from the headers'] };
    }
    const ip = o.ip;
    const [spfResult, providerResult] = await Promise.all([
      spfFor(ctx, ip, spfDomain),
      provider?.spfInclude ? spfFor(ctx, ip, provider.spfInclude) : Promise.resolve(null),
    ]);
    const providerAuthorizes = providerResult === null ? null : providerResult === 'pass';
    let role: OriginRole = 'unknown';
    if (providerAuthorizes) role = 'mail-provider';
    else if (spfResult === 'pass') role = 'spf-authorized';
    else if (o.authenticated) role = 'authenticated-user';
    else if (infra.web.some((w) => w.addresses.includes(ip))) role = 'web-host';
    else if (service && !signs.length) role = 'third-party-service';
    else if (infra.mx.some((m) => m.addresses.includes(ip))) role = 'mx-host';
    const reasoning = role === 'third-party-service' ? [...o.reasoning, `it carries a DKIM signature of ${service}, the service that sent it`] : o.reasoning;
    return { ...base, ip, role, spfResult, providerAuthorizes, ptr: ptrOf(ptr, ip), relays, reasoning };
  }));
}

export function bounceFacts(messages: { name: string; analysis: MessageAnalysis }[], origins: OriginFact[]): BounceFact[] {
  return messages.flatMap(({ name, analysis }) => {
    if (!analysis.bounce) return [];
    const origin = origins.find((o) => o.message === name);
    const legitimate = !origin || (!origin.ip && origin.role === 'unknown') ? null : LEGITIMATE_ROLES.has(origin.role);
    return analysis.bounce.recipients.map((recipient) => ({ message: name, recipient, reportingMta: analysis.bounce!.reportingMta, legitimate }));
  });
}
