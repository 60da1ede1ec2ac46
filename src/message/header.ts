/**
 * RFC 5322 header blocks read from plain text: the top of a message, a pasted header block, a
 * `text/rfc822-headers` part or the copy of a message an MTA quotes inline. Tolerant on purpose:
 * bounces carry broken headers, and a line that is not a field is skipped, not fatal.
 */
import { decodeWords } from 'postal-mime';

export interface HeaderField {
  /** Lower-cased field name. */
  name: string;
  /** The value with folding removed (CRLF + WSP → one space), encoded words left as they are. */
  value: string;
}

const FIELD_LINE = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:(.*)$/;

/** Splits text at the first empty line: header block above, body below (body null when there is no empty line). */
export function splitHeaderBody(text: string): { header: string; body: string | null } {
  const m = /\n[ \t]*\n/.exec(text);
  if (!m) return { header: text, body: null };
  return { header: text.slice(0, m.index), body: text.slice(m.index + m[0].length) };
}

/** Parses a header block (LF line endings) into fields in order. */
export function parseHeaderBlock(block: string): HeaderField[] {
  const fields: HeaderField[] = [];
  let current: HeaderField | null = null;
  for (const line of block.split('\n')) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && current) {
      current.value += ' ' + line.trim();
      continue;
    }
    const m = FIELD_LINE.exec(line);
    if (m) {
      current = { name: m[1]!.toLowerCase(), value: m[2]!.trim() };
      fields.push(current);
    } else {
      // An mbox "From " separator or a stray line: not a field, and it ends any folding.
      current = null;
    }
  }
  return fields;
}

/**
 * True when the text plausibly starts with a header block: at least two fields among its first
 * logical lines. Folded continuation lines do not count against the window — a DKIM-Signature
 * alone can fold over ten physical lines.
 */
export function looksLikeHeaders(text: string): boolean {
  const lines = text.replace(/^\s+/, '').split('\n', 200);
  let fields = 0;
  let logical = 0;
  for (const line of lines) {
    if (/^[ \t]/.test(line)) continue;
    if (++logical > 8 || line.trim() === '') break;
    if (FIELD_LINE.test(line)) fields++;
  }
  return fields >= 2;
}

export function headerValue(fields: HeaderField[], name: string): string | null {
  const f = fields.find((x) => x.name === name);
  return f ? f.value : null;
}

export function headerValues(fields: HeaderField[], name: string): string[] {
  return fields.filter((x) => x.name === name).map((x) => x.value);
}

/** Decodes RFC 2047 encoded words; a broken encoded word is left as it was. */
export function decodeHeaderText(value: string): string {
  try {
    return decodeWords(value);
  } catch {
    return value;
  }
}

/** The bare address inside `Name <addr>` or `addr`. */
export function bareAddress(value: string | null): string | null {
  if (!value) return null;
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  if (angle) return angle[1]!.toLowerCase();
  const plain = /([^\s<>"(),;:]+@[A-Za-z0-9.-]+[A-Za-z0-9])/.exec(value);
  return plain ? plain[1]!.toLowerCase() : null;
}
