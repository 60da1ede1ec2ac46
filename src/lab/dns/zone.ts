/**
 * Zone files in master-file format (RFC 1035 §5.1): `$ORIGIN`, `$TTL`, `@`, relative names, a blank
 * owner repeating the previous one, parentheses across lines, quoted strings with escapes,
 * optional TTL and class in either order. A `; lab: signed` comment marks the zone as DNSSEC-signed:
 * the lab server then sets the AD flag, as a validating resolver would.
 */
import type { DnsRecord, RecordType } from '../../net/dns/types.ts';
import { RECORD_TYPES } from '../../net/dns/types.ts';

export interface Zone {
  origin: string;
  signed: boolean;
  records: DnsRecord[];
}

export class ZoneError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ZoneError';
  }
}

interface Token { text: string; quoted: boolean }
interface Entry { line: number; leadingSpace: boolean; tokens: Token[] }

const MAX_ZONE_BYTES = 8 * 1024 * 1024;
const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Splits the text into logical entries (parentheses joined), keeping quoted strings intact. */
function tokenize(text: string, file: string): Entry[] {
  const entries: Entry[] = [];
  let current: Entry | null = null;
  let depth = 0;
  let line = 1;
  let i = 0;
  let atLineStart = true;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      atLineStart = true;
      if (depth === 0 && current) { entries.push(current); current = null; }
      continue;
    }
    if (c === ';') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') {
      if (atLineStart && depth === 0 && !current) current = { line, leadingSpace: true, tokens: [] };
      atLineStart = false;
      i++;
      continue;
    }
    atLineStart = false;
    current ??= { line, leadingSpace: false, tokens: [] };
    if (c === '(') { depth++; i++; continue; }
    if (c === ')') {
      if (depth === 0) throw new ZoneError(file, line, 'unbalanced ")"');
      depth--;
      i++;
      continue;
    }
    if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\n') line++;
        if (text[i] === '\\') {
          const digits = text.slice(i + 1, i + 4);
          if (/^\d{3}$/.test(digits)) { value += String.fromCharCode(Number(digits)); i += 4; continue; }
          value += text[i + 1] ?? '';
          i += 2;
          continue;
        }
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new ZoneError(file, line, 'unterminated quoted string');
      i++;
      current.tokens.push({ text: value, quoted: true });
      continue;
    }
    let word = '';
    while (i < text.length && !/[\s;()"]/.test(text[i]!)) {
      if (text[i] === '\\' && i + 1 < text.length) { word += text[i]! + text[i + 1]!; i += 2; continue; }
      word += text[i];
      i++;
    }
    current.tokens.push({ text: word, quoted: false });
  }
  if (depth !== 0) throw new ZoneError(file, line, 'unbalanced "("');
  if (current) entries.push(current);
  return entries.filter((e) => e.tokens.length > 0);
}

export function parseTtl(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const parts = text.toLowerCase().match(/^(\d+[smhdw])+$/) ? text.toLowerCase().match(/\d+[smhdw]/g) : null;
  if (!parts) return null;
  return parts.reduce((sum, p) => sum + Number(p.slice(0, -1)) * (TTL_UNITS[p.slice(-1)] ?? 0), 0);
}

function absolute(name: string, origin: string): string {
  if (name === '@') return origin;
  if (name.endsWith('.')) return name.slice(0, -1).toLowerCase();
  return (origin ? `${name}.${origin}` : name).toLowerCase();
}

function toInt(text: string | undefined, what: string, fail: (m: string) => never): number {
  if (text === undefined || !/^\d+$/.test(text)) return fail(`${what} must be a number, got "${text ?? ''}"`);
  return Number(text);
}

function rdata(type: RecordType, tokens: Token[], origin: string, fail: (m: string) => never): DnsRecord['data'] {
  const t = tokens.map((x) => x.text);
  const need = (n: number) => { if (t.length < n) fail(`${type} needs ${n} fields, got ${t.length}`); };
  switch (type) {
    case 'A':
      need(1);
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(t[0]!)) fail(`bad IPv4 address "${t[0]}"`);
      return t[0]!;
    case 'AAAA':
      need(1);
      if (!t[0]!.includes(':')) fail(`bad IPv6 address "${t[0]}"`);
      return t[0]!.toLowerCase();
    case 'CNAME': case 'NS': case 'PTR':
      need(1);
      return absolute(t[0]!, origin);
    case 'MX':
      need(2);
      return { preference: toInt(t[0], 'MX preference', fail), exchange: t[1] === '.' ? '' : absolute(t[1]!, origin) };
    case 'TXT': {
      need(1);
      for (const s of t) if (Buffer.byteLength(s) > 255) fail(`TXT string of ${Buffer.byteLength(s)} bytes: one string holds at most 255, split it into several quoted strings`);
      return t;
    }
    case 'SOA':
      need(7);
      return { mname: absolute(t[0]!, origin), rname: absolute(t[1]!, origin), serial: toInt(t[2], 'serial', fail), refresh: parseTtl(t[3]!) ?? 0, retry: parseTtl(t[4]!) ?? 0, expire: parseTtl(t[5]!) ?? 0, minimum: parseTtl(t[6]!) ?? 0 };
    case 'TLSA': {
      need(4);
      const hex = t.slice(3).join('').toLowerCase();
      if (!/^([0-9a-f]{2})+$/.test(hex)) fail('TLSA association data must be hex');
      return { usage: toInt(t[0], 'TLSA usage', fail), selector: toInt(t[1], 'TLSA selector', fail), matchingType: toInt(t[2], 'TLSA matching type', fail), certificate: hex };
    }
    case 'CAA':
      need(3);
      return { flags: toInt(t[0], 'CAA flags', fail), tag: t[1]!, value: t[2]! };
    case 'SRV':
      need(4);
      return { priority: toInt(t[0], 'SRV priority', fail), weight: toInt(t[1], 'SRV weight', fail), port: toInt(t[2], 'SRV port', fail), target: absolute(t[3]!, origin) };
  }
}

export interface ParseZoneOptions {
  origin?: string;
  file?: string;
  defaultTtl?: number;
}

export function parseZone(text: string, options: ParseZoneOptions = {}): Zone {
  const file = options.file ?? 'zone';
  if (text.length > MAX_ZONE_BYTES) throw new ZoneError(file, 0, `zone file over ${MAX_ZONE_BYTES} bytes`);
  let origin = (options.origin ?? '').replace(/\.$/, '').toLowerCase();
  let zoneOrigin = origin;
  let ttl = options.defaultTtl ?? 3600;
  let owner = '';
  const records: DnsRecord[] = [];
  const signed = /^\s*;\s*lab:\s*signed\b/m.test(text);

  for (const entry of tokenize(text, file)) {
    const fail = (m: string): never => { throw new ZoneError(file, entry.line, m); };
    const tokens = [...entry.tokens];
    const first = tokens[0]!.text;
    if (!tokens[0]!.quoted && first.startsWith('$')) {
      const directive = first.toUpperCase();
      if (directive === '$ORIGIN') {
        origin = absolute(tokens[1]?.text ?? fail('$ORIGIN needs a name'), origin);
        zoneOrigin ||= origin;
      } else if (directive === '$TTL') {
        ttl = parseTtl(tokens[1]?.text ?? '') ?? fail('$TTL needs a duration');
      } else {
        fail(`unsupported directive ${first}`);
      }
      continue;
    }
    if (!entry.leadingSpace) owner = absolute(tokens.shift()!.text, origin);
    if (!owner) fail('record without an owner name');
    let recordTtl = ttl;
    let type: RecordType | null = null;
    while (tokens.length && !type) {
      const word = tokens.shift()!.text;
      const upper = word.toUpperCase();
      if (upper === 'IN') continue;
      const asTtl = parseTtl(word);
      if (asTtl !== null) { recordTtl = asTtl; continue; }
      if (!(RECORD_TYPES as readonly string[]).includes(upper)) fail(`unsupported record type "${word}"`);
      type = upper as RecordType;
    }
    if (!type) fail('record without a type');
    const data = rdata(type!, tokens, origin, fail);
    records.push({ name: owner, ttl: recordTtl, type: type!, data } as DnsRecord);
  }
  if (!zoneOrigin) {
    const soa = records.find((r) => r.type === 'SOA');
    zoneOrigin = soa?.name ?? records[0]?.name ?? '';
  }
  if (!zoneOrigin) throw new ZoneError(file, 0, 'zone has no $ORIGIN and no records');
  return { origin: zoneOrigin, signed, records };
}
