/**
 * Is this message a bounce, an auto-reply (RFC 3834) or neither? Decided from the signals an MTA
 * leaves: the null or daemon sender, the subject, X-Failed-Recipients, the report's wording.
 */
import formats from '../../../data/bounce-formats.json' with { type: 'json' };
import { type HeaderField, headerValue, bareAddress, decodeHeaderText } from '../header.ts';

const daemon = new RegExp(formats.daemonSenders.regex, 'i');
const subjects = formats.bounceSubjects.map((s) => s.toLowerCase());
const phrases = formats.bouncePhrases.map((s) => s.toLowerCase());

export function fromDaemon(headers: HeaderField[]): boolean {
  const from = headerValue(headers, 'from') ?? '';
  const address = bareAddress(from) ?? '';
  const local = address.split('@')[0] ?? '';
  const display = decodeHeaderText(from.replace(/<[^>]*>/, '')).replace(/["']/g, '').trim();
  return daemon.test(local) || (display.length > 0 && daemon.test(display.replace(/\s+/g, '-')));
}

export function bounceSubject(headers: HeaderField[]): boolean {
  const subject = decodeHeaderText(headerValue(headers, 'subject') ?? '').toLowerCase();
  return subjects.some((s) => subject.includes(s));
}

export function bounceWording(report: string): boolean {
  const lower = report.toLowerCase();
  return phrases.some((p) => lower.includes(p));
}

/** RFC 3834 auto-responses and the de-facto headers vacation programs set. */
export function isAutoReply(headers: HeaderField[]): boolean {
  const autoSubmitted = (headerValue(headers, 'auto-submitted') ?? '').toLowerCase();
  if (autoSubmitted.startsWith('auto-replied')) return true;
  if (headers.some((h) => h.name === 'x-autoreply' || h.name === 'x-autorespond' || h.name === 'x-autoresponder')) return true;
  const precedence = (headerValue(headers, 'precedence') ?? '').toLowerCase();
  if (precedence === 'auto_reply') return true;
  const subject = decodeHeaderText(headerValue(headers, 'subject') ?? '').toLowerCase();
  return /^\s*(auto(matic)?[ -]?(reply|response|respons|antwort)|auto:|out of (the )?office|away from|on vacation|vacation|abwesenheit|réponse automatique|risposta automatica|respuesta automática|自動応答|自动回复)/i.test(subject)
    || /\b(away until|out of office|autoreply|auto-reply)\b/.test(subject);
}
