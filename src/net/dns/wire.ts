/**
 * Conversion between dns-packet's wire-level answers and our typed records, used by the client
 * (decoding responses) and by the lab server (encoding its zone data).
 */
import type { Answer } from 'dns-packet';
import type { DnsRecord, RecordType } from './types.ts';
import { RECORD_TYPES } from './types.ts';

export function lowerName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

function txtStrings(data: unknown): string[] {
  const parts = Array.isArray(data) ? data : [data];
  return parts.map((p) => (Buffer.isBuffer(p) ? p.toString('utf8') : String(p)));
}

/** A typed record from a decoded answer, or null for types we do not model (RRSIG, OPT…). */
export function fromWire(answer: Answer): DnsRecord | null {
  const type = answer.type as RecordType;
  if (!RECORD_TYPES.includes(type)) return null;
  const base = { name: lowerName(answer.name), ttl: 'ttl' in answer ? (answer.ttl ?? 0) : 0 };
  const data = (answer as { data: unknown }).data;
  switch (type) {
    case 'A':
    case 'AAAA':
      return { ...base, type, data: String(data) };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { ...base, type, data: lowerName(String(data)) };
    case 'MX': {
      const mx = data as { preference?: number; exchange: string };
      return { ...base, type, data: { preference: mx.preference ?? 0, exchange: lowerName(mx.exchange) } };
    }
    case 'TXT':
      return { ...base, type, data: txtStrings(data) };
    case 'SOA': {
      const s = data as { mname: string; rname: string; serial?: number; refresh?: number; retry?: number; expire?: number; minimum?: number };
      return { ...base, type, data: { mname: lowerName(s.mname), rname: lowerName(s.rname), serial: s.serial ?? 0, refresh: s.refresh ?? 0, retry: s.retry ?? 0, expire: s.expire ?? 0, minimum: s.minimum ?? 0 } };
    }
    case 'TLSA': {
      const t = data as { usage: number; selector: number; matchingType: number; certificate: Buffer };
      return { ...base, type, data: { usage: t.usage, selector: t.selector, matchingType: t.matchingType, certificate: Buffer.from(t.certificate).toString('hex') } };
    }
    case 'CAA': {
      const c = data as { flags?: number; tag: string; value: string };
      return { ...base, type, data: { flags: c.flags ?? 0, tag: c.tag, value: c.value } };
    }
    case 'SRV': {
      const s = data as { priority?: number; weight?: number; port?: number; target: string };
      return { ...base, type, data: { priority: s.priority ?? 0, weight: s.weight ?? 0, port: s.port ?? 0, target: lowerName(s.target) } };
    }
  }
}

/** The dns-packet answer for one of our records, with its owner name replaced when given (wildcards). */
export function toWire(record: DnsRecord, owner = record.name): Answer {
  const base = { name: owner, ttl: record.ttl, class: 'IN' as const };
  switch (record.type) {
    case 'TXT':
      return { ...base, type: 'TXT', data: record.data.map((s) => Buffer.from(s, 'utf8')) };
    case 'TLSA':
      return { ...base, type: 'TLSA', data: { ...record.data, certificate: Buffer.from(record.data.certificate, 'hex') } };
    case 'CAA':
      return { ...base, type: 'CAA', data: { flags: record.data.flags, tag: record.data.tag as 'issue', value: record.data.value } };
    default:
      return { ...base, type: record.type, data: record.data } as Answer;
  }
}
