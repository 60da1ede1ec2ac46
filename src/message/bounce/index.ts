/**
 * A bounce's per-recipient facts: address, enhanced status and its meaning, SMTP reply code, the
 * receiver's words, the remote MTA, the reason in Sisimai's vocabulary and the named blocklists.
 * An RFC 3464 report is read first; the MTA's own wording fills what the report lacks, and is all
 * there is for the many MTAs and providers that send only text.
 */
import { type HeaderField, headerValue, headerValues, bareAddress, parseHeaderBlock, splitHeaderBody } from '../header.ts';
import { parseDeliveryStatus, findInlineDeliveryStatus, typedValue, type DeliveryStatus, type DsnFields } from '../dsn.ts';
import { findStatus, statusMeaning } from '../status.ts';
import type { Bounce, BounceRecipient, FeedbackReport } from '../types.ts';
import { readSesEvent, type SesEvent } from './ses.ts';
import { classifyReason, reasonFromText } from './reason.ts';
import { findBlocklists } from './blocklists.ts';
import { splitReport, findRecipients, readDiagnostic, findRemoteMta, findCommand, findStatusOrCode, unfoldReply, type TextRecipient } from './text.ts';
import { fromDaemon, bounceSubject, bounceWording } from './detect.ts';
import { identifySoftware, softwareReason, localAgentReason, providerReason, type Software } from './software.ts';

export { classifyReason, reasonFromText, reasonFromStatus, reasonMeaning, isHard, KNOWN_REASONS } from './reason.ts';
export { findBlocklists } from './blocklists.ts';
export { isAutoReply } from './detect.ts';

/** A daemon sender or a failure subject: the header of a bounce, whether or not its body reads as one. */
export function bounceHeader(headers: HeaderField[]): boolean {
  return fromDaemon(headers) || bounceSubject(headers);
}

export interface BounceInput {
  headers: HeaderField[];
  /** The readable text of the message (all text parts), original copy included if quoted inline. */
  text: string;
  deliveryStatus: string[];
}

export interface BounceReading {
  bounce: Bounce | null;
  /** The copy of the original quoted inline in the text, when there is one. */
  inlineOriginal: string | null;
  /** A complaint that arrived in a bounce-like wrapper (an SES complaint event). */
  feedback?: FeedbackReport;
}

/** Context for the reason classifier: the report without its boilerplate, bounded so a huge text costs little. */
function reportContext(report: string): string {
  return unfoldReply(report.replace(/\s+/g, ' ').slice(0, 6000));
}

function cleanStatus(value: string | undefined): string | null {
  return findStatus(value ?? null);
}

function readDsn(input: BounceInput): DeliveryStatus | null {
  const reports = input.deliveryStatus.map(parseDeliveryStatus).filter((r) => r.recipients.length);
  if (reports.length) {
    return { message: Object.assign({}, ...reports.map((r) => r.message)), recipients: reports.flatMap((r) => r.recipients) };
  }
  return findInlineDeliveryStatus(input.text);
}

function excludedAddresses(headers: HeaderField[]): Set<string> {
  const out = new Set<string>();
  for (const name of ['from', 'sender', 'return-path', 'reply-to']) {
    const a = bareAddress(headerValue(headers, name));
    if (a) out.add(a);
  }
  return out;
}

/** What is known about the bounce as a whole: who wrote it, its header, its report. */
interface Writer {
  software: Software | null;
  headers: HeaderField[];
  reportingMta: string | null;
  /** The report as written (lines kept), for transcripts that name each recipient's command. */
  report: string;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A session transcript line that sent this recipient (">>> RCPT To:<addr>") dates the refusal to RCPT TO. */
function transcriptCommand(report: string, address: string): string | null {
  return new RegExp(`>>> RCPT TO:\\s*<?${escapeRegex(address)}>?`, 'i').test(report) ? 'RCPT' : null;
}

/** The status field's comment ("5.2.1 (mailbox disabled, not accepting messages)") is the reporting MTA's own words. */
function statusComment(value: string | undefined): string | null {
  return /^\s*[245]\.\d+\.\d+\s*\((.+)\)\s*$/.exec(value ?? '')?.[1] ?? null;
}

function explicitVerdict(w: Writer, fields: DsnFields | null, address: string, words: string | null, single: boolean, command: string | null, status: string | null, remoteMta: string | null): { reason: string; retryable: boolean } | null {
  const own = w.software ? softwareReason(w.software, w.headers, fields, words ?? '', single ? w.report : '') : null;
  if (own && !own.retryable) return own;
  // For the only recipient the transcript around its line is its words too ("... Service unavailable").
  const agent = localAgentReason(single ? `${words ?? ''} ${w.report}` : words, command);
  if (agent) return { reason: agent, retryable: false };
  const provider = providerReason({ recipient: address, remoteMta, reportingMta: w.reportingMta, diagnostic: words }, status);
  if (provider) return { reason: provider, retryable: false };
  // A Diagnostic-Code of type X-Unix is a local program's exit, not a remote reply (RFC 3464 2.3.6):
  // a mailer error unless its words name a more precise cause.
  if (!own && /^\s*x-unix\s*;/i.test(fields?.['diagnostic-code'] ?? '')) return { reason: 'mailererror', retryable: true };
  return own;
}

function buildRecipient(w: Writer, address: string, fields: DsnFields | null, textDiag: string | null, context: string, single: boolean): BounceRecipient {
  const dsnDiag = typedValue(fields?.['diagnostic-code']);
  // The DSN's Diagnostic-Code is the receiver's reply and is what we show; the MTA's own text about
  // the same recipient still helps classify when the code is terse ("550 rejected").
  const diagnostic = dsnDiag ?? textDiag ?? null;
  let reasonText = dsnDiag && textDiag && dsnDiag.length < 60 && !textDiag.includes(dsnDiag.slice(0, 40)) && !reasonFromText(dsnDiag) ? `${dsnDiag} ${textDiag}` : diagnostic;
  const note = statusComment(fields?.status);
  // Without a reply of its own the comment only restates the code, which the status already says.
  if (note && reasonText) reasonText = `${reasonText} ${note}`;
  // The receiver's sentences without the reply code repeated on each of its lines.
  if (reasonText) reasonText = unfoldReply(reasonText);
  const read = readDiagnostic(diagnostic);
  // The report's own words name the command for its only recipient; with several, they may be about another.
  read.command ??= findCommand(textDiag) ?? transcriptCommand(w.report, address) ?? (single ? findCommand(context) : null);
  let status = cleanStatus(fields?.status);
  if ((!status || /\.0\.0$/.test(status)) && read.status) status = read.status;
  const action = fields?.action?.toLowerCase().trim().split(/\s/)[0] ?? null;
  const remoteMta = typedValue(fields?.['remote-mta']) ?? read.remoteMta ?? findRemoteMta(context);
  const explicit = explicitVerdict(w, fields, address, reasonText, single, read.command, status, remoteMta);
  const decision = classifyReason({ diagnostic: reasonText, status, replyCode: read.replyCode, command: read.command, context, action, recipient: address, explicit });
  return {
    address,
    originalAddress: null,
    action: action ?? 'failed',
    status,
    statusMeaning: statusMeaning(status),
    replyCode: read.replyCode,
    diagnostic,
    command: read.command,
    reason: decision.reason,
    reasonSource: decision.source,
    hard: decision.hard,
    remoteMta: remoteMta?.toLowerCase().replace(/\.$/, '') ?? null,
    blocklists: findBlocklists(diagnostic && unfoldReply(diagnostic)),
  };
}

const ADDRESS = /[A-Za-z0-9._%+=\-\/!#$&'*?^`{|}~]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const DAEMON_LOCAL = /^(mailer-daemon|postmaster|root|nobody|no-?reply|bounces?|double-bounce)$/i;

/** Every address the report mentions, in order, minus the bounce's own parties and daemons. */
function mentionedAddresses(report: string, exclude: Set<string>): string[] {
  const out: string[] = [];
  for (const m of report.matchAll(ADDRESS)) {
    const a = m[0].toLowerCase().replace(/^[.'"]+|[.'"]+$/g, '');
    if (exclude.has(a) || DAEMON_LOCAL.test(a.split('@')[0]!) || out.includes(a)) continue;
    out.push(a);
  }
  return out;
}

function lineShowsError(report: string, address: string): boolean {
  const line = report.split('\n').find((l) => l.toLowerCase().includes(address)) ?? '';
  return findStatusOrCode(line) || reasonFromText(line.replace(address, ' ')) !== null;
}

/** To/Cc of the quoted original: the last resort for "who did not get it". */
function originalRecipients(original: string | null): string[] {
  if (!original) return [];
  const fields = parseHeaderBlock(splitHeaderBody(original.replace(/^\s+/, '')).header);
  return [...headerValues(fields, 'to'), ...headerValues(fields, 'cc')]
    .flatMap((v) => v.split(','))
    .map((v) => bareAddress(v))
    .filter((a): a is string => !!a);
}

function sesAsDsn(ses: SesEvent): DeliveryStatus {
  return {
    message: ses.reportingMta ? { 'reporting-mta': `dns; ${ses.reportingMta}` } : {},
    recipients: ses.recipients.map((r) => {
      const f: DsnFields = { 'final-recipient': `rfc822; ${r.address}` };
      if (r.action) f.action = r.action;
      if (r.status) f.status = r.status;
      if (r.diagnostic) f['diagnostic-code'] = `smtp; ${r.diagnostic}`;
      if (ses.remoteMta) f['remote-mta'] = `dns; ${ses.remoteMta}`;
      return f;
    }),
  };
}

function sesComplaint(ses: SesEvent): FeedbackReport {
  return { feedbackType: ses.feedbackType ?? 'abuse', userAgent: 'Amazon SES', sourceIp: null, originalMailFrom: null, originalRcptTo: ses.recipients.map((r) => r.address), reportedDomain: [], arrivalDate: null };
}

function looksBounced(headers: HeaderField[], report: string): boolean {
  const nullSender = /^\s*<\s*>\s*$/.test(headerValue(headers, 'return-path') ?? 'x');
  const signals = [fromDaemon(headers), bounceSubject(headers), bounceWording(report), nullSender].filter(Boolean).length;
  return signals >= 2;
}

export function readBounce(input: BounceInput): BounceReading {
  const { report, original } = splitReport(input.text);
  const context = reportContext(report);
  const ses = readSesEvent(input.text);
  if (ses?.type === 'complaint') return { bounce: null, inlineOriginal: null, feedback: sesComplaint(ses) };
  const dsn = ses ? sesAsDsn(ses) : readDsn(input);
  const exclude = excludedAddresses(input.headers);
  const textRecipients = findRecipients(report, exclude);
  const textByAddress = new Map<string, TextRecipient>(textRecipients.map((r) => [r.address, r]));
  const recipients: BounceRecipient[] = [];
  const dsnFieldNames = new Set((dsn?.recipients ?? []).flatMap((f) => Object.keys(f)).concat(Object.keys(dsn?.message ?? {})));
  const writer: Writer = {
    software: identifySoftware({ headers: input.headers, dsnFieldNames }),
    headers: input.headers,
    reportingMta: typedValue(dsn?.message['reporting-mta'])?.toLowerCase() ?? null,
    report,
  };

  for (const fields of dsn?.recipients ?? []) {
    const address = (typedValue(fields['final-recipient']) ?? typedValue(fields['original-recipient']) ?? '').replace(/^<|>$/g, '').toLowerCase();
    if (!address) continue;
    const single = dsn!.recipients.length === 1;
    const textDiag = textByAddress.get(address)?.diagnostic ?? (single && textRecipients.length === 1 ? textRecipients[0]!.diagnostic : null);
    const r = buildRecipient(writer, address, fields, textDiag || null, context, single);
    const orig = typedValue(fields['original-recipient'])?.replace(/^<|>$/g, '').toLowerCase() ?? null;
    r.originalAddress = orig && orig !== address ? orig : null;
    recipients.push(r);
  }
  const failedHeader = headerValues(input.headers, 'x-failed-recipients');
  if (!recipients.length && (failedHeader.length || looksBounced(input.headers, report))) {
    const failed = failedHeader.flatMap((v) => v.split(',')).map((a) => bareAddress(a)).filter((a): a is string => !!a);
    // X-Failed-Recipients is the MTA's own list: addresses the words mention but it does not (a
    // greeting to the sender, a group's name) are not the failed recipients.
    let found: TextRecipient[] = failed.length && !textRecipients.some((t) => failed.includes(t.address))
      ? failed.map((address) => ({ address, diagnostic: '' }))
      : textRecipients;
    if (!found.length) {
      const addressed = new Set(originalRecipients(original));
      // A bare mention counts only when the returned original was addressed to it, or the same line ties it to an error.
      const mentioned = mentionedAddresses(report, exclude).filter((a) => addressed.has(a) || lineShowsError(report, a));
      const fallback = failed.length ? failed : mentioned;
      found = (fallback.length ? fallback : originalRecipients(original)).map((address) => ({ address, diagnostic: '' }));
    }
    for (const t of found) {
      // With one recipient and no words after it, the whole report is its diagnostic.
      const diag = t.diagnostic || (found.length === 1 ? context : '');
      recipients.push(buildRecipient(writer, t.address, null, diag || null, context, found.length === 1));
    }
  }
  if (!recipients.length) return { bounce: null, inlineOriginal: original };
  const reportingMta = typedValue(dsn?.message['reporting-mta']) ?? null;
  const first = recipients[0]!;
  return {
    bounce: {
      format: dsn ? 'dsn' : 'text',
      reason: first.reason,
      hard: first.hard,
      reportingMta,
      arrivalDate: dsn?.message['arrival-date'] ?? null,
      recipients,
    },
    inlineOriginal: original,
  };
}
