/**
 * Reading a bounce from its wording when there is no RFC 3464 report (or the report lacks the
 * diagnostic): where the returned copy starts, which lines name failed recipients, and the words
 * that follow each one. The shapes come from `data/bounce-formats.json`; nothing here knows a
 * particular MTA by name.
 */
import formats from '../../../data/bounce-formats.json' with { type: 'json' };
import { findStatus } from '../status.ts';

const originalMarkers = formats.originalMarkers.regex.map((r) => new RegExp(r, 'im'));
const embeddedHeaders = new RegExp(formats.originalMarkers.embeddedHeaders, 'i');
const recipientFormats = formats.recipientLines.formats.map((f) => ({ name: f.name, re: new RegExp(f.regex, 'i'), inlineOnly: (f as { inlineOnly?: boolean }).inlineOnly === true }));
const remoteMtaPatterns = formats.remoteMta.map((r) => new RegExp(r, 'i'));
const commandPatterns = formats.command.map((r) => new RegExp(r, 'i'));
const replyCodeAll = new RegExp(formats.replyCode, 'gi');
const noiseLines = formats.noiseLines.map((r) => new RegExp(r, 'i'));

/** Splits a plain-text bounce into the report and the quoted original (null when none is quoted). */
export function splitReport(text: string): { report: string; original: string | null } {
  let cut = -1;
  for (const re of originalMarkers) {
    const m = re.exec(text);
    if (m && (cut === -1 || m.index < cut)) cut = m.index;
  }
  // A header block pasted after the report with no marker line (Zoho, some gateways).
  const embedded = embeddedHeaders.exec(text);
  if (embedded && (cut === -1 || embedded.index < cut)) {
    return { report: text.slice(0, embedded.index), original: text.slice(embedded.index).replace(/^\s+/, '') };
  }
  if (cut === -1) return { report: text, original: null };
  const rest = text.slice(cut);
  const nl = rest.indexOf('\n');
  return { report: text.slice(0, cut), original: nl === -1 ? null : rest.slice(nl + 1) };
}

export interface TextRecipient {
  address: string;
  diagnostic: string;
}

function cleanAddress(a: string): string {
  return a.replace(/^[<("'[]+|[>)"'.,;:\]]+$/g, '').toLowerCase();
}

function isNoise(line: string): boolean {
  return noiseLines.some((re) => re.test(line));
}

/**
 * Failed recipients named in the report and the words after each. `exclude` holds addresses that
 * are never the failed recipient (the bounce's own sender and the person it is addressed to).
 */
export function findRecipients(report: string, exclude: Set<string>, maxLines = 14): TextRecipient[] {
  const lines = report.split('\n');
  for (const format of recipientFormats) {
    const hits: { index: number; address: string; inline: string }[] = [];
    lines.forEach((line, index) => {
      const m = format.re.exec(line);
      const address = m?.groups?.address ? cleanAddress(m.groups.address) : null;
      if (!m || !address || exclude.has(address) || !/@[^@]+\.[a-z]{2,}$/i.test(address)) return;
      // A format without a words group names the recipient inside a sentence: the sentence is the words.
      const inline = 'diag' in m.groups! ? (m.groups!.diag ?? '') : line.replace(m.groups!.address!, ' ');
      hits.push({ index, address, inline: inline.trim() });
    });
    if (!hits.length) continue;
    const seen = new Map<string, TextRecipient>();
    hits.forEach((hit, k) => {
      // Some formats put each recipient's words on its own line (a Sendmail transcript): read no further.
      const end = format.inlineOnly && hit.inline ? hit.index + 1 : Math.min(k + 1 < hits.length ? hits[k + 1]!.index : lines.length, hit.index + 1 + maxLines);
      const following: string[] = [];
      let blanks = 0;
      for (let i = hit.index + 1; i < end; i++) {
        const line = lines[i]!;
        if (!line.trim()) { if (++blanks >= 2 && following.length) break; continue; }
        if (isNoise(line)) break;
        blanks = 0;
        following.push(line.trim());
      }
      const diagnostic = [hit.inline.replace(/^[:\-]\s*/, ''), ...following].filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
      const previous = seen.get(hit.address);
      if (!previous) seen.set(hit.address, { address: hit.address, diagnostic });
      // The same address again (a wrapped reply quoting it) continues that recipient's words.
      else if (diagnostic && !previous.diagnostic.includes(diagnostic)) previous.diagnostic = `${previous.diagnostic} ${diagnostic}`.trim();
    });
    return [...seen.values()];
  }
  return [];
}

/** The remote MTA named in a diagnostic or report ("host mx.example.com[192.0.2.1] said"). */
export function findRemoteMta(text: string | null): string | null {
  if (!text) return null;
  for (const re of remoteMtaPatterns) {
    const m = re.exec(text);
    if (m?.groups) return (m.groups.host ?? m.groups.ip ?? '').replace(/\.$/, '').toLowerCase() || null;
  }
  return null;
}

const COMMANDS: Record<string, string> = {
  'RCPT TO': 'RCPT', RCPT_TO: 'RCPT', RCPT: 'RCPT', 'MAIL FROM': 'MAIL', MAIL_FROM: 'MAIL', MAIL: 'MAIL',
  DATA: 'DATA', 'END OF DATA': 'DATA', 'THE END OF THE DATA': 'DATA', EOD: 'DATA', HELO: 'HELO', EHLO: 'EHLO', STARTTLS: 'STARTTLS',
  'INITIAL CONNECTION': 'CONN', CONNECT: 'CONN', CONN: 'CONN', GREETING: 'CONN',
  // qmail-send names the stage by its object: "does not like recipient", "sender was rejected".
  RECIPIENT: 'RCPT', SENDER: 'MAIL',
};

/** The SMTP command the refusal answered, normalised to RCPT, MAIL, DATA, HELO, EHLO, STARTTLS or CONN. */
export function findCommand(text: string | null): string | null {
  if (!text) return null;
  for (const re of commandPatterns) {
    const m = re.exec(text);
    if (m?.groups?.cmd) return COMMANDS[m.groups.cmd.toUpperCase()] ?? null;
  }
  return null;
}

/**
 * A multi-line SMTP reply joined into one line repeats its code on every line ("... presents a
 * potential 552-5.7.0 security issue", Postfix's and Exchange's rendering of Gmail's replies).
 * Keeps the first code and drops its repeats, so the receiver's sentences read whole again.
 */
export function unfoldReply(text: string): string {
  const first = /(?<![\w.\/-])([245]\d\d)(?:-|\s+[245]\.\d{1,3}\.\d{1,3}\b)/.exec(text);
  if (!first) return text;
  const end = first.index + first[0].length;
  // A repeat is the same code with a dash (a continuation line) or followed by an enhanced code (the last line).
  const repeat = new RegExp(`\\s${first[1]}(?:-(?:[245]\\.\\d{1,3}\\.\\d{1,3}(?=\\s))?|\\s[245]\\.\\d{1,3}\\.\\d{1,3}(?=\\s))`, 'g');
  const rest = text.slice(end);
  return repeat.test(rest) ? text.slice(0, end) + rest.replace(repeat, ' ').replace(/\s{2,}/g, ' ') : text;
}

/** The first SMTP reply code in a diagnostic, e.g. "550". */
export function findReplyCode(text: string | null): string | null {
  if (!text) return null;
  let success: string | null = null;
  for (const m of text.matchAll(replyCodeAll)) {
    const code = m.groups?.code ?? null;
    if (code && code[0] !== '2') return code;
    success ??= code;
  }
  return success;
}

/** Status, reply code, command and remote MTA read out of one diagnostic text. */
export function readDiagnostic(text: string | null): { status: string | null; replyCode: string | null; command: string | null; remoteMta: string | null } {
  return { status: findStatus(text), replyCode: findReplyCode(text), command: findCommand(text), remoteMta: findRemoteMta(text) };
}

/** True when a line carries an SMTP reply code or an enhanced status code. */
export function findStatusOrCode(line: string): boolean {
  return findStatus(line) !== null || findReplyCode(line) !== null;
}
