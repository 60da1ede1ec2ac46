/**
 * Who sent the mail that came back? A bounce whose returned message left from a host the domain
 * does not authorize (not its mail provider, not in its SPF, not its MX) is backscatter from
 * spoofing or from a rogue/compromised host — the reference case: a web server sending spam.
 */
import type { Cause } from '../types.ts';
import type { Facts, OriginFact } from '../facts.ts';
import { spfFix } from '../fixes.ts';
import { LEGITIMATE_ROLES } from '../origins.ts';

const ROLE_WORDS: Record<string, string> = {
  'web-host': 'the address of the domain\'s own web site',
  'mx-host': 'one of the domain\'s MX hosts',
  unknown: 'a host with no role in the domain\'s mail setup',
};

const SPF_WORDS: Record<string, string> = {
  fail: 'SPF does not authorize that host.',
  softfail: 'SPF does not authorize that host (softfail).',
  neutral: 'SPF makes no statement about that host (neutral).',
  none: 'The domain publishes no SPF record to tell receivers otherwise.',
  'pass (+all)': 'SPF "authorizes" it only through +all, which authorizes every address on the internet.',
};

/**
 * A message signed with the domain's own DKIM key but sent from an address outside SPF is most
 * likely a legitimate service the SPF record forgot (a newsletter tool, a CRM), not a forger —
 * unless a web script wrote it.
 */
function signedButUnlisted(o: OriginFact): boolean {
  return o.domainDkim === 'present' && o.submissionSigns.length === 0 && o.role !== 'web-host';
}

/**
 * The address and the name to know it by: its reverse DNS when it has one. A name the sender gave
 * itself (HELO) proves nothing — a bot greets as the domain it forges — so it is said as a claim.
 */
function describeOrigin(o: OriginFact): string {
  if (!o.ip) return o.host ? `the host ${o.host}` : 'an unknown address';
  const ptr = o.ptr?.names[0];
  if (ptr) return `${o.ip} (${ptr})`;
  if (o.host && o.host !== o.ip) return o.role === 'unknown' ? `${o.ip} (greeting as ${o.host})` : `${o.ip} (${o.host})`;
  return o.ip;
}

function originEvidence(o: OriginFact, facts: Facts): string[] {
  const lines = [`Returned message in ${o.message}: ${o.reasoning.join('; ')}`];
  for (const sign of o.submissionSigns) lines.push(`Header of the returned message: ${sign} — mail written by a script on that host`);
  if (o.role === 'web-host') {
    const web = facts.web.find((w) => o.ip && w.addresses.includes(o.ip));
    if (web) lines.push(`${web.name} resolves to ${o.ip}: the origin is the domain's web host`);
  }
  if (o.spfResult) lines.push(`SPF check_host(${o.ip}, ${o.spfDomain}) = ${o.spfResult}${facts.spfRecord && o.spfDomain === facts.domain ? ` (record: "${facts.spfRecord}")` : ''}`);
  if (o.providerAuthorizes === false && facts.mailProvider) lines.push(`${o.ip} is not in ${facts.mailProvider.name}'s sending networks (${facts.mailProvider.spfInclude ?? 'its SPF'})`);
  if (o.domainDkim === 'none') lines.push(`The returned message carries no DKIM signature of ${facts.domain}`);
  if (o.ptr) lines.push(o.ptr.names.length ? `PTR of ${o.ip}: ${o.ptr.names.join(', ')}${o.ptr.confirmed ? '' : ' (not forward-confirmed)'}` : `${o.ip} has no reverse DNS (${o.ptr.outcome})`);
  return lines;
}

function stopFixes(o: OriginFact, facts: Facts): Cause['fixes'] {
  const provider = facts.mailProvider?.name ?? 'your mail provider';
  const fixes: Cause['fixes'] = [];
  if (o.role === 'web-host' || o.submissionSigns.length) {
    fixes.push({ text: `Stop ${describeOrigin(o)} from sending mail: find the script that sends (${o.submissionSigns.map((s) => s.split(':')[0]).join(', ') || 'the mail log shows it'}), disable PHP mail()/sendmail for the site or remove the abused form, update the CMS and its plugins, rotate the hosting and CMS passwords, and empty the mail queue.` });
    fixes.push({ text: `If the site must send mail (contact forms, notifications), send it through ${provider} with an authenticated SMTP account (submission port 587 with STARTTLS) instead of directly from the web server.`, links: facts.mailProvider?.docs.smtpRelay ? [facts.mailProvider.docs.smtpRelay] : [] });
  } else {
    fixes.push({ text: `${describeOrigin(o)} is not yours: this is spoofing. Bounces of mail you never sent (backscatter) stop mattering once receivers reject the spoofed mail.` });
  }
  fixes.push({ text: 'Enforce DMARC (p=quarantine, then p=reject) so receivers refuse mail in your name that does not come from your own servers; see the DMARC cause for the record.' });
  fixes.push({ text: 'A TLS certificate on the web site does not stop spoofing: SPF, DKIM and an enforced DMARC policy do.' });
  return fixes;
}

function plusAllFix(facts: Facts): Cause['fixes'][number] {
  const value = (facts.spfRecord ?? 'v=spf1 -all').replace(/(^|\s)\+?all(?=\s|$)/i, '$1-all');
  return { text: `End the SPF record with -all instead of +all: +all tells every receiver that any server on the internet may send as ${facts.domain}. List your real senders first.`, dns: [{ name: facts.domain, type: 'TXT', value }] };
}

function protectedFixes(facts: Facts): Cause['fixes'] {
  return [
    { text: `Nothing to change in ${facts.domain}'s DNS: its DMARC policy already asks receivers to refuse mail that fails authentication, and most do. These bounces come from servers that accept mail first and bounce it later (backscatter).` },
    { text: 'Filter the backscatter: a bounce for a message you never sent carries no DKIM signature of yours in the returned copy; your mail provider can quarantine such bounces.' },
  ];
}

export function unauthorizedSender(facts: Facts): Cause[] {
  const seen = new Set<string>();
  const causes: Cause[] = [];
  for (const o of facts.origins) {
    if (!o.fromDomain) continue;
    if (LEGITIMATE_ROLES.has(o.role) && o.role !== 'mx-host') continue;
    if (signedButUnlisted(o)) continue;
    // Without an address or a script's traces there is nothing to accuse: the headers ran out.
    if (!o.ip && !o.submissionSigns.length) continue;
    const key = o.ip ?? o.host ?? o.message;
    if (seen.has(key)) continue;
    seen.add(key);
    const roleWords = ROLE_WORDS[o.role] ?? ROLE_WORDS.unknown;
    const provider = facts.mailProvider ? `, not ${facts.mailProvider.name} which hosts its mail` : '';
    const spfWords = SPF_WORDS[o.spfResult ?? ''] ?? `SPF for that host could not be evaluated (${o.spfResult ?? 'no result'}).`;
    // A forger the domain's enforced DMARC already disowns: receivers that check refuse the mail;
    // the bounces come from those that accept first and bounce later (backscatter).
    // (+all defeats DMARC too: the forgery passes SPF, aligned.)
    // Mail From a subdomain is covered by sp/np, not p: p=reject with sp=none leaves it open.
    const enforced = o.fromName && o.fromName !== facts.domain ? facts.dmarcSubdomainsEnforced : facts.dmarcEnforced;
    const alreadyProtected = enforced === true && o.role === 'unknown' && !o.submissionSigns.length && o.spfResult !== 'pass (+all)';
    causes.push({
      id: 'unauthorized-sender',
      severity: alreadyProtected ? 'warn' : 'critical',
      confidence: o.ip ? (o.submissionSigns.length || o.role === 'web-host' ? 0.95 : 0.85) : 0.7,
      summary: `Mail claiming to be from ${facts.domain} is being sent from ${describeOrigin(o)} — ${roleWords}${provider}. ${spfWords}`,
      evidence: originEvidence(o, facts),
      fixes: [...(o.spfResult === 'pass (+all)' ? [plusAllFix(facts)] : []), ...(alreadyProtected ? protectedFixes(facts) : stopFixes(o, facts))],
      data: { originIp: o.ip, originHost: o.host, originRole: o.role, message: o.message, spfResult: o.spfResult },
    });
  }
  return causes;
}

/**
 * The domain's own mail provider sent the message but the domain's SPF does not authorize it: the
 * provider migration that forgot SPF.
 */
export function signedSenderNotInSpf(facts: Facts): Cause[] {
  const senders = facts.origins.filter((o) => o.ip && o.fromDomain && (o.role === 'unknown' || o.role === 'mx-host') && signedButUnlisted(o));
  const unique = [...new Map(senders.map((o) => [o.ip, o])).values()];
  return unique.map((o) => ({
    id: 'spf-not-authorizing-sender' as const,
    severity: 'error' as const,
    confidence: 0.75,
    summary: `${describeOrigin(o)} sends ${facts.domain}'s mail with a DKIM signature of the domain, but SPF does not authorize it (${o.spfResult}).`,
    evidence: [`Returned message in ${o.message}: ${o.reasoning.join('; ')}`, `It carries a DKIM signature with d=${facts.domain}: the sender holds the domain's key`, `SPF check_host(${o.ip}, ${facts.domain}) = ${o.spfResult}${facts.spfRecord ? ` (record: "${facts.spfRecord}")` : ''}`],
    fixes: [{
      text: `If ${describeOrigin(o)} is a service you use, add it to SPF — the include its documentation gives, or its address — ${facts.spfRecord ? 'in the existing record' : 'in a new record'}; if you do not know it, revoke the DKIM key it used.`,
      dns: [{ name: facts.domain, type: 'TXT', value: ipInSpf(facts.spfRecord, o.ip!) }],
    }],
    data: { originIp: o.ip, spfResult: o.spfResult },
  }));
}

function ipInSpf(record: string | null, ip: string): string {
  const term = `${ip.includes(':') ? 'ip6' : 'ip4'}:${ip}`;
  const terms = (record ?? 'v=spf1 -all').trim().split(/\s+/);
  const at = terms.findIndex((t) => /^[+\-~?]?all$/i.test(t) || /^redirect=/i.test(t));
  terms.splice(at >= 0 ? at : terms.length, 0, term);
  return terms.join(' ');
}

export function providerNotInSpf(facts: Facts): Cause[] {
  const p = facts.mailProvider;
  if (!p?.spfInclude || facts.spfOutcome !== 'found' || !facts.spfRecord) return [];
  const covered = facts.spfRecord.toLowerCase().includes(`include:${p.spfInclude.toLowerCase()}`);
  const senders = facts.origins.filter((o) => o.role === 'mail-provider' && o.spfResult && o.spfResult !== 'pass');
  if (covered && !senders.length) return [];
  if (covered) return [];
  const evidence = [...p.evidence, `SPF of ${facts.domain}: "${facts.spfRecord}" — no include:${p.spfInclude}`];
  for (const o of senders) evidence.push(`${o.message}: sent from ${o.ip}, a ${p.name} address; SPF check_host = ${o.spfResult}`);
  return [{
    id: 'spf-not-authorizing-sender',
    severity: 'error',
    confidence: senders.length ? 0.95 : 0.85,
    summary: `${facts.domain}'s mail is hosted at ${p.name}, but its SPF record does not authorize ${p.name}'s servers: receivers see SPF fail for its legitimate mail.`,
    evidence,
    fixes: [spfFix(facts, p.spfInclude, `Authorize ${p.name} in SPF.`)],
    data: { provider: p.id, missingInclude: p.spfInclude },
  }];
}

/**
 * The domain's own server, as the receiver saw it (the address in its refusal), is not in SPF —
 * e.g. its IPv6 address when SPF lists only the IPv4 one.
 */
export function relayNotInSpf(facts: Facts): Cause[] {
  const seen = new Set<string>();
  const causes: Cause[] = [];
  for (const o of facts.origins) {
    if (!LEGITIMATE_ROLES.has(o.role) || o.role === 'mail-provider' || o.role === 'third-party-service') continue;
    for (const r of o.relays) {
      // Without an SPF record there is nothing to add the address to: spf-missing says so.
      if (r.spfResult === 'pass' || r.spfResult === 'none' || seen.has(r.ip)) continue;
      seen.add(r.ip);
      causes.push({
        id: 'spf-not-authorizing-sender',
        severity: 'error',
        confidence: 0.85,
        summary: `${facts.domain}'s own mail server sends from ${r.ip}, but SPF does not authorize that address (${r.spfResult}).`,
        evidence: [`${o.message}: the receiver's refusal names ${r.ip} as the connecting address`, `The message was sent by the domain's own infrastructure: ${o.reasoning.join('; ')}`, `SPF check_host(${r.ip}, ${facts.domain}) = ${r.spfResult}${facts.spfRecord ? ` (record: "${facts.spfRecord}")` : ''}`],
        fixes: [{
          text: `Add ${r.ip} to SPF${r.ip.includes(':') ? ' (or make the server send over IPv4 only, e.g. Postfix inet_protocols = ipv4)' : ''}.`,
          dns: [{ name: facts.domain, type: 'TXT', value: ipInSpf(facts.spfRecord, r.ip) }],
        }],
        data: { ip: r.ip, spfResult: r.spfResult },
      });
    }
  }
  return causes;
}
