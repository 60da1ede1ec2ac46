/**
 * Enhanced status codes (RFC 3463): what a code such as 5.7.1 means in words, from
 * `data/status-codes.json` (the IANA registry plus receivers' documented reuse of codes).
 */
import codes from '../../data/status-codes.json' with { type: 'json' };

const vendor = codes.vendor as Record<string, string>;
const detail = codes.detail as Record<string, { meaning: string; rfc: string }>;
const subject = codes.subject as Record<string, string>;
const klass = codes.class as Record<string, string>;

const STATUS = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)/;

/** The first enhanced status code in a text, or null. Skips dotted quads and version numbers. */
export function findStatus(text: string | null): string | null {
  if (!text) return null;
  const m = STATUS.exec(text);
  return m ? `${m[1]}.${Number(m[2])}.${Number(m[3])}` : null;
}

/** A status code in words: "Permanent failure: Mailbox full (RFC 3463)". */
export function statusMeaning(status: string | null): string | null {
  if (!status) return null;
  const [c, s, d] = status.split('.');
  if (!c || !s || !d) return null;
  const head = klass[c] ?? 'Unknown class';
  const own = vendor[status];
  if (own) return `${head}: ${own}`;
  const reg = detail[`X.${s}.${d}`];
  if (reg) return `${head}: ${reg.meaning} (${reg.rfc})`;
  return `${head}: ${subject[s] ?? 'unregistered subject'} (unregistered detail ${d})`;
}
