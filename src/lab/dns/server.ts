/**
 * The lab's authoritative DNS server on loopback, UDP and TCP on one port. It answers from zone data
 * the way a recursive resolver in front of real authoritative servers would look to a stub client:
 * NXDOMAIN vs NODATA with the SOA in authority (RFC 2308), CNAME chains followed across the zones it
 * serves, wildcards (RFC 4592), truncation above the requester's UDP size, AD for signed zones, and
 * REFUSED for names outside every zone. Faults can be injected per name or globally.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket } from 'dns-packet';
import type { DnsRecord, RecordType } from '../../net/dns/types.ts';
import { lowerName, toWire } from '../../net/dns/wire.ts';
import type { Zone } from './zone.ts';

export interface FaultRule {
  /** Exact name, `*.suffix` (the suffix and everything below it), or absent for every name. */
  name?: string;
  type?: RecordType;
  latencyMs?: number;
  /** `drop` never answers (the client times out); `truncate` sets TC on UDP so the client retries over TCP. */
  action?: 'servfail' | 'refused' | 'drop' | 'truncate';
}

export interface DnsServerOptions {
  zones: Zone[];
  address?: string;
  port?: number;
  faults?: FaultRule[];
  /**
   * What a name outside every zone gets: `refused` (an authoritative server's answer, the default)
   * or `nxdomain` (what a recursive resolver says of a name the simulated internet does not have —
   * the lab serves scenarios this way, so a blocklist zone it does not hold reads "not listed").
   */
  outside?: 'refused' | 'nxdomain';
}

export interface QueryLogEntry { name: string; type: string; transport: 'udp' | 'tcp' }

export interface DnsServer {
  address: string;
  port: number;
  /** `host:port` to give a client. */
  server: string;
  setFaults(rules: FaultRule[]): void;
  addZone(zone: Zone): void;
  /** Queries received so far (UDP and TCP). */
  readonly queries: number;
  /** The most recent queries (bounded), for tests that assert what was or was not asked. */
  readonly log: readonly QueryLogEntry[];
  close(): Promise<void>;
}

const MAX_LOG = 20000;
const MAX_CHAIN = 8;
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

interface Lookup { rcode: number; answers: Answer[]; authorities: Answer[]; signed: boolean }

function ruleMatches(rule: FaultRule, name: string, type: string): boolean {
  if (rule.type && rule.type !== type) return false;
  if (!rule.name) return true;
  const pattern = lowerName(rule.name);
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(2);
    return name === suffix || name.endsWith(`.${suffix}`);
  }
  return name === pattern;
}

class ZoneStore {
  zones: Zone[] = [];
  /** name → records, per zone; names also index empty non-terminals. */
  private byName = new Map<string, DnsRecord[]>();
  private existing = new Set<string>();

  add(zone: Zone): void {
    this.zones.push({ ...zone, origin: lowerName(zone.origin) });
    this.zones.sort((a, b) => b.origin.length - a.origin.length);
    for (const r of zone.records) {
      const name = lowerName(r.name);
      const list = this.byName.get(name) ?? [];
      list.push({ ...r, name } as DnsRecord);
      this.byName.set(name, list);
      // Every ancestor of an owner name exists (an empty non-terminal answers NODATA, not NXDOMAIN).
      const labels = name.split('.');
      for (let i = 0; i < labels.length; i++) this.existing.add(labels.slice(i).join('.'));
    }
  }

  zoneFor(name: string): Zone | undefined {
    return this.zones.find((z) => name === z.origin || name.endsWith(`.${z.origin}`) || z.origin === '');
  }

  /** The records at `name`, synthesised from a wildcard when the name does not exist (RFC 4592 §3.3.1). */
  node(name: string, zone: Zone): DnsRecord[] | null {
    const exact = this.byName.get(name);
    if (exact) return exact;
    if (this.existing.has(name)) return [];
    let encloser = name;
    while (encloser !== zone.origin && encloser.includes('.')) {
      encloser = encloser.slice(encloser.indexOf('.') + 1);
      if (this.existing.has(encloser) || encloser === zone.origin) break;
    }
    const wildcard = this.byName.get(`*.${encloser}`);
    return wildcard ? wildcard.map((r) => ({ ...r, name }) as DnsRecord) : null;
  }

  soa(zone: Zone): Answer[] {
    const soa = this.byName.get(zone.origin)?.find((r) => r.type === 'SOA');
    return soa ? [toWire(soa)] : [];
  }

  lookup(qname: string, qtype: string, outside: 'refused' | 'nxdomain'): Lookup {
    const answers: Answer[] = [];
    let name = lowerName(qname);
    let signed = true;
    for (let hop = 0; hop < MAX_CHAIN; hop++) {
      const zone = this.zoneFor(name);
      if (!zone && hop > 0) return { rcode: RCODE.NOERROR, answers, authorities: [], signed };
      if (!zone) return { rcode: outside === 'nxdomain' ? RCODE.NXDOMAIN : RCODE.REFUSED, answers, authorities: [], signed: false };
      signed &&= zone.signed;
      const records = this.node(name, zone);
      if (records === null) return { rcode: RCODE.NXDOMAIN, answers, authorities: this.soa(zone), signed };
      const matching = records.filter((r) => r.type === qtype);
      if (matching.length) {
        answers.push(...matching.map((r) => toWire(r, name)));
        return { rcode: RCODE.NOERROR, answers, authorities: [], signed };
      }
      const cname = records.find((r) => r.type === 'CNAME');
      if (!cname || qtype === 'CNAME') return { rcode: RCODE.NOERROR, answers, authorities: this.soa(zone), signed };
      answers.push(toWire(cname, name));
      name = cname.data as string;
    }
    return { rcode: RCODE.SERVFAIL, answers: [], authorities: [], signed: false };
  }
}

function requesterUdpSize(query: DecodedPacket): number {
  const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return Math.max(512, opt?.udpPayloadSize ?? 512);
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const store = new ZoneStore();
  for (const z of options.zones) store.add(z);
  let faults = options.faults ?? [];
  let queries = 0;
  const log: QueryLogEntry[] = [];
  const address = options.address ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();

  /** The encoded response, or null to stay silent. */
  async function respond(msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | null> {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return null;
    }
    const question = query.questions?.[0];
    if (!question) return null;
    queries++;
    const qname = lowerName(question.name);
    if (log.length >= MAX_LOG) log.shift();
    log.push({ name: qname, type: question.type, transport });

    const applicable = faults.filter((f) => ruleMatches(f, qname, question.type));
    const latency = Math.max(0, ...applicable.map((f) => f.latencyMs ?? 0));
    if (latency) await new Promise((r) => setTimeout(r, latency));
    const action = applicable.find((f) => f.action)?.action;
    if (action === 'drop') return null;

    const recursion = query.flags ?? 0;
    const base = dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE | (recursion & dnsPacket.RECURSION_DESIRED);
    const reply = (flags: number, answers: Answer[] = [], authorities: Answer[] = []) =>
      dnsPacket.encode({ type: 'response', id: query.id, flags, questions: [question], answers, authorities });
    if (action === 'servfail') return reply(base | RCODE.SERVFAIL);
    if (action === 'refused') return reply(base | RCODE.REFUSED);
    if (action === 'truncate' && transport === 'udp') return reply(base | dnsPacket.TRUNCATED_RESPONSE);

    const result = store.lookup(qname, question.type, options.outside ?? 'refused');
    const flags = base | result.rcode | (result.signed && result.rcode !== RCODE.REFUSED ? dnsPacket.AUTHENTIC_DATA : 0);
    const full = reply(flags, result.answers, result.authorities);
    if (transport === 'udp' && full.length > requesterUdpSize(query)) return reply(flags | dnsPacket.TRUNCATED_RESPONSE);
    return full;
  }

  const { udp, tcp, port } = await bindBoth(address, options.port ?? 0, respond, sockets);
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    address,
    port,
    server: `${host}:${port}`,
    setFaults(rules) { faults = rules; },
    addZone(zone) { store.add(zone); },
    get queries() { return queries; },
    log,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]);
    },
  };
}

type Respond = (msg: Buffer, transport: 'udp' | 'tcp') => Promise<Buffer | null>;

/** UDP and TCP on the same port; with an ephemeral port the TCP side may find it taken, so try again. */
async function bindBoth(address: string, wanted: number, respond: Respond, sockets: Set<net.Socket>) {
  for (let attempt = 0; ; attempt++) {
    // A burst of blocklist queries (hundreds at once) overflows the default receive buffer; a real
    // resolver has a large one too.
    const udp = dgram.createSocket({ type: address.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    udp.on('message', (msg, rinfo) => {
      respond(msg, 'udp').then((out) => { if (out) udp.send(out, rinfo.port, rinfo.address); }, () => {});
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(wanted, address, () => { udp.off('error', reject); resolve(); });
    });
    const port = udp.address().port;
    const tcp = net.createServer((socket) => serveTcp(socket, respond, sockets));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, address, () => { tcp.off('error', reject); resolve(); });
      });
      return { udp, tcp, port };
    } catch (err) {
      udp.close();
      if (wanted !== 0 || attempt >= 5) throw err;
    }
  }
}

/** RFC 7766 framing: a two-byte length before each message, several messages per connection. */
function serveTcp(socket: net.Socket, respond: Respond, sockets: Set<net.Socket>): void {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => socket.destroy());
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
      const msg = Buffer.from(buffer.subarray(2, 2 + buffer.readUInt16BE(0)));
      buffer = buffer.subarray(2 + msg.length);
      respond(msg, 'tcp').then((out) => {
        if (!out || socket.destroyed) return;
        const frame = Buffer.alloc(2 + out.length);
        frame.writeUInt16BE(out.length, 0);
        out.copy(frame, 2);
        socket.write(frame);
      }, () => socket.destroy());
    }
  });
}
