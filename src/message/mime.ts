/**
 * The MIME structure of a message, through postal-mime: the readable text, and the parts a report
 * carries (RFC 3464 `message/delivery-status`, RFC 5965 `message/feedback-report`, the returned
 * `message/rfc822` or `text/rfc822-headers`). postal-mime keeps report parts as attachments when
 * `forceRfc822Attachments` is on, which is what lets us parse the DSN fields ourselves.
 */
import PostalMime from 'postal-mime';
import type { Attachment } from 'postal-mime';

export interface MimeParts {
  /** Decoded text of the text/plain parts (or of text/html with tags removed when there is no plain text). */
  text: string;
  deliveryStatus: string[];
  feedbackReport: string | null;
  /** The returned message: a whole message, or only its header block. */
  returned: { kind: 'message' | 'headers'; text: string } | null;
  problems: string[];
}

const utf8 = new TextDecoder('utf-8');

function contentText(a: Attachment): string {
  if (typeof a.content === 'string') return a.content;
  return utf8.decode(a.content instanceof ArrayBuffer ? new Uint8Array(a.content) : a.content);
}

/** Text of an HTML part, for bounces that come only as HTML (some Microsoft and webmail NDRs). */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n\n');
}

export async function parseMime(bytes: Uint8Array): Promise<MimeParts> {
  const problems: string[] = [];
  let email;
  try {
    email = await PostalMime.parse(bytes, { forceRfc822Attachments: true, attachmentEncoding: 'arraybuffer', maxNestingDepth: 64 });
  } catch (err) {
    problems.push(`the MIME structure could not be read (${(err as Error).message}); the raw text was used instead`);
    return { text: '', deliveryStatus: [], feedbackReport: null, returned: null, problems };
  }
  const deliveryStatus: string[] = [];
  let feedbackReport: string | null = null;
  let returned: MimeParts['returned'] = null;
  const extraText: string[] = [];
  for (const a of email.attachments) {
    // A malformed Content-Type ("text/plain   charset=…" without the semicolon) still names its type first.
    const type = a.mimeType.toLowerCase().split(/[\s;]/)[0]!;
    if (type === 'message/delivery-status' || type === 'message/global-delivery-status') {
      deliveryStatus.push(contentText(a));
    } else if (type === 'message/feedback-report') {
      feedbackReport ??= contentText(a);
    } else if ((type === 'message/rfc822' || type === 'message/global') && !returned) {
      const text = contentText(a);
      if (text.trim()) returned = { kind: 'message', text };
    } else if ((type === 'text/rfc822-headers' || type === 'message/global-headers') && !returned) {
      const text = contentText(a);
      if (text.trim()) returned = { kind: 'headers', text };
    } else if (type === 'text/plain' && a.disposition !== 'attachment') {
      extraText.push(contentText(a));
    }
  }
  let text = email.text ?? '';
  if (!text.trim() && email.html) text = htmlToText(email.html);
  if (extraText.length) text += '\n' + extraText.join('\n');
  return { text, deliveryStatus, feedbackReport, returned, problems };
}
