/**
 * SPF macros (RFC 7208 §7): parsing a macro-string or an explain-string into tokens, and expanding
 * the tokens against the values of one check_host() call. Pure: the `p` value (which needs PTR
 * lookups) is resolved by the caller and passed in.
 */
import type { IpAddress } from './address.ts';
import { dotFormat, formatAddress } from './address.ts';

export type MacroLetter = 's' | 'l' | 'o' | 'd' | 'i' | 'p' | 'h' | 'c' | 'r' | 't' | 'v';

export type MacroToken =
  | { kind: 'literal'; text: string }
  /** `%%` → "%", `%_` → " ", `%-` → "%20" (RFC 7208 §7.1). */
  | { kind: 'escape'; text: '%%' | '%_' | '%-' }
  | {
      kind: 'macro';
      text: string;
      letter: MacroLetter;
      /** An uppercase letter: expand, then URL-escape (RFC 7208 §7.3). */
      urlEscape: boolean;
      /** Keep this many right-hand parts; null keeps all. */
      keep: number | null;
      reverse: boolean;
      /** The characters to split on; "." when none is written. */
      delimiters: string;
    };

/**
 * Where a macro-string appears decides what it may hold:
 * - `domain`: a domain-spec of a mechanism, `redirect=` or `exp=` (no `c`, `r`, `t`: §7.1);
 * - `explanation`: the TXT text an `exp=` points at (spaces and every letter allowed);
 * - `modifier`: the value of an unknown modifier (any letter; RFC 7208 §6 leaves it uninterpreted).
 */
export type MacroContext = 'domain' | 'explanation' | 'modifier';

export interface MacroSyntaxError {
  message: string;
  /** Offset in the macro-string. */
  offset: number;
}

export type MacroParse = { ok: true; tokens: MacroToken[] } | { ok: false; error: MacroSyntaxError };

const LETTERS = 'slodiphcrtv';
const EXPLANATION_ONLY = 'crt';
/** macro-expand body: letter, *DIGIT, optional "r", *delimiter (ABNF literals are case-insensitive). */
const MACRO_BODY = /^([a-zA-Z])(\d*)([rR]?)([.\-+,/_=]*)$/;

export function parseMacroString(input: string, context: MacroContext): MacroParse {
  const tokens: MacroToken[] = [];
  const fail = (message: string, offset: number): MacroParse => ({ ok: false, error: { message, offset } });
  let literal = '';
  const flush = () => {
    if (literal) tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < input.length; ) {
    const c = input[i]!;
    if (c === '%') {
      const next = input[i + 1];
      if (next === '%' || next === '_' || next === '-') {
        flush();
        tokens.push({ kind: 'escape', text: `%${next}` as '%%' | '%_' | '%-' });
        i += 2;
        continue;
      }
      if (next !== '{') return fail(`"%" must be followed by "{", "%", "_" or "-" (RFC 7208 §7.1)`, i);
      const end = input.indexOf('}', i + 2);
      if (end < 0) return fail('unterminated macro "%{"', i);
      const body = input.slice(i + 2, end);
      const m = body.match(MACRO_BODY);
      if (!m) return fail(`invalid macro "%{${body}}"`, i);
      const letter = m[1]!.toLowerCase();
      if (!LETTERS.includes(letter)) return fail(`unknown macro letter "${m[1]}"`, i);
      if (context === 'domain' && EXPLANATION_ONLY.includes(letter)) {
        return fail(`macro letter "${m[1]}" is only allowed in explanation text (RFC 7208 §7.2)`, i);
      }
      // "If a DIGIT is specified, the value MUST be nonzero" (§7.3).
      if (m[2] && Number(m[2]) === 0) return fail(`macro "%{${body}}" keeps zero parts`, i);
      flush();
      const delimiters = [...new Set(m[4]!.split(''))].join('');
      tokens.push({
        kind: 'macro',
        text: input.slice(i, end + 1),
        letter: letter as MacroLetter,
        urlEscape: m[1] !== letter,
        keep: m[2] ? Number(m[2]) : null,
        reverse: m[3] !== '',
        delimiters: delimiters || '.',
      });
      i = end + 1;
      continue;
    }
    const code = input.charCodeAt(i);
    // macro-literal = %x21-24 / %x26-7E; an explain-string also allows SP.
    if ((code >= 0x21 && code <= 0x7e) || (code === 0x20 && context === 'explanation')) {
      literal += c;
      i++;
      continue;
    }
    return fail(`invalid character ${describeChar(code)} (only visible ASCII is allowed)`, i);
  }
  flush();
  return { ok: true, tokens };
}

function describeChar(code: number): string {
  if (code === 0x20) return 'space';
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function usesLetter(tokens: readonly MacroToken[], letter: MacroLetter): boolean {
  return tokens.some((t) => t.kind === 'macro' && t.letter === letter);
}

export function hasMacros(tokens: readonly MacroToken[]): boolean {
  return tokens.some((t) => t.kind !== 'literal');
}

/** The values of one check_host() call that macros expand to. */
export interface MacroValues {
  /** <sender>: local-part@domain (postmaster@… when the local-part was empty). */
  sender: string;
  /** <domain> currently evaluated: changes on include and redirect. */
  domain: string;
  ip: IpAddress;
  helo: string;
  /** `r`: the receiving host's domain name ("unknown" when not known). */
  receiver: string;
  /** `t`: seconds since the epoch. */
  now: Date;
  /** `p`: the validated domain name of <ip>, resolved by the caller when the string uses it. */
  validatedName?: string;
}

function valueOf(letter: MacroLetter, v: MacroValues): string {
  const at = v.sender.lastIndexOf('@');
  switch (letter) {
    case 's': return v.sender;
    case 'l': return at >= 0 ? v.sender.slice(0, at) : 'postmaster';
    case 'o': return at >= 0 ? v.sender.slice(at + 1) : v.sender;
    case 'd': return v.domain;
    case 'i': return dotFormat(v.ip);
    case 'p': return v.validatedName ?? 'unknown';
    case 'v': return v.ip.family === 4 ? 'in-addr' : 'ip6';
    case 'h': return v.helo;
    case 'c': return formatAddress(v.ip);
    case 'r': return v.receiver || 'unknown';
    case 't': return String(Math.floor(v.now.getTime() / 1000));
  }
}

/** RFC 3986 unreserved characters stay; every other octet of the UTF-8 form becomes %XX. */
export function urlEscape(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function transform(value: string, token: Extract<MacroToken, { kind: 'macro' }>): string {
  if (token.keep === null && !token.reverse && token.delimiters === '.') return value;
  const splitter = new RegExp(`[${token.delimiters.replace(/[-\\\]^]/g, '\\$&')}]`);
  let parts = value.split(splitter);
  if (token.reverse) parts = parts.reverse();
  if (token.keep !== null) parts = parts.slice(-token.keep);
  // Whatever the delimiters, the parts are joined with dots (§7.3).
  return parts.join('.');
}

export function expandMacroString(tokens: readonly MacroToken[], values: MacroValues): string {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'literal') out += t.text;
    else if (t.kind === 'escape') out += t.text === '%%' ? '%' : t.text === '%_' ? ' ' : '%20';
    else {
      const expanded = transform(valueOf(t.letter, values), t);
      out += t.urlEscape ? urlEscape(expanded) : expanded;
    }
  }
  return out;
}

const MAX_NAME = 253;
const MAX_LABEL = 63;

/**
 * A <target-name> from an expanded domain-spec: without its trailing dot, and when longer than 253
 * characters, cut from the left label by label until it fits (RFC 7208 §7.3).
 */
export function targetName(expanded: string): string {
  let name = expanded.endsWith('.') ? expanded.slice(0, -1) : expanded;
  while (name.length > MAX_NAME && name.includes('.')) name = name.slice(name.indexOf('.') + 1);
  return name;
}

// toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
export const TOPLABEL = /^(?:[a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+-[a-z0-9-]*[a-z0-9])$/i;

/**
 * Whether a target name can be put in a DNS question: at least two labels of 1–63 octets of
 * visible ASCII or space (`%_` makes spaces), 253 octets at most, and an RFC 7208 toplabel. A name
 * that cannot be queried does not exist, so the mechanism does not match (RFC 7208 §4.3 by analogy,
 * the suite's "invalid-domain-*" tests accept that reading).
 */
export function queryableName(name: string): { ok: true } | { ok: false; reason: string } {
  if (!name) return { ok: false, reason: 'empty name' };
  if (Buffer.byteLength(name) > MAX_NAME) return { ok: false, reason: `longer than ${MAX_NAME} characters` };
  const labels = name.split('.');
  if (labels.length < 2) return { ok: false, reason: 'a single label, not a domain name' };
  for (const label of labels) {
    if (!label) return { ok: false, reason: 'empty label' };
    if (Buffer.byteLength(label) > MAX_LABEL) return { ok: false, reason: `label of ${Buffer.byteLength(label)} characters (limit ${MAX_LABEL})` };
    if (!/^[\x20-\x7e]+$/.test(label)) return { ok: false, reason: 'non-ASCII or control characters' };
  }
  if (!TOPLABEL.test(labels[labels.length - 1]!)) return { ok: false, reason: `"${labels[labels.length - 1]}" is not a valid top label` };
  return { ok: true };
}
