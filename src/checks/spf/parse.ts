/**
 * SPF record syntax (RFC 7208 §4.5, §4.6.1, §5, §6, §7.1): a record string → its terms, each with
 * its offset in the record. The whole record is checked before anything is evaluated, as §4.6 asks
 * ("syntax errors anywhere in the record MUST be detected"); a syntax error names the term and
 * where it starts. Mechanism and modifier names are case-insensitive.
 */
import { isIPv6 } from 'node:net';
import { parseMacroString, TOPLABEL, type MacroToken } from './macro.ts';

export type Qualifier = '+' | '-' | '~' | '?';
export type MechanismName = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

export const MECHANISMS: readonly MechanismName[] = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'];
/** Terms that make DNS queries and count toward the limit of 10 (RFC 7208 §4.6.4). */
export const LOOKUP_TERMS: readonly string[] = ['include', 'a', 'mx', 'ptr', 'exists', 'redirect'];

export interface Mechanism {
  kind: 'mechanism';
  /** The term as written. */
  text: string;
  offset: number;
  qualifier: Qualifier;
  name: MechanismName;
  /** include, exists (required); a, mx, ptr (optional: the current domain otherwise). */
  domainSpec?: string;
  domainTokens?: MacroToken[];
  /** ip4 / ip6: the network address as written. */
  network?: string;
  /** ip4, and the IPv4 half of a/mx dual-cidr-length. */
  cidr4?: number;
  /** ip6, and the IPv6 half of a/mx dual-cidr-length. */
  cidr6?: number;
}

export interface Modifier {
  kind: 'modifier';
  text: string;
  offset: number;
  /** Lowercase. */
  name: string;
  value: string;
  /** For redirect= and exp=: the parsed domain-spec. */
  domainTokens?: MacroToken[];
}

export type Term = Mechanism | Modifier;

export interface SpfRecord {
  text: string;
  terms: Term[];
  mechanisms: Mechanism[];
  redirect?: Modifier;
  exp?: Modifier;
  unknownModifiers: Modifier[];
}

export interface SpfSyntaxError {
  message: string;
  /** The offending term as written (empty when the version itself is wrong). */
  term: string;
  /** Offset of the error in the record string. */
  offset: number;
}

export type ParseResult = { ok: true; record: SpfRecord } | { ok: false; error: SpfSyntaxError };

/** A TXT RR holds at most 65535 bytes of data; nothing longer can be a published record. */
export const MAX_RECORD_LENGTH = 65535;
const VERSION = /^v=spf1(?= |$)/i;
const MODIFIER = /^([A-Za-z][A-Za-z0-9_.-]*)=(.*)$/s;
// qnum = DIGIT / %x31-39 DIGIT / "1" 2DIGIT / "2" %x30-34 DIGIT / "25" %x30-35
const QNUM = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IP4_NETWORK = new RegExp(`^${QNUM}(?:\\.${QNUM}){3}$`);
// ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT); ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT)
const CIDR4 = /^(?:0|[1-9]\d?)$/;
const CIDR6 = /^(?:0|[1-9]\d{0,2})$/;

/** True when a TXT string (strings already joined) is an SPF version 1 record (RFC 7208 §4.5). */
export function isSpfRecord(text: string): boolean {
  return VERSION.test(text);
}

/** A syntax error inside a term; `at` is its offset from the start of the term. */
class TermError extends Error {
  readonly at: number;
  constructor(message: string, at = 0) {
    super(message);
    this.at = at;
  }
}

export function parseRecord(text: string): ParseResult {
  const fail = (message: string, term: string, offset: number): ParseResult => ({ ok: false, error: { message, term, offset } });
  if (text.length > MAX_RECORD_LENGTH) return fail(`record of ${text.length} characters is longer than a TXT record can be`, '', 0);
  if (!VERSION.test(text)) return fail('an SPF record starts with "v=spf1" followed by a space or the end', text.split(' ')[0] ?? '', 0);

  const terms: Term[] = [];
  const pattern = / +([^ ]+)/g;
  pattern.lastIndex = 6;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const termText = m[1]!;
    const offset = m.index + m[0].length - termText.length;
    try {
      terms.push(parseTerm(termText, offset));
    } catch (err) {
      if (!(err instanceof TermError)) throw err;
      return fail(err.message, termText, offset + err.at);
    }
  }

  const record: SpfRecord = { text, terms, mechanisms: [], unknownModifiers: [] };
  for (const term of terms) {
    if (term.kind === 'mechanism') {
      record.mechanisms.push(term);
      continue;
    }
    if (term.name === 'redirect' || term.name === 'exp') {
      // "These two modifiers MUST NOT appear in a record more than once each" (RFC 7208 §6).
      if (record[term.name]) return fail(`"${term.name}=" appears more than once (RFC 7208 §6)`, term.text, term.offset);
      record[term.name] = term;
    } else {
      record.unknownModifiers.push(term);
    }
  }
  return { ok: true, record };
}

function parseTerm(text: string, offset: number): Term {
  const modifier = text.match(MODIFIER);
  if (modifier) return parseModifier(text, offset, modifier[1]!, modifier[2]!);

  let rest = text;
  let qualifier: Qualifier = '+';
  if ('+-~?'.includes(rest[0]!)) {
    qualifier = rest[0] as Qualifier;
    rest = rest.slice(1);
  }
  const nameEnd = rest.search(/[:/]/);
  const rawName = nameEnd < 0 ? rest : rest.slice(0, nameEnd);
  const name = rawName.toLowerCase() as MechanismName;
  if (!MECHANISMS.includes(name)) {
    if (/^(redirect|exp)$/i.test(rawName)) throw new TermError(`"${rawName}" is a modifier: write ${rawName.toLowerCase()}=domain`);
    if (/^[A-Za-z][A-Za-z0-9_.-]*$/.test(rawName)) throw new TermError(`unknown mechanism "${rawName}"`);
    throw new TermError(`"${text}" is neither a mechanism nor a modifier (name=value)`);
  }
  const args = nameEnd < 0 ? '' : rest.slice(nameEnd);
  const at = text.length - args.length;
  const mechanism: Mechanism = { kind: 'mechanism', text, offset, qualifier, name };
  switch (name) {
    case 'all':
      if (args) throw new TermError('"all" takes no argument', at);
      return mechanism;
    case 'include':
    case 'exists':
      if (!args.startsWith(':')) throw new TermError(`"${name}" needs ":" and a domain`, at);
      return withDomain(mechanism, args.slice(1), at + 1);
    case 'ptr':
      if (!args) return mechanism;
      if (!args.startsWith(':')) throw new TermError('"ptr" takes ":domain" and no CIDR length', at);
      return withDomain(mechanism, args.slice(1), at + 1);
    case 'a':
    case 'mx':
      return parseDualCidrTerm(mechanism, args, at);
    case 'ip4':
    case 'ip6':
      return parseIpTerm(mechanism, args, at);
  }
}

function parseModifier(text: string, offset: number, rawName: string, value: string): Modifier {
  const name = rawName.toLowerCase();
  const modifier: Modifier = { kind: 'modifier', text, offset, name, value };
  const at = rawName.length + 1;
  if (name === 'redirect' || name === 'exp') {
    modifier.domainTokens = domainSpec(value, at);
    return modifier;
  }
  // unknown-modifier = name "=" macro-string: ignored, but its macro syntax must be valid (RFC 7208 §A).
  const parsed = parseMacroString(value, 'modifier');
  if (!parsed.ok) throw new TermError(parsed.error.message, at + parsed.error.offset);
  return modifier;
}

function withDomain(mechanism: Mechanism, spec: string, at: number): Mechanism {
  mechanism.domainSpec = spec;
  mechanism.domainTokens = domainSpec(spec, at);
  return mechanism;
}

/** domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand. */
function domainSpec(spec: string, at: number): MacroToken[] {
  if (!spec) throw new TermError('empty domain', at);
  const parsed = parseMacroString(spec, 'domain');
  if (!parsed.ok) throw new TermError(parsed.error.message, at + parsed.error.offset);
  const last = parsed.tokens[parsed.tokens.length - 1]!;
  if (last.kind === 'macro') return parsed.tokens;
  const literal = last.kind === 'literal' ? last.text.replace(/\.$/, '') : '';
  const dot = literal.lastIndexOf('.');
  const top = dot < 0 ? '' : literal.slice(dot + 1);
  if (dot < 0 || !TOPLABEL.test(top)) {
    const why = /^\d+$/.test(top) ? ' (an IP address needs ip4:/ip6:, not a/mx)' : '';
    throw new TermError(`"${spec}" does not end in a valid top-level label${why}`, at);
  }
  return parsed.tokens;
}

function cidr(text: string, family: 4 | 6, at: number): number {
  const [pattern, max] = family === 4 ? [CIDR4, 32] : [CIDR6, 128];
  if (!pattern.test(text) || Number(text) > max) throw new TermError(`invalid IPv${family} prefix length "/${text}" (0-${max}, no leading zeros)`, at);
  return Number(text);
}

/** a / mx: [ ":" domain-spec ] [ dual-cidr-length ], dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]. */
function parseDualCidrTerm(mechanism: Mechanism, args: string, at: number): Mechanism {
  // The CIDR part is the longest "/digits" and "//digits" tail; a domain may itself hold "/" (RFC 7208 §7.1).
  const m = args.match(/^(?::(.*?))?(?:\/(\d+))?(?:\/\/(\d+))?$/s);
  if (!m) throw new TermError(`invalid "${mechanism.name}" arguments "${args}"`, at);
  const [, spec, c4, c6] = m;
  if (spec !== undefined) withDomain(mechanism, spec, at + 1);
  if (c4 !== undefined) mechanism.cidr4 = cidr(c4, 4, at + (spec !== undefined ? spec.length + 1 : 0) + 1);
  if (c6 !== undefined) mechanism.cidr6 = cidr(c6, 6, at + args.length - c6.length);
  return mechanism;
}

function parseIpTerm(mechanism: Mechanism, args: string, at: number): Mechanism {
  const family = mechanism.name === 'ip4' ? 4 : 6;
  const m = args.match(/^:([^/]*)(?:\/(.*))?$/s);
  if (!m || !m[1]) throw new TermError(`"${mechanism.name}" needs ":" and an address`, at);
  const network = m[1];
  const valid = family === 4 ? IP4_NETWORK.test(network) : /^[0-9A-Fa-f:.]+$/.test(network) && isIPv6(network);
  if (!valid) throw new TermError(`"${network}" is not an IPv${family} address`, at + 1);
  mechanism.network = network;
  if (m[2] !== undefined) {
    const length = cidr(m[2], family, at + 2 + network.length);
    if (family === 4) mechanism.cidr4 = length;
    else mechanism.cidr6 = length;
  }
  return mechanism;
}
