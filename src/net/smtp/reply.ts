/**
 * SMTP replies (RFC 5321 §4.2): a three-digit code, then `-` on every line but the last, which has a
 * space (or nothing). The reader is fed raw bytes and yields whole replies; it refuses over-long
 * lines and endless multi-line replies, so a hostile or broken server cannot make the probe buffer
 * without bound.
 */

export interface SmtpReply {
  code: number;
  /** The text of each line, code and separator removed. */
  lines: string[];
  /** Enhanced status code (RFC 3463) of the first line when it starts with one, e.g. `5.7.1`. */
  enhanced: string | null;
}

/** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including the CRLF. */
export const MAX_REPLY_LINE = 512;
/** No real server sends this many lines in one reply (an EHLO lists a dozen extensions). */
export const MAX_REPLY_LINES = 100;

export class SmtpProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmtpProtocolError';
  }
}

const LINE = /^([2-5]\d\d)(?:([ -])(.*))?$/s;
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)/;

export interface ReplyParser {
  /** Adds bytes; returns the replies they completed. Throws SmtpProtocolError on a malformed stream. */
  push(chunk: Buffer): SmtpReply[];
  /** Bytes received after the last complete reply (STARTTLS must have none: RFC 3207 §4.2 / CVE-2011-0411). */
  pending(): number;
}

export function createReplyParser(limits: { maxLine?: number; maxLines?: number } = {}): ReplyParser {
  const maxLine = limits.maxLine ?? MAX_REPLY_LINE;
  const maxLines = limits.maxLines ?? MAX_REPLY_LINES;
  let buffer: Buffer = Buffer.alloc(0);
  let current: { code: number; lines: string[] } | null = null;

  function takeLine(line: string): SmtpReply | null {
    const match = LINE.exec(line);
    if (!match) throw new SmtpProtocolError(`malformed reply line: ${printable(line)}`);
    const code = Number(match[1]);
    const more = match[2] === '-';
    const text = match[3] ?? '';
    if (current && current.code !== code) {
      throw new SmtpProtocolError(`reply code changed inside a multi-line reply (${current.code} then ${code})`);
    }
    current ??= { code, lines: [] };
    current.lines.push(text);
    if (current.lines.length > maxLines) throw new SmtpProtocolError(`reply longer than ${maxLines} lines`);
    if (more) return null;
    const done = current;
    current = null;
    return { code: done.code, lines: done.lines, enhanced: ENHANCED.exec(done.lines[0] ?? '')?.[0] ?? null };
  }

  function push(chunk: Buffer): SmtpReply[] {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    const replies: SmtpReply[] = [];
    for (;;) {
      const end = buffer.indexOf(0x0a);
      if (end < 0) break;
      // The limit counts the CRLF; a bare LF is tolerated (many test servers and some appliances send it).
      if (end + 1 > maxLine) throw new SmtpProtocolError(`reply line longer than ${maxLine} octets`);
      const raw = buffer.subarray(0, end).toString('latin1').replace(/\r$/, '');
      buffer = buffer.subarray(end + 1);
      const reply = takeLine(raw);
      if (reply) replies.push(reply);
    }
    if (buffer.length >= maxLine) throw new SmtpProtocolError(`reply line longer than ${maxLine} octets`);
    return replies;
  }

  return { push, pending: () => buffer.length + (current ? 1 : 0) };
}

/** A reply as one line of text for reports: `250 2.1.0 Ok`, multi-line replies joined with ` / `. */
export function replyText(reply: SmtpReply): string {
  return `${reply.code} ${reply.lines.join(' / ')}`.trim();
}

/** Control characters shown escaped, long lines cut, so a hostile server cannot spoil the report. */
export function printable(text: string, max = 120): string {
  const clean = text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
