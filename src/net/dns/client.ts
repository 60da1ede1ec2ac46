/**
 * The run's DNS client: several servers with failover, per-try timeout and retries, one cache with
 * in-flight de-duplication keyed by (name, type), statistics, and a transcript of every query and
 * answer that findings cite as evidence and that `--dns-record` saves for replay.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { DecodedPacket } from 'dns-packet';
import { InputError } from '../../errors.ts';
import { assertAllowed } from '../guard.ts';
import type { DnsRecord, DnsResult, DnsStats, Outcome, Rcode, RecordOf, RecordType, Resolver, TranscriptEntry } from './types.ts';
import { createUdpChannel, exchange, type Exchange, type ServerAddress } from './transport.ts';
import { fromWire, lowerName } from './wire.ts';

export interface DnsClientOptions {
  /** `host:port`, `host` (port 53) or `[v6]:port`. Default: the system's resolvers (/etc/resolv.conf). */
  servers?: string[];
  /** Time allowed for one try against one server. */
  timeoutMs?: number;
  /** Extra rounds over the server list after the first one, on timeouts only. */
  retries?: number;
}

const DEFAULT_TIMEOUT_MS = 2500;
const MAX_CNAME_CHAIN = 16;

export function parseServer(text: string): ServerAddress {
  const trimmed = text.trim();
  let host = trimmed;
  let port = 53;
  const bracketed = trimmed.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (bracketed) {
    host = bracketed[1] ?? '';
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (isIP(trimmed) !== 6) {
    const i = trimmed.lastIndexOf(':');
    if (i > 0) {
      host = trimmed.slice(0, i);
      port = Number(trimmed.slice(i + 1));
    }
  }
  if (!isIP(host)) throw new InputError(`invalid DNS server "${text}": expected an IP address with an optional :port`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InputError(`invalid DNS server "${text}": bad port`);
  return { host, port, text: isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}` };
}

/** The nameservers of /etc/resolv.conf, as a stub resolver would use them. */
export function systemServers(file = '/etc/resolv.conf'): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.match(/^\s*nameserver\s+(\S+)/)?.[1])
      .filter((s): s is string => !!s && isIP(s.replace(/%.*$/, '')) > 0)
      .map((s) => s.replace(/%.*$/, ''));
  } catch {
    return [];
  }
}

function outcomeOf(rcode: Rcode, hasRecords: boolean): Outcome {
  switch (rcode) {
    case 'NOERROR': return hasRecords ? 'answer' : 'nodata';
    case 'NXDOMAIN': return 'nxdomain';
    case 'SERVFAIL': return 'servfail';
    case 'REFUSED': return 'refused';
    default: return 'error';
  }
}

/** Records of `type` for `name`, following the CNAME chain inside the answer section. */
export function followCnames<T extends RecordType>(name: string, type: T, answers: DnsRecord[]): { records: RecordOf<T>[]; cnames: string[] } {
  let current = lowerName(name);
  const cnames: string[] = [];
  if (type !== 'CNAME') {
    for (let i = 0; i < MAX_CNAME_CHAIN; i++) {
      const alias = answers.find((r) => r.type === 'CNAME' && r.name === current);
      if (!alias || cnames.includes(alias.data as string)) break;
      current = alias.data as string;
      cnames.push(current);
    }
  }
  const records = answers.filter((r) => r.type === type && r.name === current) as unknown as RecordOf<T>[];
  return { records, cnames };
}

export function resultFromEntry<T extends RecordType>(entry: TranscriptEntry, type: T, cached: boolean): DnsResult<T> {
  const { records, cnames } = followCnames(entry.name, type, entry.answers);
  return { id: entry.id, name: entry.name, type, outcome: entry.outcome, rcode: entry.rcode, records, answers: entry.answers, cnames, ad: entry.ad, server: entry.server, elapsedMs: entry.elapsedMs, cached, ...(entry.error ? { error: entry.error } : {}) };
}

function entryFromPacket(name: string, type: RecordType, packet: DecodedPacket): Omit<TranscriptEntry, 'id' | 'server' | 'elapsedMs' | 'at'> {
  const rcode = ((packet as { rcode?: string }).rcode ?? 'NOERROR') as Rcode;
  const answers = (packet.answers ?? []).map(fromWire).filter((r): r is DnsRecord => r !== null);
  const { records } = followCnames(name, type, answers);
  return { name, type, outcome: outcomeOf(rcode, records.length > 0), rcode, answers, ad: packet.flag_ad };
}

/** Why a name cannot go on the wire (RFC 1035 §2.3.4 limits), or null: such a name is an error at once, never a timeout. */
function unencodable(name: string): string | null {
  if (!name) return 'cannot query an empty name';
  if (Buffer.byteLength(name) > 253) return `cannot query ${name.slice(0, 40)}…: longer than 253 characters`;
  const bad = name.split('.').find((l) => l.length === 0 || Buffer.byteLength(l) > 63);
  if (bad !== undefined) return `cannot query ${name}: ${bad ? `label "${bad.slice(0, 20)}…" longer than 63 characters` : 'empty label'}`;
  return null;
}

/** A resolver that answers from the network. */
export function createResolver(options: DnsClientOptions = {}): Resolver {
  const serverTexts = options.servers?.length ? options.servers : systemServers();
  if (!serverTexts.length) throw new InputError('no DNS server: none given with --resolver and none in /etc/resolv.conf');
  const servers = serverTexts.map(parseServer);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = options.retries ?? 1;
  for (const s of servers) assertAllowed(s.host, `DNS server ${s.text}`);
  const channels = new Map(servers.map((s) => [s, createUdpChannel(s)]));

  return createCachingResolver(servers.map((s) => s.text), async (name, type) => {
    const unusable = unencodable(name);
    if (unusable) return { name, type, outcome: 'error', rcode: null, answers: [], ad: false, server: null, error: unusable };
    let last: { exchange: Exchange; server: ServerAddress } | undefined;
    for (let round = 0; round <= retries; round++) {
      for (const server of servers) {
        const result = await exchange(channels.get(server)!, server, name, type, timeoutMs);
        last = { exchange: result, server };
        // SERVFAIL and REFUSED send a stub resolver to the next server; a real answer (NXDOMAIN included) ends the search.
        if (result.kind === 'response') {
          const rcode = (result.packet as { rcode?: string }).rcode;
          if (rcode !== 'SERVFAIL' && rcode !== 'REFUSED') return { ...entryFromPacket(name, type, result.packet), server: server.text };
        }
      }
      // Only timeouts are retried: an error answer will not change in the next round.
      if (last?.exchange.kind !== 'timeout') break;
    }
    const server = last?.server.text ?? null;
    const ex = last?.exchange;
    if (ex?.kind === 'response') return { ...entryFromPacket(name, type, ex.packet), server };
    if (ex?.kind === 'error') return { name, type, outcome: 'error', rcode: null, answers: [], ad: false, server, error: ex.message };
    return { name, type, outcome: 'timeout', rcode: null, answers: [], ad: false, server, error: `no answer from ${servers.map((s) => s.text).join(', ')} within ${timeoutMs} ms × ${retries + 1} tries` };
  });
}

type Fetch = (name: string, type: RecordType) => Promise<Omit<TranscriptEntry, 'id' | 'elapsedMs' | 'at'>>;

/** Cache, in-flight de-duplication, statistics and transcript around any way of getting an answer. */
export function createCachingResolver(servers: string[], fetch: Fetch): Resolver {
  const transcript: TranscriptEntry[] = [];
  const cache = new Map<string, TranscriptEntry>();
  const inflight = new Map<string, Promise<TranscriptEntry>>();
  const stats: DnsStats = { queriesSent: 0, cacheHits: 0, inflightJoins: 0, byType: {}, timeouts: 0 };

  async function lookup(name: string, type: RecordType): Promise<TranscriptEntry> {
    const started = performance.now();
    stats.queriesSent++;
    stats.byType[type] = (stats.byType[type] ?? 0) + 1;
    const fetched = await fetch(name, type);
    if (fetched.outcome === 'timeout') stats.timeouts++;
    const entry: TranscriptEntry = { ...fetched, id: transcript.length, elapsedMs: Math.round((performance.now() - started) * 10) / 10, at: new Date().toISOString() };
    transcript.push(entry);
    return entry;
  }

  return {
    transcript,
    stats,
    servers,
    async query<T extends RecordType>(rawName: string, type: T): Promise<DnsResult<T>> {
      const name = lowerName(rawName);
      const key = `${name}|${type}`;
      const hit = cache.get(key);
      if (hit) {
        stats.cacheHits++;
        return resultFromEntry(hit, type, true);
      }
      let pending = inflight.get(key);
      if (pending) {
        stats.inflightJoins++;
        return resultFromEntry(await pending, type, true);
      }
      pending = lookup(name, type).finally(() => inflight.delete(key));
      inflight.set(key, pending);
      const entry = await pending;
      cache.set(key, entry);
      return resultFromEntry(entry, type, false);
    },
  };
}

export interface TranscriptFile {
  schema: 'mailsleuth/dns-transcript@1';
  servers: string[];
  recordedAt: string;
  entries: TranscriptEntry[];
}

export function transcriptFile(resolver: Resolver): TranscriptFile {
  return { schema: 'mailsleuth/dns-transcript@1', servers: [...resolver.servers], recordedAt: new Date().toISOString(), entries: [...resolver.transcript] };
}

export function readTranscriptFile(path: string): TranscriptFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read DNS replay file ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const file = parsed as Partial<TranscriptFile>;
  if (file?.schema !== 'mailsleuth/dns-transcript@1' || !Array.isArray(file.entries)) {
    throw new InputError(`${path} is not a mailsleuth DNS transcript (expected schema mailsleuth/dns-transcript@1)`);
  }
  return file as TranscriptFile;
}

/**
 * A resolver that never touches the network: it answers from a recorded transcript, so a user can
 * hand over exactly what they saw. A question the recording does not hold is an `error` outcome.
 */
export function createReplayResolver(entries: readonly TranscriptEntry[], source = 'replay'): Resolver {
  const recorded = new Map<string, TranscriptEntry>();
  for (const e of entries) recorded.set(`${lowerName(e.name)}|${e.type}`, e);
  return createCachingResolver([source], async (name, type) => {
    const e = recorded.get(`${name}|${type}`);
    if (!e) return { name, type, outcome: 'error', rcode: null, answers: [], ad: false, server: source, error: `${name} ${type} is not in the recorded transcript` };
    return { name, type, outcome: e.outcome, rcode: e.rcode, answers: e.answers, ad: e.ad, server: e.server, ...(e.error ? { error: e.error } : {}) };
  });
}
