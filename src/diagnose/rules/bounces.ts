/**
 * What the receivers said: a bounce's reason and diagnostic text decide the cause. User unknown and
 * full mailboxes are the recipient's side — the sending domain is not blamed for them.
 */
import type { Cause, CauseId } from '../types.ts';
import type { BounceFact, Facts } from '../facts.ts';

/** Receiver texts that mean "DMARC (or SPF/DKIM authentication) failed" (Gmail 5.7.26, Microsoft 5.7.509–515, Yahoo). */
const DMARC_TEXT = /\bdmarc\b|5\.7\.(?:26|509|510|511|512|513|514|515)\b|unauthenticated (?:email|mail)|not (?:properly )?authenticated|authentication (?:checks? )?fail|sender (?:is )?not authenticated|spf.{0,40}(?:fail|did not pass)|dkim.{0,40}(?:fail|did not pass)/i;

const RECIPIENT_REASONS = new Set(['userunknown', 'mailboxfull', 'hostunknown', 'suspend', 'hasmoved', 'notaccept']);
/**
 * Sisimai calls an unknown-user refusal `filtered` when it did not answer RCPT TO (a filtering
 * gateway speaking for the mailbox): for the sender that is still the recipient's side.
 */
const FILTERED_RECIPIENT = /\b(?:user|recipient|mailbox|address)\b[^.;]{0,40}\b(?:unknown|not (?:found|exist)|does not exist|doesn't exist|no such|invalid|unavailable|disabled)|no such (?:user|mailbox|recipient)/i;

function recipientSide(b: BounceFact): boolean {
  return RECIPIENT_REASONS.has(b.recipient.reason) || (b.recipient.reason === 'filtered' && FILTERED_RECIPIENT.test(b.recipient.diagnostic ?? ''));
}

/** A bounce for mail *to* the diagnosed domain speaks about its own inbound side, not someone else's. */
export function inbound(facts: Facts, b: BounceFact): boolean {
  const d = b.recipient.address.split('@')[1]?.toLowerCase() ?? '';
  return d === facts.domain || d.endsWith(`.${facts.domain}`);
}
const CONTENT_REASONS = new Set(['spamdetected', 'contenterror', 'virusdetected', 'mesgtoobig', 'emailtoolarge', 'filtered', 'notcompliantrfc']);
const RATE_REASONS = new Set(['ratelimited', 'toomanyconn', 'speeding', 'exceedlimit']);
/**
 * Throttling in the receivers' own words: Gmail 4.7.28 ("unusual rate … temporarily rate limited"),
 * Yahoo TSS04 ("temporarily deferred due to unexpected volume or user complaints"), Microsoft
 * 4.7.650 ("temporarily rate limited due to IP reputation"). Sisimai files some of these under
 * spamdetected or badreputation; for the sender the action is the same: slow down, fix reputation.
 */
const RATE_TEXT = /rate[- ]limit|throttl|unusual rate|too many (?:messages|connections|recipients|emails)|unexpected volume|deferred due to .*volume|\bTS[S]?0[1-4]\b|4\.7\.(?:28|650)\b/i;

function isThrottling(b: BounceFact): boolean {
  return RATE_REASONS.has(b.recipient.reason) || RATE_TEXT.test(b.recipient.diagnostic ?? '');
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

function group(facts: Facts, predicate: (b: BounceFact) => boolean): BounceFact[] {
  return facts.bounces.filter(predicate);
}

export function dmarcFailing(facts: Facts): Cause[] {
  const hits = group(facts, (b) => b.legitimate !== false && (b.recipient.reason === 'authfailure' || DMARC_TEXT.test(b.recipient.diagnostic ?? '')) && !b.recipient.blocklists.length);
  if (!hits.length) return [];
  const text = hits.map((b) => b.recipient.diagnostic ?? '').join(' ');
  return [{
    id: 'dmarc-failing',
    severity: 'error',
    confidence: 0.85,
    summary: `Receivers refused ${facts.domain}'s mail because it failed authentication: ${whichAuthFailed(text)}.`,
    evidence: hits.map(quote),
    fixes: [
      { text: `Make every service that sends as ${facts.domain} pass SPF (its servers in the SPF record) and DKIM (signing with a key published under ${facts.domain}), aligned with the From domain.` },
      ...(facts.mailProvider?.docs.dkim ? [{ text: `Turn on DKIM signing at ${facts.mailProvider.name}.`, links: [facts.mailProvider.docs.dkim] }] : []),
    ],
    data: { failed: whichAuthFailed(text) },
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
  return reasonCause(facts, 'recipient-problem', (b) => recipientSide(b) && !inbound(facts, b), (hits) => {
    const reasons = [...new Set(hits.map((b) => b.recipient.reason))].join(', ');
    return `Some refusals are on the recipient's side (${reasons}): ${hits.map((b) => b.recipient.address).join(', ')}. That is not a fault of ${facts.domain}.`;
  }, [{ text: 'Check the address with the recipient (typo, mailbox closed, full mailbox); nothing to change on your side for these.' }], 'info');
}

export function contentRejected(facts: Facts): Cause[] {
  return reasonCause(facts, 'content-rejected', (b) => CONTENT_REASONS.has(b.recipient.reason) && !recipientSide(b) && !isThrottling(b), (hits) => `Receivers refused the content of the message (${[...new Set(hits.map((b) => b.recipient.reason))].join(', ')}).`,
    [{ text: 'Review what the message contained: links to listed domains, attachments, size, or spam-like wording; send a plain test message to confirm the difference.' }], 'warn');
}

export function rateLimited(facts: Facts): Cause[] {
  return reasonCause(facts, 'rate-limited', isThrottling, () => 'Receivers are throttling mail from this sender (too many messages or connections).',
    [{ text: 'Slow down: spread bulk sends over time, respect the receiver\'s retry hints, and warm up new sending addresses gradually.' }], 'warn');
}
