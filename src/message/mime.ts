/**
 * The MIME structure of a message, through postal-mime: the readable text, and the parts a report
 * carries (RFC 3464 `message/delivery-status`, RFC 5965 `message/feedback-report`, the returned
 * `message/rfc822` or `text/rfc822-headers`). postal-mime keeps report parts as attachments when
 * `forceRfc822Attachments` is on, which is what lets us parse the DSN fields ourselves.
 */
import PostalMime from 'postal-mime';
import type { Attachment } from 'postal-mime';
import { parseHeaderBlock, headerValue, type HeaderField } from './header.ts';

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

/** Identity transfer encodings and the charsets the whole message was already decoded with. */
const PLAIN_ENCODINGS = new Set(['', '7bit', '8bit', 'binary']);
const UTF8_CHARSETS = new Set(['', 'us-ascii', 'ascii', 'utf-8', 'utf8']);

function param(value: string, name: string): string {
  return new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value)?.slice(1).find((v) => v !== undefined)?.trim() ?? '';
}

interface FlatPart { type: string; attachment: boolean; content: string }

/** The leaf parts of one multipart level, or null when a part needs real MIME decoding. */
function flatParts(body: string, boundary: string): FlatPart[] | null {
  const delimiter = `--${boundary}`;
  const parts: string[][] = [];
  let current: string[] | null = null;
  let closed = false;
  for (const line of body.split('\n')) {
    if (line.startsWith(delimiter) && /^(--)?[ \t]*$/.test(line.slice(delimiter.length))) {
      if (current) parts.push(current);
      if (line.slice(delimiter.length).startsWith('--')) { closed = true; break; }
      current = [];
    } else current?.push(line);
  }
  if (current && !closed) parts.push(current);
  if (!parts.length) return null;
  const out: FlatPart[] = [];
  for (const lines of parts) {
    const blank = lines.indexOf('');
    const fields = parseHeaderBlock((blank === -1 ? lines : lines.slice(0, blank)).join('\n'));
    const ct = headerValue(fields, 'content-type') ?? 'text/plain';
    const type = ct.toLowerCase().split(/[\s;]/)[0]!;
    const encoding = (headerValue(fields, 'content-transfer-encoding') ?? '').trim().toLowerCase();
    if (type.startsWith('multipart/') || type === 'text/html' || !PLAIN_ENCODINGS.has(encoding)) return null;
    if (type.startsWith('text/') && (!UTF8_CHARSETS.has(param(ct, 'charset').toLowerCase()) || param(ct, 'format').toLowerCase() === 'flowed')) return null;
    const attachment = (headerValue(fields, 'content-disposition') ?? '').trim().toLowerCase().startsWith('attachment');
    // As a streaming parser keeps it: every body line followed by a newline.
    const content = blank === -1 ? '' : lines.slice(blank + 1).map((l) => l + '\n').join('');
    out.push({ type, attachment, content });
  }
  return out;
}

/**
 * Most reports need no general MIME parser: one multipart level of 7/8-bit parts in ASCII or UTF-8
 * (what Postfix, Exim, Sendmail and most gateways send) is read directly, the way postal-mime reads
 * it. Anything else (nested multiparts, quoted-printable or base64, other charsets, HTML, flowed
 * text) returns null and goes to postal-mime.
 */
export function readFlatReport(text: string): MimeParts | null {
  const split = text.indexOf('\n\n');
  if (split === -1) return null;
  const top: HeaderField[] = parseHeaderBlock(text.slice(0, split));
  const ct = headerValue(top, 'content-type') ?? '';
  const boundary = param(ct, 'boundary');
  if (!/^\s*multipart\//i.test(ct) || !boundary || !PLAIN_ENCODINGS.has((headerValue(top, 'content-transfer-encoding') ?? '').trim().toLowerCase())) return null;
  const parts = flatParts(text.slice(split + 2), boundary);
  if (!parts) return null;
  const texts: string[] = [];
  const deliveryStatus: string[] = [];
  let feedbackReport: string | null = null;
  let returned: MimeParts['returned'] = null;
  for (const p of parts) {
    if (p.type === 'text/plain' && !p.attachment) texts.push(p.content);
    else if (p.type === 'message/delivery-status' || p.type === 'message/global-delivery-status') deliveryStatus.push(p.content);
    else if (p.type === 'message/feedback-report') feedbackReport ??= p.content;
    else if ((p.type === 'message/rfc822' || p.type === 'message/global') && !returned && p.content.trim()) returned = { kind: 'message', text: p.content };
    else if ((p.type === 'text/rfc822-headers' || p.type === 'message/global-headers') && !returned && p.content.trim()) returned = { kind: 'headers', text: p.content };
  }
  return { text: texts.join('\n'), deliveryStatus, feedbackReport, returned, problems: [] };
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
