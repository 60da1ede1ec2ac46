/**
 * RFC 3464 delivery-status fields: one per-message group (Reporting-MTA, Arrival-Date, …), then one
 * group per recipient (Final-Recipient, Action, Status, Remote-MTA, Diagnostic-Code, …), groups
 * separated by empty lines. Field names are lower-cased; values unfolded.
 */
import { parseHeaderBlock } from './header.ts';

export type DsnFields = Record<string, string>;

export interface DeliveryStatus {
  message: DsnFields;
  recipients: DsnFields[];
}

const RECIPIENT_FIELDS = ['final-recipient', 'original-recipient', 'action', 'status', 'diagnostic-code', 'remote-mta'];
const KNOWN_FIELDS = new Set([
  ...RECIPIENT_FIELDS, 'reporting-mta', 'arrival-date', 'received-from-mta', 'dsn-gateway', 'original-envelope-id',
  'last-attempt-date', 'will-retry-until', 'final-log-id', 'x-actual-recipient', 'x-postfix-queue-id', 'x-postfix-sender',
  'x-original-message-id', 'x-display-name', 'x-supplementary-info',
]);

const iso2022jp = new TextDecoder('iso-2022-jp');

/**
 * Japanese MTAs (Domino, Notes) write the Diagnostic-Code in 7-bit ISO-2022-JP: the escape
 * sequences survive the delivery-status part's plain-text reading and are decoded here.
 */
function decodeJis(value: string): string {
  if (!value.includes('\x1b$')) return value;
  const bytes = Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff);
  return iso2022jp.decode(bytes);
}

function toFields(block: string): DsnFields {
  return toGroups(block)[0] ?? {};
}

/**
 * Field groups of one block. Some MTAs forget the empty line between recipients, so a second
 * Final-Recipient starts a new group.
 */
function toGroups(block: string): DsnFields[] {
  const groups: DsnFields[] = [];
  let out: DsnFields = {};
  for (const f of parseHeaderBlock(block)) {
    const startsRecipient = f.name === 'final-recipient' && 'final-recipient' in out;
    if (startsRecipient) { groups.push(out); out = {}; }
    // Otherwise the first occurrence wins: a repeated field inside one group is an MTA bug, not an update.
    if (!(f.name in out)) out[f.name] = decodeJis(f.value);
  }
  groups.push(out);
  return groups;
}

/** Parses the body of a message/delivery-status part. */
export function parseDeliveryStatus(text: string): DeliveryStatus {
  const groups = text.replace(/^\s+/, '').split(/\n[ \t]*\n/).flatMap(toGroups).filter((g) => Object.keys(g).length > 0);
  const message: DsnFields = {};
  const recipients: DsnFields[] = [];
  for (const g of groups) {
    const isRecipient = 'final-recipient' in g || 'original-recipient' in g || ('action' in g && 'status' in g);
    if (isRecipient) recipients.push(g);
    else Object.assign(message, g);
  }
  return { message, recipients };
}

/**
 * DSN fields quoted inline in a text part (some MTAs and gateways paste the report into the
 * human-readable part, or the MIME structure is broken). Starts at the first Reporting-MTA or
 * Final-Recipient line and reads field groups while they hold DSN fields.
 */
export function findInlineDeliveryStatus(text: string): DeliveryStatus | null {
  const start = /^(Reporting-MTA|Final-Recipient|Original-Recipient)[ \t]*:/im.exec(text);
  if (!start) return null;
  const blocks = text.slice(start.index).split(/\n[ \t]*\n/);
  const kept: string[] = [];
  for (const block of blocks) {
    const fields = Object.keys(toFields(block));
    if (!fields.length || !fields.some((f) => KNOWN_FIELDS.has(f))) break;
    kept.push(block);
  }
  const parsed = parseDeliveryStatus(kept.join('\n\n'));
  return parsed.recipients.length ? parsed : null;
}

/** `rfc822; user@example.com` → `user@example.com`. */
export function typedValue(value: string | undefined): string | null {
  if (!value) return null;
  const i = value.indexOf(';');
  const v = (i >= 0 ? value.slice(i + 1) : value).trim();
  return v || null;
}
