/**
 * A bounce's per-recipient facts: address, enhanced status and its meaning, SMTP reply code, the
 * receiver's words, the remote MTA, the reason in Sisimai's vocabulary and the named blocklists.
 * An RFC 3464 report is read first; the MTA's own wording fills what the report lacks, and is all
 * there is for the many MTAs and providers that send only text.
 */
import { type HeaderField, headerValue, headerValues, bareAddress } from '../header.ts';
import { parseDeliveryStatus, findInlineDeliveryStatus, typedValue, type DeliveryStatus, type DsnFields } from '../dsn.ts';
import { findStatus, statusMeaning } from '../status.ts';
import type { Bounce, BounceRecipient } from '../types.ts';
import { classifyReason } from './reason.ts';
import { findBlocklists } from './blocklists.ts';
import { splitReport, findRecipients, readDiagnostic, findRemoteMta, type TextRecipient } from './text.ts';
import { fromDaemon, bounceSubject, bounceWording } from './detect.ts';

export { classifyReason, reasonFromText, reasonFromStatus, reasonMeaning, isHard, KNOWN_REASONS } from './reason.ts';
export { findBlocklists } from './blocklists.ts';
export { isAutoReply } from './detect.ts';

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
}

/** Context for the reason classifier: the report without its boilerplate, bounded so a huge text costs little. */
function reportContext(report: string): string {
  return report.replace(/\s+/g, ' ').slice(0, 6000);
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

function buildRecipient(address: string, fields: DsnFields | null, textDiag: string | null, context: string): BounceRecipient {
  const dsnDiag = typedValue(fields?.['diagnostic-code']);
  // The DSN's Diagnostic-Code is the receiver's reply; the MTA's text adds words when the DSN is terse.
  const diagnostic = dsnDiag && textDiag && !textDiag.includes(dsnDiag.slice(0, 40)) && dsnDiag.length < 60 ? `${dsnDiag} ${textDiag}` : (dsnDiag ?? textDiag ?? null);
  const read = readDiagnostic(diagnostic);
  let status = cleanStatus(fields?.status);
  if ((!status || /\.0\.0$/.test(status)) && read.status) status = read.status;
  const action = fields?.action?.toLowerCase().trim().split(/\s/)[0] ?? null;
  const remoteMta = typedValue(fields?.['remote-mta']) ?? read.remoteMta ?? findRemoteMta(context);
  const decision = classifyReason({ diagnostic, status, replyCode: read.replyCode, command: read.command, context, action });
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
    blocklists: findBlocklists(diagnostic),
  };
}

export function readBounce(input: BounceInput): BounceReading {
  const { report, original } = splitReport(input.text);
  const context = reportContext(report);
  const dsn = readDsn(input);
  const exclude = excludedAddresses(input.headers);
  const textRecipients = findRecipients(report, exclude);
  const textByAddress = new Map<string, TextRecipient>(textRecipients.map((r) => [r.address, r]));
  const recipients: BounceRecipient[] = [];

  if (dsn) {
    for (const fields of dsn.recipients) {
      const address = (typedValue(fields['final-recipient']) ?? typedValue(fields['original-recipient']) ?? '').replace(/^<|>$/g, '').toLowerCase();
      if (!address) continue;
      const textDiag = textByAddress.get(address)?.diagnostic ?? (dsn.recipients.length === 1 && textRecipients.length === 1 ? textRecipients[0]!.diagnostic : null);
      const r = buildRecipient(address, fields, textDiag || null, context);
      const orig = typedValue(fields['original-recipient'])?.toLowerCase() ?? null;
      r.originalAddress = orig && orig !== address ? orig : null;
      recipients.push(r);
    }
  }
  const looksBounced = dsn !== null || headerValues(input.headers, 'x-failed-recipients').length > 0
    || ((fromDaemon(input.headers) || bounceSubject(input.headers)) && bounceWording(report));
  if (!recipients.length && looksBounced) {
    const failed = headerValues(input.headers, 'x-failed-recipients').flatMap((v) => v.split(',')).map((a) => bareAddress(a)).filter((a): a is string => !!a);
    const found: TextRecipient[] = textRecipients.length ? textRecipients : failed.map((address) => ({ address, diagnostic: '' }));
    for (const t of found) {
      // With one recipient and no words after it, the whole report is its diagnostic.
      const diag = t.diagnostic || (found.length === 1 ? context : '');
      recipients.push(buildRecipient(t.address, null, diag || null, context));
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
