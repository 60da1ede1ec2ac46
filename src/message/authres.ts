/**
 * Authentication-Results (RFC 8601) and Received-SPF (RFC 7208 9.1): what the receiving systems
 * recorded about SPF, DKIM, DMARC, ARC. These are claims by whoever wrote them; the report says
 * so, and DKIM is re-verified independently when a resolver is available.
 */
import type { AuthResults, AuthResultEntry, ReceivedSpf } from './types.ts';

/** Removes RFC 5322 comments (nested parentheses), leaving quoted strings intact. */
export function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      out += c;
      if (c === '\\' && i + 1 < value.length) out += value[++i];
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"' && depth === 0) { quoted = true; out += c; continue; }
    if (c === '(') { depth++; continue; }
    if (c === ')' && depth > 0) { depth--; if (depth === 0) out += ' '; continue; }
    if (depth === 0) out += c;
  }
  return out;
}

function splitOutsideQuotes(value: string, sep: string): string[] {
  const parts: string[] = [];
  let buf = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"') quoted = !quoted;
    if (c === '\\' && quoted) { buf += c + (value[++i] ?? ''); continue; }
    if (c === sep && !quoted) { parts.push(buf); buf = ''; continue; }
    buf += c;
  }
  parts.push(buf);
  return parts;
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

const PAIR = /([^\s=]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)/g;

function parseResinfo(text: string): AuthResultEntry | null {
  const pairs = [...text.matchAll(PAIR)].map((m) => [m[1]!, unquote(m[2]!)] as const);
  const head = pairs.shift();
  if (!head) return null;
  const entry: AuthResultEntry = { method: head[0].toLowerCase().replace(/\/\d+$/, ''), result: head[1].toLowerCase(), reason: null, properties: {} };
  for (const [key, value] of pairs) {
    if (key.toLowerCase() === 'reason') entry.reason = value;
    else entry.properties[key.toLowerCase().includes('.') ? key.replace(/^[^.]+/, (p) => p.toLowerCase()) : key.toLowerCase()] = value;
  }
  return entry;
}

export function parseAuthenticationResults(value: string): AuthResults {
  const segments = splitOutsideQuotes(stripComments(value.replace(/\r?\n/g, ' ')), ';');
  // Exchange Online omits the authserv-id and starts with the first result.
  if (/^\s*[\w.-]+\s*=/.test(segments[0] ?? '')) segments.unshift('');
  const [idPart = '', ...rest] = segments;
  const idTokens = idPart.trim().split(/\s+/).filter(Boolean);
  const authservId = idTokens[0] ?? '';
  const version = idTokens[1] && /^\d+$/.test(idTokens[1]) ? idTokens[1] : null;
  const results: AuthResultEntry[] = [];
  for (const seg of rest) {
    const trimmed = seg.trim();
    if (!trimmed || trimmed.toLowerCase() === 'none') continue;
    const entry = parseResinfo(trimmed);
    if (entry) results.push(entry);
  }
  return { authservId, version, results };
}

/** `Received-SPF: pass (comment) client-ip=192.0.2.1; envelope-from=...` */
export function parseReceivedSpf(value: string): ReceivedSpf {
  const result = /^\s*([A-Za-z]+)/.exec(value)?.[1]?.toLowerCase() ?? 'none';
  const comment = /\(([^)]*)\)/.exec(value)?.[1]?.trim() ?? null;
  const properties: Record<string, string> = {};
  for (const m of stripComments(value.replace(/^\s*[A-Za-z]+/, '')).matchAll(PAIR)) properties[m[1]!.toLowerCase()] = unquote(m[2]!).replace(/;$/, '');
  return { result, comment, properties };
}
