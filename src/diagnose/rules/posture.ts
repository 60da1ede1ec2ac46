/**
 * Posture causes: what the domain's DNS and servers show, independent of any bounce. Each reads the
 * findings of one check; a check that could not decide (status unknown) never yields a cause here —
 * the verdict says the run was incomplete instead.
 */
import type { Finding } from '../../checks/types.ts';
import type { Cause, CauseId } from '../types.ts';
import { dataOf, findingsOf, type Facts } from '../facts.ts';
import { dmarcFixes, dnsHostLinks, spfFix, whereToPublish } from '../fixes.ts';
import { inbound, NULL_MX_TEXT } from './bounces.ts';

function matching(facts: Facts, check: string, pattern: RegExp): Finding[] {
  return findingsOf(facts, check).filter((f) => pattern.test(f.id) && f.severity !== 'ok' && f.severity !== 'info');
}

function evidence(facts: Facts, findings: Finding[]): string[] {
  return findings.map((f) => {
    const cites = (f.dns ?? []).slice(0, 3).map((id) => facts.cite(id)).join('; ');
    return `${f.title}${f.detail && f.detail !== f.title ? ` — ${f.detail}` : ''}${cites ? ` [${cites}]` : ''}`;
  });
}

function fromFindings(facts: Facts, id: CauseId, findings: Finding[], summary: string, fixes: Cause['fixes'], confidence = 0.9): Cause[] {
  if (!findings.length) return [];
  const worst = findings.some((f) => f.severity === 'critical') ? 'critical' : findings.some((f) => f.severity === 'error') ? 'error' : 'warn';
  // The check's own fix is used only when the rule has none more specific.
  const own = fixes.length ? [] : findings.flatMap((f) => (f.fix ? [f.fix] : []));
  return [{ id, severity: worst, confidence, summary, evidence: evidence(facts, findings), fixes: [...fixes, ...own] }];
}

export function spfPosture(facts: Facts): Cause[] {
  if (facts.spfOutcome === 'missing') {
    const include = facts.mailProvider?.spfInclude;
    return [{
      id: 'spf-missing', severity: 'error', confidence: 0.95,
      summary: `${facts.domain} publishes no SPF record: receivers cannot tell its servers from forgers, and many refuse or junk its mail.`,
      evidence: evidence(facts, matching(facts, 'spf', /missing|none/)),
      fixes: [include
        ? spfFix(facts, include, `Publish SPF authorizing ${facts.mailProvider?.name}.`)
        : { text: `Publish an SPF record ${whereToPublish(facts)} listing every server that sends as ${facts.domain}, ending in -all.`, dns: [{ name: facts.domain, type: 'TXT', value: 'v=spf1 mx -all' }], links: dnsHostLinks(facts) }],
    }];
  }
  const broken = matching(facts, 'spf', /permerror|multiple|too-many|void|syntax|include-no-spf|include-missing/).filter((f) => f.severity === 'error' || f.severity === 'critical');
  // The check's fix for each fault (merge two records, remove the dead include…) comes first; the
  // lookup-budget advice only where a limit is what broke.
  const overLimit = broken.some((f) => /too-many|void/.test(f.id));
  return fromFindings(facts, 'spf-error', broken,
    `${facts.domain}'s SPF record is broken (permerror): receivers treat it as if it failed, so legitimate mail fails SPF.`,
    [...ownFixes(broken), ...(overLimit || !ownFixes(broken).length ? [{ text: 'Keep the whole tree within 10 DNS lookups and 2 void lookups (RFC 7208 §4.6.4): remove includes of services no longer used, or replace them with their ip4/ip6 ranges.' }] : [])]);
}

function ownFixes(findings: Finding[]): Cause['fixes'] {
  const fixes = findings.flatMap((f) => (f.fix ? [f.fix] : []));
  return fixes.filter((f, i) => fixes.findIndex((g) => g.text === f.text) === i);
}

function dkimFailingSummary(domain: string, failing: Finding[]): string {
  const unpublished = failing.filter((f) => f.id === 'dkim.selector-without-key').map((f) => String(f.data?.selector ?? ''));
  if (unpublished.length) return `${domain}'s mail is DKIM-signed with selector ${unpublished.join(', ')}, but no key is published there: every such signature fails.`;
  if (failing.every((f) => f.id === 'dkim.weak-key')) return `${domain}'s DKIM key is too short: receivers (Gmail, Microsoft, Yahoo) treat signatures with a key under 1024 bits as failing.`;
  return `DKIM keys of ${domain} are unusable (revoked, malformed or too weak): signatures with them fail.`;
}

export function dkimPosture(facts: Facts): Cause[] {
  // A selector seen in real signatures with no key behind it is failing DKIM, not missing DKIM.
  const failing = matching(facts, 'dkim', /revoked|malformed|weak|invalid|bad|selector-without-key|cname-dangling/);
  const missing = matching(facts, 'dkim', /no-key-at-tried-selectors/);
  const provider = facts.mailProvider;
  const enable = provider?.docs.dkim ? [{ text: `Turn on DKIM signing at ${provider.name} and publish the records it gives you ${whereToPublish(facts)}.`, links: [provider.docs.dkim] }] : [{ text: `Turn on DKIM signing where ${facts.domain}'s mail is sent and publish the public key ${whereToPublish(facts)}.` }];
  return [
    // Each fault has its own remedy (a weak key is rotated, not "turned on"): the check's fixes come first.
    ...fromFindings(facts, 'dkim-failing', failing, dkimFailingSummary(facts.domain, failing), [...ownFixes(failing), ...(failing.some((f) => f.id === 'dkim.selector-without-key' || f.id === 'dkim.revoked') ? enable : [])]),
    // Selectors cannot be listed: with the provider's own selectors absent the finding is strong,
    // from common guesses alone it is only a hint (CORRECTNESS.md: never "no DKIM" from a failed guess).
    ...(failing.length ? [] : fromFindings(facts, 'dkim-missing', missing,
      provider
        ? `No DKIM key was found for ${facts.domain} at ${provider.name}'s selectors or the common ones: its mail is probably not DKIM-signed, so DMARC rests on SPF alone.`
        : `No DKIM key was found for ${facts.domain} at the selectors tried; it may use one we could not guess (pass it with --selector), or its mail is not DKIM-signed.`,
      enable, provider ? 0.8 : 0.5)),
  ];
}

export function dmarcPosture(facts: Facts): Cause[] {
  const data = dataOf<{ published: { record: { tags: { name: string; value: string }[] } } | null }>(facts, 'dmarc');
  const tags = data?.published?.record.tags.map((t) => [t.name, t.value] as const) ?? null;
  const p = tags?.find(([k]) => k.toLowerCase() === 'p')?.[1] ?? 'none';
  const missing = matching(facts, 'dmarc', /\.missing$/);
  const invalid = matching(facts, 'dmarc', /\.invalid$|multiple-records/);
  if (invalid.length) {
    // An invalid record counts as none at all (RFC 7489 §6.6.3), but the fix is the owner's record
    // corrected, not a fresh start at p=none.
    return fromFindings(facts, 'dmarc-missing', [...invalid, ...missing.filter((f) => !invalid.some((g) => g.detail === f.detail))],
      `${facts.domain}'s DMARC record is invalid, so receivers ignore it: as far as they are concerned there is no DMARC policy.`,
      [...ownFixes(invalid), { text: `Publish one valid record at _dmarc.${facts.domain} ${whereToPublish(facts)}: "v=DMARC1; p=…;" with each tag ended by a semicolon.` }]);
  }
  if (missing.length) {
    return fromFindings(facts, 'dmarc-missing', missing, `${facts.domain} has no DMARC record: nothing tells receivers to refuse mail forged in its name, and Gmail/Yahoo/Microsoft require one from bulk senders.`, dmarcFixes(facts, null));
  }
  const weak = matching(facts, 'dmarc', /policy-none|not-enforced|pct|sp-weaker|np-weaker|testing/);
  const policyNone = weak.filter((f) => /policy-none|not-enforced/.test(f.id));
  // A rollout for p=none; for the rest (sp, np, pct, t) the check's own rewrite of the record, which keeps every other tag.
  const fixes = [...(policyNone.length ? dmarcFixes(facts, tags) : []), ...ownFixes(weak.filter((f) => !policyNone.includes(f)))];
  const summary = policyNone.length
    ? `${facts.domain}'s DMARC policy does not enforce (p=${p}): receivers deliver mail forged in its name, so spoofing goes on.`
    : `${facts.domain}'s DMARC policy (p=${p}) leaves a gap: ${weak.map((f) => f.title.replace(/\.$/, '')).join('; ')} — forged mail there is still delivered.`;
  return fromFindings(facts, 'dmarc-not-enforced', weak, summary, fixes, 0.85);
}

const UNDELIVERABLE_INBOUND = new Set(['hostunknown', 'networkerror', 'expired', 'systemerror', 'notaccept']);

export function mxPosture(facts: Facts): Cause[] {
  const broken = matching(facts, 'mx', /./).filter((f) => f.severity === 'error' || f.severity === 'critical');
  const causes = fromFindings(facts, 'mx-problem', broken, `${facts.domain}'s MX records are broken: mail to it (replies, bounces, DMARC reports) cannot be delivered.`,
    [{ text: `Point the MX records ${whereToPublish(facts)} at host names (not IP addresses or CNAMEs) that resolve to public addresses of your mail servers.`, links: facts.mailProvider?.docs.mx ? [facts.mailProvider.docs.mx] : [] }]);
  // RFC 7505 §4.2: a domain that sends must not publish a null MX — receivers refuse its mail.
  const nullMx = findingsOf(facts, 'mx').find((f) => f.id === 'mx.null');
  const refusedForIt = facts.bounces.filter((b) => !inbound(facts, b) && NULL_MX_TEXT.test(b.recipient.diagnostic ?? ''));
  const sends = refusedForIt.length > 0 || facts.origins.some((o) => o.fromDomain);
  if (nullMx && sends && !causes.length) {
    causes.push({
      id: 'mx-problem', severity: 'error', confidence: refusedForIt.length ? 0.95 : 0.8,
      summary: `${facts.domain} publishes a null MX ("accepts no mail", RFC 7505) but sends mail: receivers refuse a sender whose domain cannot take replies or bounces.`,
      evidence: [...evidence(facts, [nullMx]), ...refusedForIt.map((b) => `${b.message}: ${b.recipient.address} refused the sender: "${b.recipient.diagnostic}"`)],
      fixes: [{ text: `Replace the null MX ${whereToPublish(facts)} with a real MX that accepts at least bounces and replies for the sending addresses, or send from a domain that has one.`, links: dnsHostLinks(facts) }],
    });
  }
  // Senders' bounces for mail to this domain are the outside view of the same fault.
  const seen = facts.bounces.filter((b) => inbound(facts, b) && UNDELIVERABLE_INBOUND.has(b.recipient.reason));
  if (causes[0] && seen.length) causes[0].evidence.push(...seen.map((b) => `${b.message}: mail to ${b.recipient.address} could not be delivered: "${b.recipient.diagnostic ?? b.recipient.reason}"`));
  return causes;
}

export function smtpPosture(facts: Facts): Cause[] {
  const broken = matching(facts, 'smtp', /no-starttls|tls-failed|dane-mismatch|open-relay|cert/).filter((f) => f.severity === 'error' || f.severity === 'critical' || f.severity === 'warn');
  return fromFindings(facts, 'smtp-tls-problem', broken, `${facts.domain}'s mail servers have a TLS problem: senders that require encryption (MTA-STS, DANE) cannot deliver to them.`,
    [{ text: 'Offer STARTTLS with a certificate valid for the MX host name, from a public CA, renewed automatically.' }]);
}

export function webPosture(facts: Facts): Cause[] {
  const noHttps = matching(facts, 'web', /no-https/);
  const cert = matching(facts, 'web', /cert/);
  const certFix = [{ text: 'Get a certificate for the site from a free ACME CA (Let\'s Encrypt: certbot or your host\'s one-click TLS) and renew it automatically; then redirect HTTP to HTTPS.', links: ['https://letsencrypt.org/getting-started/'] },
    { text: 'Note: a certificate on the web site does not affect mail delivery or stop spoofing; SPF, DKIM and an enforced DMARC policy do. It matters for the site\'s visitors and the domain\'s reputation.' }];
  return [
    ...fromFindings(facts, 'web-no-https', noHttps, `${facts.domain}'s web site has no HTTPS.`, certFix, 0.9).map((c) => ({ ...c, severity: 'warn' as const })),
    ...fromFindings(facts, 'web-cert-problem', cert, `${facts.domain}'s web site has a certificate problem: browsers show a warning.`, certFix, 0.9).map((c) => ({ ...c, severity: 'warn' as const })),
  ];
}

export function reverseDnsPosture(facts: Facts): Cause[] {
  const causes: Cause[] = [];
  const requirePtr = facts.bounces.filter((b) => b.recipient.reason === 'requireptr');
  const origins = facts.origins.filter((o) => o.ip && o.ptr && (!o.ptr.names.length || !o.ptr.confirmed) && o.role !== 'mail-provider');
  const legit = origins.filter((o) => o.role === 'spf-authorized' || o.role === 'mx-host');
  const relays = facts.origins.filter((o) => o.role !== 'unknown').flatMap((o) => o.relays).filter((r) => r.ptr && (!r.ptr.names.length || !r.ptr.confirmed));
  // Only the domain's own sending servers need a PTR: of the addresses read from messages, those its
  // SPF authorizes, its MX hosts and the relays its own MTA reported — not a forger's or a bot's, not
  // a user's client that submitted with authentication, not a forwarder's or a provider's server.
  const own = new Set([
    ...facts.origins.filter((o) => o.ip && (o.role === 'spf-authorized' || o.role === 'mx-host')).map((o) => o.ip!),
    ...facts.origins.filter((o) => o.role !== 'unknown').flatMap((o) => o.relays.map((r) => r.ip)),
  ]);
  const foreign = new Set(facts.messageAddresses.filter((ip) => !own.has(ip)));
  const ptrFindings = matching(facts, 'ptr', /no-ptr|not-confirmed|missing|mismatch/).filter((f) => !foreign.has(String(f.data?.ip ?? '')));
  if (!requirePtr.length && !legit.length && !relays.length && !ptrFindings.length) return [];
  causes.push({
    id: 'no-reverse-dns', severity: 'error', confidence: requirePtr.length ? 0.9 : 0.75,
    summary: `A server sending ${facts.domain}'s mail has no valid reverse DNS: many receivers refuse mail from an address without a forward-confirmed PTR name.`,
    evidence: [...new Set([
      ...requirePtr.map((b) => `${b.message}: "${b.recipient.diagnostic}"`),
      ...[...legit, ...relays].map((o) => `${o.ip}: ${o.ptr!.names.length ? `PTR ${o.ptr!.names.join(', ')} does not resolve back to it` : `no PTR (${o.ptr!.outcome})`}`),
      ...evidence(facts, ptrFindings),
    ])],
    fixes: [{ text: 'Ask whoever owns the address (your hosting or ISP; the PTR is set in their panel, not in your DNS zone) to set its PTR to the server\'s host name, and make that name resolve back to the address (forward-confirmed reverse DNS).' }],
  });
  return causes;
}
