/**
 * What the receivers said: a bounce's reason and diagnostic text decide the cause. User unknown and
 * full mailboxes are the recipient's side — the sending domain is not blamed for them.
 */
import type { Cause, CauseId } from '../types.ts';
import type { BounceFact, Facts } from '../facts.ts';
import { LEGITIMATE_ROLES } from '../origins.ts';

/** Receiver texts that mean "DMARC (or SPF/DKIM authentication) failed" (Gmail 5.7.26, Microsoft 5.7.509–515, Yahoo). */
const DMARC_TEXT = /\bdmarc\b|5\.7\.(?:26|509|510|511|512|513|514|515)\b|unauthenticated (?:email|mail)|not (?:properly )?authenticated|authentication (?:checks? )?fail|sender (?:is )?not authenticated|spf.{0,40}(?:fail|did not pass)|dkim.{0,40}(?:fail|did not pass)/i;

/** RFC 7505 §4.2: a receiver refuses a sender whose domain publishes a null MX (550 5.7.27). */
export const NULL_MX_TEXT = /null ?mx|5\.7\.27\b|does not accept (?:e-?)?mail/i;

const RECIPIENT_REASONS = new Set(['userunknown', 'mailboxfull', 'hostunknown', 'suspend', 'hasmoved', 'notaccept']);
/**
 * Sisimai calls an unknown-user refusal `filtered` when it did not answer RCPT TO (a filtering
 * gateway speaking for the mailbox): for the sender that is still the recipient's side.
 */
const FILTERED_RECIPIENT = /\b(?:user|recipient|mailbox|address)\b[^.;]{0,40}\b(?:unknown|not (?:found|exist)|does not exist|doesn't exist|no such|invalid|unavailable|disabled)|no such (?:user|mailbox|recipient)/i;

/** Greylisting (a temporary deferral by the recipient's policy) that ran out the retries. */
const GREYLISTED = /gr[ae]y-?list/i;

/**
 * The recipient's system could not be reached (its MX timed out, its DNS failed) or its limits
 * refused the message (size): nothing the sender's DNS or servers can change — unless the text
 * says the refusal was about the sender (throttling, a blocklist, authentication).
 */
/** Words that put a refusal on the sender's authentication, whatever reason class it got. */
const SENDER_AUTH_TEXT = /\b(?:spf|dkim|dmarc)\b|authenticat/i;

const RECIPIENT_SYSTEM_REASONS = new Set(['expired', 'networkerror', 'mesgtoobig', 'emailtoolarge', 'exceedlimit']);

function recipientSide(b: BounceFact): boolean {
  const text = b.recipient.diagnostic ?? '';
  if (RECIPIENT_REASONS.has(b.recipient.reason) || (b.recipient.reason === 'filtered' && FILTERED_RECIPIENT.test(text)) || GREYLISTED.test(text)) return true;
  return RECIPIENT_SYSTEM_REASONS.has(b.recipient.reason) && !b.recipient.blocklists.length && !SENDER_AUTH_TEXT.test(text) && !RATE_TEXT.test(text);
}

/** A bounce for mail *to* the diagnosed domain speaks about its own inbound side, not someone else's. */
export function inbound(facts: Facts, b: BounceFact): boolean {
  const d = b.recipient.address.split('@')[1]?.toLowerCase() ?? '';
  return d === facts.domain || d.endsWith(`.${facts.domain}`);
}
const CONTENT_REASONS = new Set(['spamdetected', 'contenterror', 'virusdetected', 'filtered', 'notcompliantrfc']);
const RATE_REASONS = new Set(['ratelimited', 'toomanyconn', 'speeding', 'exceedlimit']);
/**
 * Throttling in the receivers' own words: Gmail 4.7.28 ("unusual rate … temporarily rate limited"),
 * Yahoo TSS04 ("temporarily deferred due to unexpected volume or user complaints"), Microsoft
 * 4.7.650 ("temporarily rate limited due to IP reputation"). Sisimai files some of these under
 * spamdetected or badreputation; for the sender the action is the same: slow down, fix reputation.
 */
const RATE_TEXT = /rate[- ]limit|throttl|unusual rate|too many (?:messages|connections|recipients|emails)|unexpected volume|deferred due to .*volume|\bTS[S]?0[1-4]\b|4\.7\.(?:28|650)\b/i;

function isThrottling(b: BounceFact): boolean {
  const text = b.recipient.diagnostic ?? '';
  return !GREYLISTED.test(text) && (RATE_REASONS.has(b.recipient.reason) || RATE_TEXT.test(text));
}

function quote(b: BounceFact): string {
  const r = b.recipient;
  const code = [r.replyCode, r.status].filter(Boolean).join(' ');
  return `${b.message}: ${r.address} refused${b.reportingMta ? ` (reported by ${b.reportingMta})` : ''}${r.remoteMta ? ` by ${r.remoteMta}` : ''}: ${code ? `${code} ` : ''}"${r.diagnostic ?? r.reason}"`;
}

function whichAuthFailed(text: string): string {
  const spf = /spf[^.;]{0,40}(?:fail|did not pass|not pass)/i.test(text);
  const dkim = /dkim[^.;]{0,40}(?:fail|did not pass|not pass)/i.test(text);
  if (spf && dkim) return 'both SPF and DKIM failed';
  if (spf) return 'SPF failed';
  if (dkim) return 'DKIM failed';
  return 'neither SPF nor DKIM passed aligned with the From domain';
}

/** Bounces of the domain's own mail; backscatter of forged mail is the forger's, not the domain's. */
function group(facts: Facts, predicate: (b: BounceFact) => boolean): BounceFact[] {
  return facts.bounces.filter((b) => b.legitimate !== false && predicate(b));
}

/**
 * Mail of the domain that a receiver delivered with its own verdict: Authentication-Results saying
 * dmarc=fail for the domain (a junked copy, a forwarded one) is the same failure without a bounce.
 */
function dmarcVerdicts(facts: Facts): { line: string; failed: string }[] {
  const out: { line: string; failed: string }[] = [];
  for (const { name, analysis } of facts.messages) {
    // A forgery failing DMARC is DMARC working, not the domain's mail failing it.
    const origin = facts.origins.find((o) => o.message === name);
    if (analysis.bounce || !origin || !LEGITIMATE_ROLES.has(origin.role)) continue;
    for (const ar of analysis.authResults) {
      const dmarc = ar.results.find((r) => r.method === 'dmarc' && /^fail$/i.test(r.result) && [r.properties['header.from'], r.properties['header.d']].some((d) => d?.toLowerCase() === facts.domain));
      if (!dmarc) continue;
      const spf = ar.results.find((r) => r.method === 'spf')?.result ?? 'none';
      const dkim = ar.results.find((r) => r.method === 'dkim' && r.properties['header.d']?.toLowerCase() === facts.domain)?.result ?? 'none from the domain';
      const failed = spf === 'pass' || dkim === 'pass' ? 'SPF or DKIM passed, but not for the From domain (not aligned)' : `SPF ${spf}, DKIM ${dkim}`;
      out.push({ line: `${name}: ${ar.authservId} recorded dmarc=fail for ${facts.domain} (spf=${spf}, dkim ${dkim})${dmarc.reason ? ` — ${dmarc.reason}` : ''}`, failed });
    }
  }
  return out;
}

function dkimKeyPublished(facts: Facts): boolean {
  return (facts.checks.dkim?.findings ?? []).some((f) => f.id === 'dkim.key-found');
}

/** A refusal reported by someone else's server for the domain's own message: a list or a forwarder passed it on. */
function relayed(facts: Facts, hits: BounceFact[]): boolean {
  return hits.some((b) => {
    const reporter = b.reportingMta?.toLowerCase() ?? '';
    const origin = facts.origins.find((o) => o.message === b.message);
    return !!reporter && !reporter.endsWith(facts.domain) && !!origin && (origin.role === 'spf-authorized' || origin.role === 'mail-provider' || origin.role === 'authenticated-user') && origin.domainDkim === 'present' && /list|forward|fwd|relay|groups/i.test(reporter);
  });
}

export function dmarcFailing(facts: Facts): Cause[] {
  const isDmarcRefusal = (b: BounceFact) => {
    const text = b.recipient.diagnostic ?? '';
    if (NULL_MX_TEXT.test(text) || b.recipient.blocklists.length) return false;
    return DMARC_TEXT.test(text) || b.recipient.reason === 'authfailure';
  };
  const hits = group(facts, isDmarcRefusal);
  const verdicts = dmarcVerdicts(facts);
  if (!hits.length && !verdicts.length) return [];
  const text = hits.map((b) => b.recipient.diagnostic ?? '').join(' ');
  const failed = hits.length ? whichAuthFailed(text) : verdicts[0]!.failed;
  const services = [...new Set(facts.origins.filter((o) => o.role === 'third-party-service' && o.service).map((o) => o.service!))];
  return [{
    id: 'dmarc-failing',
    severity: 'error',
    confidence: 0.85,
    summary: `Receivers ${hits.length ? 'refused' : 'junked'} ${facts.domain}'s mail because it failed DMARC: ${failed}.`,
    evidence: [...hits.map(quote), ...verdicts.map((v) => v.line)],
    fixes: [
      ...services.map((d) => ({ text: `Mail sent for ${facts.domain} by the service signing as ${d} is not aligned: set up domain authentication there (its DKIM CNAME records under ${facts.domain}, and a custom return-path), so it signs with d=${facts.domain}.` })),
      { text: `Make every service that sends as ${facts.domain} pass SPF (its servers in the SPF record) or DKIM (signing with a key published under ${facts.domain}), aligned with the From domain.` },
      ...(facts.mailProvider?.docs.dkim && !dkimKeyPublished(facts) ? [{ text: `Turn on DKIM signing at ${facts.mailProvider.name}.`, links: [facts.mailProvider.docs.dkim] }] : []),
      ...(relayed(facts, hits) ? [{ text: 'Mail relayed by a mailing list or a forwarder loses SPF, and DKIM breaks when the list changes the subject or adds a footer: ask the list to rewrite the From address for DMARC domains (Mailman: dmarc_moderation_action = Munge From), or rely on receivers that honour ARC.' }] : []),
    ],
    data: { failed, ...(services.length ? { services } : {}) },
  }];
}

function reasonCause(facts: Facts, id: CauseId, belongs: (b: BounceFact) => boolean, summary: (hits: BounceFact[]) => string, fixes: Cause['fixes'], severity: Cause['severity']): Cause[] {
  const hits = group(facts, belongs);
  if (!hits.length) return [];
  return [{
    id, severity, confidence: 0.85, summary: summary(hits), evidence: hits.map(quote), fixes,
    data: { recipients: hits.map((b) => ({ address: b.recipient.address, reason: b.recipient.reason, status: b.recipient.status })) },
  }];
}

export function recipientProblem(facts: Facts): Cause[] {
  return reasonCause(facts, 'recipient-problem', (b) => recipientSide(b) && !inbound(facts, b) && !NULL_MX_TEXT.test(b.recipient.diagnostic ?? ''), (hits) => {
    const reasons = [...new Set(hits.map((b) => b.recipient.reason))].join(', ');
    return `Some refusals are on the recipient's side (${reasons}): ${hits.map((b) => b.recipient.address).join(', ')}. That is not a fault of ${facts.domain}.`;
  }, [
    { text: 'Check the address with the recipient (typo, mailbox closed, full mailbox); nothing to change on your side for these.' },
    ...(facts.bounces.some((b) => b.recipient.reason === 'mesgtoobig' || b.recipient.reason === 'emailtoolarge') ? [{ text: 'The message was larger than the recipient accepts: send the attachment as a link (OneDrive, Google Drive) or in smaller parts.' }] : []),
    ...(facts.bounces.some((b) => b.recipient.reason === 'expired' || b.recipient.reason === 'networkerror') ? [{ text: 'The recipient\'s mail server could not be reached: its MX or DNS is failing. Tell the recipient through another channel; your side needs no change.' }] : []),
    ...(facts.bounces.some((b) => GREYLISTED.test(b.recipient.diagnostic ?? '')) ? [{ text: 'Greylisting at the recipient outlasted the retries: their administrator should whitelist your provider\'s outbound servers (e.g. by its SPF include) or greylist by sender domain rather than by address.' }] : []),
  ], 'info');
}

/** Microsoft's block of a mailbox that sent spam ("bad outbound sender", Restricted entities). */
const RESTRICTED_SENDER = /bad outbound sender|\b5\.1\.8\b|restricted (?:entit|from sending)|sender (?:was |is )?restricted/i;

function contentSide(b: BounceFact): boolean {
  return (CONTENT_REASONS.has(b.recipient.reason) || RESTRICTED_SENDER.test(b.recipient.diagnostic ?? '')) && !recipientSide(b) && !isThrottling(b);
}

export function contentRejected(facts: Facts): Cause[] {
  const causes = reasonCause(facts, 'content-rejected', contentSide, (hits) => `Receivers refused the content of the message (${[...new Set(hits.map((b) => b.recipient.reason))].join(', ')}).`,
    [{ text: 'Review what the message contained: links to listed domains, attachments, size, or spam-like wording; send a plain test message to confirm the difference.' }], 'warn');
  const cause = causes[0];
  // Spam refusals of mail a signed-in user of the domain sent: the account itself is the suspect.
  // Every Microsoft 365 message is an authenticated submission, so a spam refusal alone proves
  // nothing; the provider restricting the sender (5.1.8 bad outbound sender) does.
  const restricted = facts.bounces.some((b) => b.legitimate !== false && RESTRICTED_SENDER.test(b.recipient.diagnostic ?? ''));
  const byUsers = facts.origins.filter((o) => o.role === 'authenticated-user' && facts.bounces.some((b) => b.message === o.message && contentSide(b)));
  if (cause && byUsers.length && restricted) {
    cause.severity = 'error';
    cause.summary = `Receivers refused mail sent by a signed-in account of ${facts.domain} as spam, and the provider has restricted the sender: the account is probably compromised.`;
    cause.evidence.push(...byUsers.map((o) => `${o.message}: ${o.reasoning.join('; ')}`));
    cause.fixes.unshift(
      { text: 'Treat the mailbox as compromised: reset its password, revoke its sessions and app passwords, remove forwarding and inbox rules the attacker added, and turn on multi-factor authentication.' },
      { text: 'Then ask the provider to lift the sending restriction (Microsoft 365: Defender portal → Restricted entities), and check the sent items for who was targeted.' },
    );
  }
  return causes;
}

export function rateLimited(facts: Facts): Cause[] {
  return reasonCause(facts, 'rate-limited', isThrottling, () => 'Receivers are throttling mail from this sender (too many messages or connections).',
    [{ text: 'Slow down: spread bulk sends over time, respect the receiver\'s retry hints, and warm up new sending addresses gradually.' }], 'warn');
}
