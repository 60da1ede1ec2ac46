/**
 * The EHLO reply (RFC 5321 §4.1.1.1): the first line names the server, each further line is one
 * service extension keyword with its parameters. Keywords are case-insensitive.
 */
import type { SmtpReply } from './reply.ts';

export interface Capabilities {
  /** Every keyword as the server sent it, uppercased, in order. */
  keywords: string[];
  starttls: boolean;
  pipelining: boolean;
  eightBitMime: boolean;
  smtpUtf8: boolean;
  chunking: boolean;
  enhancedStatusCodes: boolean;
  dsn: boolean;
  requireTls: boolean;
  /** SIZE (RFC 1870): the announced limit in bytes; 0 means "no fixed limit"; null when absent or unparsable. */
  size: number | null;
  /** AUTH mechanisms (RFC 4954), uppercased; the obsolete `AUTH=` form is read too. */
  auth: string[];
}

export interface EhloGreeting {
  /** The first word of the first line: the name the server calls itself. */
  host: string;
  capabilities: Capabilities;
}

export function parseEhlo(reply: SmtpReply): EhloGreeting {
  const [first = '', ...rest] = reply.lines;
  const keywords: string[] = [];
  let size: number | null = null;
  const auth = new Set<string>();
  for (const line of rest) {
    const [keywordRaw = '', ...params] = line.trim().split(/\s+/);
    // Old Microsoft servers announce `AUTH=LOGIN PLAIN` beside `AUTH LOGIN PLAIN`.
    const eq = keywordRaw.indexOf('=');
    const keyword = (eq > 0 ? keywordRaw.slice(0, eq) : keywordRaw).toUpperCase();
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(keyword)) continue;
    if (!keywords.includes(keyword)) keywords.push(keyword);
    const values = eq > 0 ? [keywordRaw.slice(eq + 1), ...params] : params;
    if (keyword === 'SIZE') {
      const n = Number(values[0] ?? 0);
      size = Number.isSafeInteger(n) && n >= 0 ? n : null;
    } else if (keyword === 'AUTH') {
      for (const m of values) if (m) auth.add(m.toUpperCase());
    }
  }
  const has = (k: string) => keywords.includes(k);
  return {
    host: first.trim().split(/\s+/)[0] ?? '',
    capabilities: {
      keywords,
      starttls: has('STARTTLS'),
      pipelining: has('PIPELINING'),
      eightBitMime: has('8BITMIME'),
      smtpUtf8: has('SMTPUTF8'),
      chunking: has('CHUNKING'),
      enhancedStatusCodes: has('ENHANCEDSTATUSCODES'),
      dsn: has('DSN'),
      requireTls: has('REQUIRETLS'),
      size,
      auth: [...auth],
    },
  };
}

/** The host name in a 220 greeting (RFC 5321 §4.3.1: `220 SP Domain [SP text]`), or null when it is not a name. */
export function greetingHost(reply: SmtpReply): string | null {
  const word = (reply.lines[0] ?? '').trim().split(/\s+/)[0] ?? '';
  if (/^\[.*\]$/.test(word)) return word;
  return /^[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9])?\.?$/i.test(word) && word.includes('.') ? word.replace(/\.$/, '').toLowerCase() : null;
}
