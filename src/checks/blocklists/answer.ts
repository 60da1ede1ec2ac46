/**
 * Reading a DNSBL answer. An answer is a listing only when every check passes: the address lies in
 * 127.0.0.0/8 (RFC 5782 §2.3 — anything else is a resolver rewriting NXDOMAIN or a squatted zone),
 * it is not one of the list's error codes (Spamhaus 127.255.255.x, URIBL 127.0.0.1…), and it is a
 * code the list documents. Everything that is neither a documented listing nor NXDOMAIN/NODATA is
 * an error: the target's status is then unknown — never "listed", never "not listed".
 */
import { isIPv4 } from 'node:net';
import type { DnsResult, Outcome, Rcode } from '../../net/dns/types.ts';
import type { Blocklist, CatalogErrorKind, ErrorCode, ReturnCode } from './catalog.ts';

/** Why a lookup says nothing about the target. */
export type AnswerErrorKind =
  | CatalogErrorKind
  | 'rewritten-nxdomain'
  | 'unrecognised'
  | 'refused'
  | 'servfail'
  | 'timeout'
  | 'network';

export type Verdict =
  | { status: 'listed'; codes: string[]; matched: ReturnCode[]; unrecognised: string[] }
  | { status: 'not-listed'; codes: []; note?: string }
  | { status: 'error'; codes: string[]; kind: AnswerErrorKind; meaning?: string };

/** The parts of a DNS result the verdict rests on. */
export type AnswerInput = Pick<DnsResult<'A'>, 'outcome' | 'rcode'> & { records: { data: string }[]; error?: string };

function ip4Number(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/**
 * Whether `address` matches a catalog code: an address (`127.0.0.2`), an inclusive range
 * (`127.0.0.5-127.0.0.7`) or a pattern whose `x` octets match anything (`127.0.x.0`).
 */
export function matchesCode(code: string, address: string): boolean {
  if (!isIPv4(address)) return false;
  const range = code.split('-');
  if (range.length === 2) {
    const n = ip4Number(address);
    return n >= ip4Number(range[0] ?? '') && n <= ip4Number(range[1] ?? '');
  }
  const want = code.split('.');
  const have = address.split('.');
  return want.length === 4 && want.every((octet, i) => octet === 'x' || Number(octet) === Number(have[i]));
}

/** Whether a catalog code is written in one of the forms `matchesCode` understands. */
export function isValidCode(code: string): boolean {
  const octet = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
  const parts = code.split('-');
  if (parts.length === 2) return parts.every((p) => isIPv4(p)) && ip4Number(parts[0] ?? '') <= ip4Number(parts[1] ?? '');
  const octets = code.split('.');
  return octets.length === 4 && octets.every((o) => o === 'x' || octet.test(o));
}

function inLoopbackNet(address: string): boolean {
  return isIPv4(address) && address.startsWith('127.');
}

function lastOctet(address: string): number {
  return Number(address.split('.')[3]);
}

function errorFor(list: Blocklist, address: string): ErrorCode | undefined {
  if (list.bitmask) return list.errors.find((e) => e.bit !== undefined && (lastOctet(address) & e.bit) !== 0);
  return list.errors.find((e) => e.code !== undefined && matchesCode(e.code, address));
}

/** Bitmask lists (SURBL, URIBL): each set bit of the last octet is a sub-list; middle octets are reserved. */
function decodeBitmask(list: Blocklist, addresses: string[]): Verdict {
  const matched: ReturnCode[] = [];
  const unrecognised: string[] = [];
  const known = list.codes.reduce((mask, c) => mask | (c.bit ?? 0), 0);
  for (const address of addresses) {
    const bits = lastOctet(address);
    for (const c of list.codes) if (c.bit && (bits & c.bit) !== 0 && !matched.includes(c)) matched.push(c);
    if ((bits & ~known) !== 0 || bits === 0) unrecognised.push(address);
  }
  if (!matched.length) return { status: 'error', codes: addresses, kind: 'unrecognised' };
  return { status: 'listed', codes: addresses, matched, unrecognised };
}

function decodeCodes(list: Blocklist, addresses: string[]): Verdict {
  const matched: ReturnCode[] = [];
  const unrecognised: string[] = [];
  for (const address of addresses) {
    const hits = list.codes.filter((c) => matchesCode(c.code, address));
    if (!hits.length) unrecognised.push(address);
    for (const c of hits) if (!matched.includes(c)) matched.push(c);
  }
  if (!matched.length) return { status: 'error', codes: addresses, kind: 'unrecognised' };
  return { status: 'listed', codes: addresses, matched, unrecognised };
}

const FAILURES: Partial<Record<Outcome, AnswerErrorKind>> = { servfail: 'servfail', refused: 'refused', timeout: 'timeout', error: 'network' };

/** The verdict of one A lookup on one list. Pure: the same answer always reads the same way. */
export function classifyAnswer(list: Blocklist, answer: AnswerInput): Verdict {
  if (answer.outcome === 'nxdomain') return { status: 'not-listed', codes: [] };
  if (answer.outcome === 'nodata') {
    return { status: 'not-listed', codes: [], note: 'the list answered NOERROR without an address (NODATA) — not a listing, but unusual for a DNS list' };
  }
  const failure = FAILURES[answer.outcome];
  if (failure) {
    // A documented meaning for this rcode (Abusix answers REFUSED to an unauthorised key).
    const documented = answer.rcode ? list.errors.find((e) => e.rcode === (answer.rcode as Rcode)) : undefined;
    if (documented) return { status: 'error', codes: [], kind: documented.kind, meaning: documented.meaning };
    return { status: 'error', codes: [], kind: failure };
  }
  const addresses = [...new Set(answer.records.map((r) => r.data))];
  const outside = addresses.filter((a) => !inLoopbackNet(a));
  if (outside.length) return { status: 'error', codes: addresses, kind: 'rewritten-nxdomain' };
  for (const address of addresses) {
    const err = errorFor(list, address);
    if (err) return { status: 'error', codes: addresses, kind: err.kind, meaning: err.meaning };
  }
  return list.bitmask ? decodeBitmask(list, addresses) : decodeCodes(list, addresses);
}
