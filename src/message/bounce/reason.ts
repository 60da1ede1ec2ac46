/**
 * Bounce reason classification in Sisimai's vocabulary, driven by `data/bounce-reasons.json`.
 *
 * Precedence (CORRECTNESS.md item 8): the receiver's words beat a bare status code, because
 * receivers reuse codes loosely (a 5.1.1 that says "account disabled" is `suspend`, a 5.7.1 can be
 * anything). Order of evidence:
 *   1. text rules on the recipient's diagnostic (rules are tried in the file's order, first hit wins);
 *   2. the enhanced status code, when it is specific enough to mean one reason;
 *   3. text rules on the rest of the report (the human-readable part around the diagnostic);
 *   4. the SMTP command the refusal answered and the reply code (a 5xx to RCPT TO with no words
 *      is almost always an unknown user; to MAIL FROM, a rejected sender);
 *   5. `undefined` for a permanent error whose text we could not read; `onhold` for a temporary one,
 *      or when there was no text at all (the report does not say why; delivery may still happen).
 */
import reasonsData from '../../../data/bounce-reasons.json' with { type: 'json' };

export interface ReasonDecision {
  reason: string;
  source: 'text' | 'status' | 'reply-code' | 'context' | 'mta' | 'default';
  hard: boolean;
}

interface RuleData { reason: string; phrases?: string[]; regex?: string[]; note?: string }

/** A rule compiled once: its phrases as one alternation over the lower-cased text, its regexes as they are. */
export interface CompiledRule { reason: string; phrases: RegExp | null; regex: RegExp[] }

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Phrases are case-insensitive substrings. One alternation per rule, tested on the lower-cased text,
 * answers the same as a substring test per phrase at a fraction of the cost (rules hold hundreds).
 */
export function compileRules(rules: RuleData[] | undefined): CompiledRule[] {
  return (rules ?? []).map((r) => ({
    reason: r.reason,
    phrases: r.phrases?.length ? new RegExp(r.phrases.map((p) => escapeRegex(p.toLowerCase())).join('|')) : null,
    regex: (r.regex ?? []).map((x) => new RegExp(x, 'i')),
  }));
}

/** The reason of the first rule (in order) whose phrases or regexes match the text, or null. */
export function firstRuleMatch(rules: CompiledRule[], text: string): string | null {
  if (!text) return null;
  const lower = text.toLowerCase();
  for (const rule of rules) {
    if (rule.phrases?.test(lower) || rule.regex.some((re) => re.test(text))) return rule.reason;
  }
  return null;
}

const rules = compileRules(reasonsData.rules as RuleData[]);
const weakRules = compileRules((reasonsData.weakRules ?? []) as RuleData[]);

/** Generic refusal words that decide only when neither specific words nor the status code do. */
function reasonFromWeakText(text: string): string | null {
  return firstRuleMatch(weakRules, text);
}

const statusReasons = reasonsData.status as Record<string, string>;
const decisiveStatus = new Set(reasonsData.decisiveStatus.codes);
const recipientDomains = reasonsData.recipientDomains as Record<string, string>;
const commandReasons = reasonsData.command as Record<string, string>;
const reasonInfo = reasonsData.reasons as Record<string, { meaning: string; hard?: boolean; hardWhenPermanent?: boolean }>;

/** Reasons Sisimai (and we) call permanent for the address; everything else is worth retrying or fixing on the sender side. */
export function isHard(reason: string, status: string | null, replyCode: string | null): boolean {
  const info = reasonInfo[reason];
  if (!info) return false;
  if (info.hard) return true;
  if (info.hardWhenPermanent) return (status ?? replyCode ?? '').startsWith('5');
  return false;
}

export function reasonMeaning(reason: string): string | null {
  return reasonInfo[reason]?.meaning ?? null;
}

export const KNOWN_REASONS: readonly string[] = Object.keys(reasonInfo);

// The same report context is classified once per recipient; remember the last few answers.
const recent = new Map<string, string | null>();

/** First rule that matches the text, or null. */
export function reasonFromText(text: string): string | null {
  if (!text) return null;
  const known = recent.get(text);
  if (known !== undefined) return known;
  const found = firstRule(text);
  if (recent.size > 32) recent.clear();
  recent.set(text, found);
  return found;
}

function firstRule(text: string): string | null {
  return firstRuleMatch(rules, text);
}

/** The reason an enhanced status code means on its own ("X.1.1" keys match any class), or null when it is too vague. */
export function reasonFromStatus(status: string | null): string | null {
  if (!status) return null;
  return statusReasons[status] ?? statusReasons['X' + status.slice(1)] ?? null;
}

export interface ReasonEvidence {
  diagnostic: string | null;
  status: string | null;
  replyCode: string | null;
  command: string | null;
  /** The human-readable report around the diagnostic (the bounce's own words). */
  context: string | null;
  action: string | null;
  /** The failed recipient, for the few services whose bounces mean one thing whatever their language. */
  recipient?: string | null;
  /**
   * What the software that wrote the bounce, the local delivery agent or the receiving service
   * says the failure was, in its own fixed terms (see software.ts). A retryable verdict is a
   * coarse class that a more precise cause in the words still overrides.
   */
  explicit?: { reason: string; retryable: boolean } | null;
}

/** Causes precise enough to override an MTA's coarse class for the same failure. */
const PRECISE = new Set(['mailboxfull', 'emailtoolarge', 'suspend', 'hasmoved', 'norelaying', 'authfailure']);

const directoryStatements = (reasonsData.userunknownAnyStage.phrases as string[]).map((p) => p.toLowerCase());

/**
 * Unknown-user words prove a missing mailbox only when the refusal answered RCPT TO, the status is
 * an addressing one (X.1.x), or the words are a mail system's own directory lookup rather than a
 * relayed SMTP reply. Otherwise the stage is unknown or later (DATA, after RCPT TO was accepted),
 * and gateways, filtering appliances and carriers use the same words for a policy refusal: like
 * Sisimai, we call that `filtered`.
 */
function unknownAtRecipient(e: ReasonEvidence, words: string | null): boolean {
  if (e.command === 'RCPT' || /^\d\.1\./.test(e.status ?? '')) return true;
  // An addressing status inside the words (the report quotes "550 5.1.1 User unknown") counts too.
  if (!e.status && /(?<![\d.])[45]\.1\.\d{1,3}(?![\d.])/.test(words ?? '')) return true;
  const lower = (words ?? '').toLowerCase();
  return directoryStatements.some((p) => lower.includes(p));
}

function temporary(e: ReasonEvidence): boolean {
  return (e.status ?? e.replyCode ?? '').startsWith('4');
}

export function classifyReason(e: ReasonEvidence): ReasonDecision {
  const decide = (reason: string, source: ReasonDecision['source']): ReasonDecision =>
    ({ reason, source, hard: isHard(reason, e.status, e.replyCode) });
  if (e.action === 'delivered' || e.action === 'relayed' || e.action === 'expanded' || e.status?.startsWith('2.')) return decide('delivered', 'context');
  if (e.explicit && !e.explicit.retryable) return decide(e.explicit.reason, 'mta');
  if (e.explicit) {
    const precise = reasonFromText(e.diagnostic ?? '');
    return precise && PRECISE.has(precise) ? decide(precise, 'text') : decide(e.explicit.reason, 'mta');
  }
  if (e.status && decisiveStatus.has('X' + e.status.slice(1))) return decide(reasonFromStatus(e.status)!, 'status');
  const fromDiagnostic = reasonFromText(e.diagnostic ?? '');
  // Unknown-user or unknown-domain words in answer to MAIL FROM are about the sender, not the recipient.
  if ((fromDiagnostic === 'userunknown' || fromDiagnostic === 'hostunknown') && e.command === 'MAIL') return decide('rejected', 'text');
  if (fromDiagnostic === 'userunknown' && !unknownAtRecipient(e, e.diagnostic)) return decide('filtered', 'text');
  // A failed DNS lookup reported as temporary is a network problem: the domain may resolve on the next try.
  if (fromDiagnostic === 'hostunknown' && temporary(e)) return decide('networkerror', 'text');
  // A refusal at connection time or to HELO is about the sending host, whatever the words.
  if (fromDiagnostic === 'rejected' && (e.command === 'CONN' || e.command === 'HELO' || e.command === 'EHLO')) return decide('blocked', 'text');
  if (fromDiagnostic) return decide(fromDiagnostic, 'text');
  // A delay report without words is the queue still trying: Sisimai and we call it expired.
  if (e.action === 'delayed' && !e.diagnostic?.trim()) return decide('expired', 'context');
  // A temporary network status (4.4.x) in a report that gave up means the retries ran out.
  if (/^4\.4\.[0-57]$/.test(e.status ?? '') && e.action !== 'delayed' && !e.diagnostic?.trim()) return decide('expired', 'status');
  const fromStatus = reasonFromStatus(e.status);
  if (fromStatus) return decide(fromStatus, 'status');
  const weak = reasonFromWeakText(e.diagnostic ?? '');
  if (weak) return decide(weak, 'text');
  const fromContext = reasonFromText(e.context ?? '');
  if (fromContext === 'userunknown' && !unknownAtRecipient(e, e.context)) return decide('filtered', 'context');
  if (fromContext) return decide(fromContext, 'context');
  if (e.action === 'delayed') return decide('expired', 'context');
  const domain = e.recipient?.split('@')[1]?.toLowerCase();
  if (domain && recipientDomains[domain]) return decide(recipientDomains[domain]!, 'context');
  const cls = (e.replyCode ?? e.status ?? '')[0];
  if (e.command && cls) {
    const byCommand = commandReasons[`${cls}:${e.command}`] ?? commandReasons[e.command];
    if (byCommand) return decide(byCommand, 'reply-code');
  }
  // Words we cannot read: a temporary refusal may still clear (onhold), a permanent one is undefined.
  if (e.diagnostic && e.diagnostic.trim()) return decide(cls === '4' ? 'onhold' : 'undefined', 'default');
  return decide('onhold', 'default');
}
