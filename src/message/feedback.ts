/**
 * RFC 5965 Abuse Reporting Format: a complaint about a message, not a bounce. The machine-readable
 * part is `message/feedback-report` (fields like a header block); some reporters put it inline.
 */
import { parseHeaderBlock, headerValue, headerValues, bareAddress } from './header.ts';
import type { FeedbackReport } from './types.ts';

export function parseFeedbackReport(text: string): FeedbackReport | null {
  const fields = parseHeaderBlock(text.replace(/\n[ \t]*\n/g, '\n'));
  const feedbackType = headerValue(fields, 'feedback-type');
  if (!feedbackType) return null;
  return {
    feedbackType: feedbackType.toLowerCase(),
    userAgent: headerValue(fields, 'user-agent'),
    sourceIp: headerValue(fields, 'source-ip')?.replace(/[[\]]/g, '') ?? null,
    originalMailFrom: bareAddress(headerValue(fields, 'original-mail-from')),
    originalRcptTo: headerValues(fields, 'original-rcpt-to').map(bareAddress).filter((a): a is string => !!a),
    reportedDomain: headerValues(fields, 'reported-domain'),
    arrivalDate: headerValue(fields, 'arrival-date') ?? headerValue(fields, 'received-date'),
  };
}

/** A feedback report quoted in a text part (reporters that do not use a separate MIME part). */
export function findInlineFeedbackReport(text: string): FeedbackReport | null {
  const m = /^Feedback-Type:[^\n]*\n(?:[\x21-\x39\x3b-\x7e]+:[^\n]*\n|[ \t][^\n]*\n)*/im.exec(text);
  return m ? parseFeedbackReport(m[0]) : null;
}
