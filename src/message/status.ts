/**
 * Enhanced status codes (RFC 3463): what a code such as 5.7.1 means in words, from
 * `data/status-codes.json` (the IANA registry plus receivers' documented reuse of codes).
 */
import codes from '../../data/status-codes.json' with { type: 'json' };

const vendor = codes.vendor as Record<string, string>;
const detail = codes.detail as Record<string, { meaning: string; rfc: string }>;
const subject = codes.subject as Record<string, string>;
const klass = codes.class as Record<string, string>;
/** A receiver's documented block of codes (Microsoft's 5.7.606–649 banned IPs): same class and subject, detail within bounds. */
const vendorRanges = (codes.vendorRanges as { from: string; to: string; meaning: string }[]).map((r) => {
  const [c, s, lo] = r.from.split('.');
  return { prefix: `${c}.${s}.`, lo: Number(lo), hi: Number(r.to.split('.')[2]), meaning: r.meaning };
});

function vendorMeaning(status: string): string | null {
  const own = vendor[status];
  if (own) return own;
  const detailNumber = Number(status.split('.')[2]);
  return vendorRanges.find((r) => status.startsWith(r.prefix) && detailNumber >= r.lo && detailNumber <= r.hi)?.meaning ?? null;
}

const STATUS = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)/;

const STATUS_ALL = new RegExp(STATUS.source, 'g');

/**
 * The enhanced status code of a text: the first failure code (4.x.x/5.x.x), else the first success
 * code, or null. A transcript often shows "250 2.1.5 Ok" before the refusal it leads to.
 */
export function findStatus(text: string | null): string | null {
  if (!text) return null;
  let success: string | null = null;
  for (const m of text.matchAll(STATUS_ALL)) {
    const code = `${m[1]}.${Number(m[2])}.${Number(m[3])}`;
    if (m[1] !== '2') return code;
    success ??= code;
  }
  return success;
}

/** A status code in words: "Permanent failure: Mailbox full (RFC 3463)". */
export function statusMeaning(status: string | null): string | null {
  if (!status) return null;
  const [c, s, d] = status.split('.');
  if (!c || !s || !d) return null;
  const head = klass[c] ?? 'Unknown class';
  const own = vendorMeaning(status);
  if (own) return `${head}: ${own}`;
  const reg = detail[`X.${s}.${d}`];
  if (reg) return `${head}: ${reg.meaning} (${reg.rfc})`;
  return `${head}: ${subject[s] ?? 'unregistered subject'} (unregistered detail ${d})`;
}
