/**
 * Message forensics: a bounce, any raw message, or a pasted header block → plain data the
 * diagnosis engine and the renderers use. What kind of message it is, the bounce's per-recipient
 * facts and reasons, the Received hops and the originating IP, Authentication-Results, DKIM
 * signatures (re-verified when a resolver is given), Microsoft's anti-spam stamps, and the same
 * analysis of the returned original. Nothing here throws on a malformed message: what could not be
 * read is listed in `problems`. Only an input over the size limit is refused (InputError).
 */
import type { Resolver } from '../net/dns/types.ts';
import type { MessageAnalysis, MessageKind } from './types.ts';
import { checkSize, normalizeLineEndings, splitMbox, DEFAULT_MAX_SIZE } from './input.ts';
import { splitHeaderBody, parseHeaderBlock, looksLikeHeaders, headerValue, headerValues, decodeHeaderText, bareAddress, type HeaderField } from './header.ts';
import { parseMime, readFlatReport, type MimeParts } from './mime.ts';
import { readBounce, isAutoReply, bounceHeader, type BounceReading } from './bounce/index.ts';
import { parseFeedbackReport, findInlineFeedbackReport } from './feedback.ts';
import { buildHops, parseMailDate } from './received.ts';
import { findOrigin } from './origin.ts';
import { parseAuthenticationResults, parseReceivedSpf } from './authres.ts';
import { parseDkimSignature, verifyDkim } from './dkim.ts';
import { readMicrosoftHeaders } from './microsoft.ts';

export type * from './types.ts';
export { DEFAULT_MAX_SIZE } from './input.ts';
export { classifyReason, reasonMeaning, findBlocklists, KNOWN_REASONS } from './bounce/index.ts';
export { parseAuthenticationResults, parseReceivedSpf } from './authres.ts';
export { parseReceived, buildHops } from './received.ts';
export { findOrigin, isPrivateAddress } from './origin.ts';
export { parseDeliveryStatus } from './dsn.ts';
export { statusMeaning } from './status.ts';

export interface AnalyzeOptions {
  /** When given, DKIM signatures of a complete message are re-verified through this resolver. */
  resolver?: Resolver;
  /** Refuse inputs above this many bytes (default 25 MB). */
  maxSize?: number;
}

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Headers a script on a web host leaves when it submits mail (the reference case's web server). */
function submissionHeaders(headers: HeaderField[]): { header: string; value: string }[] {
  const out: { header: string; value: string }[] = [];
  for (const h of headers) {
    if (['x-php-originating-script', 'x-php-script', 'x-php-scriptname', 'x-source-args', 'x-source-dir'].includes(h.name)) out.push({ header: h.name, value: h.value });
    else if ((h.name === 'x-mailer' || h.name === 'user-agent') && /\b(phpmailer|php\/|php mailer|wordpress|swiftmailer|symfony mailer|joomla|drupal|sendmail\.php|formmail)\b/i.test(h.value)) out.push({ header: h.name, value: h.value });
  }
  return out;
}

function truncationProblems(header: string, body: string | null): string[] {
  const ct = /^content-type:[^\n]*(?:\n[ \t][^\n]*)*/im.exec(header)?.[0] ?? '';
  const boundary = /boundary\s*=\s*"?([^";\s]+)"?/i.exec(ct)?.[1];
  if (!boundary || body === null) return [];
  if (!body.includes(`--${boundary}--`)) return [`the message looks truncated: the closing MIME boundary "--${boundary}--" is missing`];
  return [];
}

/** True unless the message is one part of plain 7-bit or 8-bit text, which is readable as it stands. */
function needsMimeParser(headers: HeaderField[]): boolean {
  const type = (headerValue(headers, 'content-type') ?? 'text/plain').toLowerCase();
  const encoding = (headerValue(headers, 'content-transfer-encoding') ?? '7bit').toLowerCase().trim();
  const charset = /charset\s*=\s*"?([^";\s]+)/.exec(type)?.[1] ?? 'us-ascii';
  return !type.startsWith('text/plain') || !['7bit', '8bit', 'binary', ''].includes(encoding) || !['us-ascii', 'utf-8', 'utf8', 'ascii'].includes(charset);
}

interface Parsed { headers: HeaderField[]; header: string; body: string | null; bytes: Uint8Array; text: string }

function parseTop(bytes: Uint8Array): Parsed {
  const text = utf8.decode(bytes).replace(/^From [^\n]*\n/, '');
  const { header, body } = splitHeaderBody(text);
  return { headers: parseHeaderBlock(header), header, body, bytes, text };
}

/**
 * A bounce of a bounce: some gateways return the first bounce whole, as the message/rfc822 part of
 * a report that names no recipient itself, and people forward a bounce as an attachment ("FW:
 * Undelivered Mail Returned to Sender"). The inner report is then the one that says who failed,
 * and its returned copy is the original message.
 */
async function nestedBounce(p: Parsed, returned: MimeParts['returned'], options: AnalyzeOptions): Promise<MessageAnalysis | null> {
  if (returned?.kind !== 'message' || !bounceHeader(p.headers)) return null;
  const inner = returned.text.replace(/^\s+/, '');
  if (!looksLikeHeaders(inner)) return null;
  const analysis = await analyzeParsed(parseTop(encoder.encode(inner)), options, 0, true);
  return analysis.kind === 'bounce' ? analysis : null;
}

const NOT_HEADERS = 'the input does not start with a header block; it was read as text';

/**
 * Why an analysis found nothing of a message in the input (no header fields, no bounce text, no
 * hops), or null: such input is a user's mistake (a wrong file), not a message with problems.
 */
export function notAMessage(a: MessageAnalysis): string | null {
  if (a.bounce || a.feedback || a.hops.length || a.from || a.subject || a.messageId) return null;
  return a.problems.includes(NOT_HEADERS) ? 'it does not look like an email message (no header fields, no bounce text)' : null;
}

async function analyzeParsed(p: Parsed, options: AnalyzeOptions, depth: number, nested = false): Promise<MessageAnalysis> {
  const problems: string[] = [];
  if (!looksLikeHeaders(p.header)) problems.push(NOT_HEADERS);
  const headersOnly = p.body === null || !p.body.trim();
  let mime: MimeParts = { text: p.body ?? '', deliveryStatus: [], feedbackReport: null, returned: null, problems: [] };
  // The returned copy is read for its header (hops, origin, authentication); its body is the
  // sender's own content. A single-part message in plain 7/8-bit text needs no MIME decoding.
  if (!headersOnly && depth === 0 && needsMimeParser(p.headers)) {
    mime = readFlatReport(p.text) ?? await parseMime(p.bytes);
    if (!mime.text.trim()) mime.text = p.body ?? '';
    problems.push(...mime.problems, ...truncationProblems(p.header, p.body));
  }
  const feedbackText = mime.feedbackReport;
  const readBody = !headersOnly && depth === 0;
  let feedback = (feedbackText ? parseFeedbackReport(feedbackText) : null) ?? (readBody ? findInlineFeedbackReport(mime.text) : null);
  const reading: BounceReading = feedback || !readBody ? { bounce: null, inlineOriginal: null } : readBounce({ headers: p.headers, text: mime.text, deliveryStatus: mime.deliveryStatus });
  feedback ??= reading.feedback ?? null;
  // The inner report names the failed recipients, and its returned copy is the original message.
  const inner = readBody && !feedback && !reading.bounce && !nested ? await nestedBounce(p, mime.returned, options) : null;
  if (inner) reading.bounce = inner.bounce;
  let kind: MessageKind = headersOnly ? 'headers' : 'message';
  if (feedback) kind = 'feedback-report';
  else if (reading.bounce) kind = reading.bounce.recipients.every((r) => r.reason === 'delivered') ? 'delivered' : 'bounce';
  else if (!headersOnly && isAutoReply(p.headers)) kind = 'auto-reply';

  const hops = buildHops(headerValues(p.headers, 'received'));
  const microsoft = readMicrosoftHeaders(p.headers);
  const submission = submissionHeaders(p.headers);
  const origin = findOrigin(hops, { submission, microsoftClientIp: microsoft?.connectingIp ?? null, originatingIp: microsoft?.originatingIp ?? null });
  const dkimSignatures = headerValues(p.headers, 'dkim-signature').map(parseDkimSignature);
  if (options.resolver && !headersOnly && dkimSignatures.length) {
    const verdict = await verifyDkim(p.bytes, options.resolver);
    if (verdict.problem) problems.push(verdict.problem);
    dkimSignatures.forEach((sig, i) => {
      const v = verdict.results.find((r) => r.d === sig.d && r.s === sig.s) ?? verdict.results[i];
      if (v) sig.verification = { result: v.result, comment: v.comment };
    });
    if (depth > 0 && dkimSignatures.some((s) => s.verification && s.verification.result !== 'pass')) {
      problems.push('DKIM did not verify on the returned copy: bouncing servers often alter or cut the copy, so this failure proves little');
    }
  }

  const analysis: MessageAnalysis = {
    kind,
    subject: decodeHeaderText(headerValue(p.headers, 'subject') ?? '') || null,
    from: decodeHeaderText(headerValue(p.headers, 'from') ?? '') || null,
    to: decodeHeaderText(headerValue(p.headers, 'to') ?? '') || null,
    messageId: headerValue(p.headers, 'message-id'),
    date: parseMailDate(headerValue(p.headers, 'date')),
    bounce: reading.bounce,
    feedback,
    hops,
    origin,
    authResults: headerValues(p.headers, 'authentication-results').map(parseAuthenticationResults),
    receivedSpf: headerValues(p.headers, 'received-spf').map(parseReceivedSpf),
    dkimSignatures,
    dkimSelectors: dkimSignatures.filter((s) => s.d && s.s).map((s) => ({ domain: s.d!, selector: s.s! })),
    microsoft,
    submission,
    problems,
  };
  if (depth === 0 && (kind === 'bounce' || kind === 'delivered' || kind === 'feedback-report')) {
    const returned = mime.returned ?? (reading.inlineOriginal ? { kind: 'message' as const, text: reading.inlineOriginal } : null);
    analysis.original = inner ? inner.original ?? null : returned ? await analyzeReturned(returned.text, options) : null;
    if (!analysis.original && !returned) problems.push('the bounce does not include the original message');
  }
  return analysis;
}

async function analyzeReturned(text: string, options: AnalyzeOptions): Promise<MessageAnalysis | null> {
  const trimmed = text.replace(/^\s+/, '');
  if (!looksLikeHeaders(trimmed)) return null;
  const bytes = encoder.encode(trimmed);
  return analyzeParsed(parseTop(bytes), options, 1);
}

/** Analyses one message (or pasted header block). Throws InputError only above the size limit. */
export async function analyzeMessage(bytes: Uint8Array, options: AnalyzeOptions = {}): Promise<MessageAnalysis> {
  checkSize(bytes, options.maxSize ?? DEFAULT_MAX_SIZE);
  return analyzeParsed(parseTop(normalizeLineEndings(bytes)), options, 0);
}

/** Analyses every message of an mbox file (a single message is a one-message mbox). */
export async function analyzeMailbox(bytes: Uint8Array, options: AnalyzeOptions = {}): Promise<MessageAnalysis[]> {
  checkSize(bytes, options.maxSize ?? DEFAULT_MAX_SIZE);
  const messages = splitMbox(normalizeLineEndings(bytes));
  const out: MessageAnalysis[] = [];
  for (const m of messages) out.push(await analyzeParsed(parseTop(m), options, 0));
  return out;
}

export { bareAddress };
