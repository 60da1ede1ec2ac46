/**
 * Blocklist causes: a sending address or the domain listed (confirmed in DNS, or named in a bounce),
 * and a resolver refused by a list — which makes the check unreliable, never clean.
 */
import type { Cause, CauseId } from '../types.ts';
import type { BlocklistHit, Facts } from '../facts.ts';
import { LEGITIMATE_ROLES } from '../origins.ts';

function hitLine(h: BlocklistHit, facts: Facts): string {
  const txt = h.txt ? ` — TXT "${h.txt}"` : '';
  return `${h.target} is listed on ${h.listName} (${h.zone}): ${h.codes.join(', ')} = ${h.meaning}${txt} [${facts.cite(h.dns)}]`;
}

function delistFixes(hits: BlocklistHit[]): Cause['fixes'] {
  const byList = new Map<string, BlocklistHit>();
  for (const h of hits) if (!byList.has(h.list)) byList.set(h.list, h);
  return [...byList.values()].map((h) => ({
    text: `Request removal from ${h.listName}${h.delistNote ? `: ${h.delistNote.replace(/\.\s*$/, '')}` : ''}. Do it only after the cause is fixed — lists relist quickly, and some refuse a second request.`,
    links: [h.delistUrl ?? h.url].filter((u): u is string => !!u),
  }));
}

/** Addresses the bounce texts said were listed, by list name, for evidence. */
function bounceMentions(facts: Facts, target: string): string[] {
  const lines: string[] = [];
  for (const b of facts.bounces) {
    for (const m of b.recipient.blocklists) {
      if (m.listed === target || (!m.listed && b.recipient.diagnostic?.includes(target))) {
        lines.push(`${b.message}: the receiver refused with "${b.recipient.diagnostic}"`);
      }
    }
  }
  return [...new Set(lines)];
}

function roleOf(facts: Facts, ip: string): string {
  if (facts.origins.some((o) => o.ip === ip && o.role === 'web-host')) return 'the web host that sent the bounced mail';
  if (facts.origins.some((o) => o.ip === ip)) return 'the host that sent the bounced mail';
  if (facts.web.some((w) => w.addresses.includes(ip))) return 'the web host';
  if (facts.mx.some((m) => m.addresses.includes(ip))) return 'an MX host';
  return 'a sending address';
}

/** Addresses of forgers (origins that are nobody the domain knows): their listings are theirs, not the domain's. */
function strangers(facts: Facts): Set<string> {
  return new Set(facts.origins.filter((o) => o.role === 'unknown').flatMap((o) => [...(o.ip ? [o.ip] : []), ...o.relays.map((r) => r.ip)]));
}

export function senderBlocklisted(facts: Facts): Cause[] {
  const foreign = strangers(facts);
  const listed = facts.blocklists.filter((h) => h.kind === 'ip' && h.status === 'listed' && !foreign.has(h.target));
  const targets = [...new Set(listed.map((h) => h.target))];
  const causes: Cause[] = targets.map((ip) => {
    const hits = listed.filter((h) => h.target === ip);
    const abuse = hits.some((h) => h.nature === 'abuse');
    const names = hits.map((h) => h.listName);
    // A policy listing (PBL) accuses nobody, but receivers using the list still refuse a server
    // that sends from such an address: for the domain's own mail server it stops delivery.
    const sendsMail = facts.mx.some((m) => m.addresses.includes(ip)) || facts.origins.some((o) => (o.ip === ip && LEGITIMATE_ROLES.has(o.role)) || o.relays.some((r) => r.ip === ip));
    return {
      id: 'sender-blocklisted' as CauseId,
      severity: abuse || sendsMail ? 'error' as const : 'warn' as const,
      confidence: abuse ? 0.9 : sendsMail ? 0.75 : 0.6,
      summary: `${ip} (${roleOf(facts, ip)}) is listed on ${[...new Set(names)].join(' and ')}${abuse ? '' : ' — a policy listing: this address should not send mail directly to other servers'}.`,
      evidence: [...hits.map((h) => hitLine(h, facts)), ...bounceMentions(facts, ip)],
      fixes: [
        ...(abuse ? [{ text: `Find and stop what made ${ip} send spam first (a compromised site, an open form, malware); a listing comes back if the cause remains.` }] : [{ text: `Send mail through your provider's servers (authenticated submission) rather than directly from ${ip}.` }]),
        ...delistFixes(hits),
      ],
      data: { ip, lists: hits.map((h) => ({ list: h.list, name: h.listName, labels: h.labels, zone: h.zone, codes: h.codes, meaning: h.meaning, nature: h.nature })) },
    };
  });
  // Lists named in bounces that our own lookups did not confirm (private lists such as Microsoft's
  // or Proofpoint's, or delisted since): still evidence, one cause per address with every list.
  const unconfirmed = new Map<string, { names: Set<string>; evidence: string[]; links: Set<string>; lists: { list: string; zone: string | null }[] }>();
  for (const b of facts.bounces) {
    if (b.legitimate === false) continue;
    for (const m of b.recipient.blocklists) {
      if (!m.listed || !/^[\d.:a-f]+$/i.test(m.listed) || foreign.has(m.listed)) continue;
      if (facts.blocklists.some((h) => h.target === m.listed && h.status === 'listed') || causes.some((c) => c.data?.ip === m.listed)) continue;
      const entry = unconfirmed.get(m.listed) ?? { names: new Set(), evidence: [], links: new Set(), lists: [] };
      entry.names.add(m.name);
      entry.evidence.push(`${b.message}: "${b.recipient.diagnostic}"`);
      if (m.lookupUrl) entry.links.add(m.lookupUrl);
      if (!entry.lists.some((l) => l.list === m.id)) entry.lists.push({ list: m.id, zone: m.zone });
      unconfirmed.set(m.listed, entry);
    }
  }
  for (const [ip, e] of unconfirmed) {
    const names = [...e.names];
    causes.push({
      id: 'sender-blocklisted', severity: 'error',
      // Several receivers naming the same address is as good as a lookup.
      confidence: names.length > 1 || e.evidence.length > 1 ? 0.8 : 0.6,
      summary: `Receivers refused mail from ${ip} because it is on their blocklist${names.length > 1 ? 's' : ''}: ${names.join(', ')}.`,
      evidence: [...new Set(e.evidence), `Public DNS blocklists did not confirm it: ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} private to the receiver, or the listing was lifted since`],
      fixes: [{ text: `Request removal from ${names.join(' and ')} (each has its own form; see the links) once what caused it is fixed.`, links: [...e.links] }],
      data: { ip, lists: e.lists },
    });
  }
  return causes;
}

export function domainBlocklisted(facts: Facts): Cause[] {
  const hits = facts.blocklists.filter((h) => h.kind === 'domain' && h.status === 'listed');
  const mentioned = facts.bounces.filter((b) => b.recipient.blocklists.some((m) => m.listed?.toLowerCase() === facts.domain || /dbl|surbl|uribl/i.test(m.id)));
  if (!hits.length && !mentioned.length) return [];
  const names = [...new Set(hits.map((h) => h.listName))];
  return [{
    id: 'domain-blocklisted',
    severity: 'error',
    confidence: hits.length ? 0.9 : 0.6,
    summary: `${facts.domain} itself is listed on ${names.join(' and ') || 'a domain blocklist named in a bounce'}: receivers refuse mail that mentions it, whichever server sends it.`,
    evidence: [...hits.map((h) => hitLine(h, facts)), ...mentioned.map((b) => `${b.message}: the receiver refused with "${b.recipient.diagnostic}"`)],
    fixes: [
      // DBL's abused-legit codes (127.0.1.10x) say the site itself was hacked to host spam or phishing.
      hits.some((h) => /abused|compromised|hacked/i.test(`${h.meaning} ${h.labels.join(' ')}`))
        ? { text: `The listing says ${facts.domain}'s own web site was compromised (abused legitimate domain): remove the malware, phishing pages or injected links, update the CMS and its plugins, change the hosting passwords — then request removal.` }
        : { text: `Domain lists list a domain that appears in spam: stop the spam sent in its name first${facts.origins.some((o) => o.role === 'unknown' || o.role === 'web-host') ? ' (see the other causes)' : ''}, then request removal.` },
      ...delistFixes(hits),
    ],
    data: { lists: hits.map((h) => ({ list: h.list, name: h.listName, labels: h.labels, zone: h.zone, codes: h.codes, meaning: h.meaning })) },
  }];
}

export function blocklistQueryRefused(facts: Facts): Cause[] {
  const refused = facts.blocklists.filter((h) => h.status === 'error' && h.errorKind);
  if (!refused.length) return [];
  const lists = [...new Set(refused.map((h) => h.listName))];
  return [{
    id: 'blocklist-query-refused',
    severity: 'warn',
    confidence: 0.9,
    summary: `${lists.join(', ')} refused to answer through the resolver in use: those blocklist results are unknown, not clean.`,
    evidence: [...new Map(refused.map((h) => [h.list, `${h.listName}: ${h.meaning} [${facts.cite(h.dns)}]`])).values()],
    fixes: [
      { text: 'Query the lists through your own recursive resolver (unbound, BIND) rather than a public one (8.8.8.8, 1.1.1.1) or a forwarder: Spamhaus and others refuse public and high-volume resolvers. Pass it with --resolver.' },
      { text: 'For Spamhaus, register a free Data Query Service key and pass it with --dqs-key (or SPAMHAUS_DQS_KEY).', links: ['https://www.spamhaus.com/free-trial/sign-up-for-a-free-data-query-service-account/'] },
    ],
    data: { lists: refused.map((h) => ({ list: h.list, target: h.target, errorKind: h.errorKind })) },
  }];
}
