/**
 * One DNS exchange with one server: UDP first, TCP when the answer comes back truncated (RFC 7766).
 * EDNS0 with the DO bit (RFC 3225) so a validating resolver reports the AD flag.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import type { RecordType } from './types.ts';

export interface ServerAddress { host: string; port: number; text: string }

export type Exchange =
  | { kind: 'response'; packet: DecodedPacket; transport: 'udp' | 'tcp' }
  | { kind: 'timeout' }
  | { kind: 'error'; message: string };

/** 1232 bytes: the DNS Flag Day 2020 recommendation, safe from IP fragmentation. */
export const UDP_PAYLOAD_SIZE = 1232;
const MAX_TCP_MESSAGE = 65535;

function buildQuery(name: string, type: RecordType, id = randomInt(0, 65536)): { id: number; bytes: Buffer } {
  const bytes = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: UDP_PAYLOAD_SIZE, flags: dnsPacket.DNSSEC_OK, options: [] } as never],
  });
  return { id, bytes };
}

function matches(packet: DecodedPacket, id: number, name: string, type: RecordType): boolean {
  const q = packet.questions?.[0];
  return packet.id === id && packet.type === 'response' && !!q && q.type === type && q.name.toLowerCase() === name.toLowerCase();
}

function describe(err: NodeJS.ErrnoException, server: ServerAddress): string {
  if (err.code === 'ECONNREFUSED') return `DNS server ${server.text} refused the connection (nothing listening?)`;
  if (err.code === 'ENETUNREACH' || err.code === 'EHOSTUNREACH') return `DNS server ${server.text} is unreachable`;
  return `DNS server ${server.text}: ${err.message}`;
}

/**
 * One UDP socket per server for a whole run, queries told apart by their ID (and question):
 * opening a socket per query costs more CPU than the query itself when hundreds of blocklist
 * lookups go out at once. The socket is unref'd, so an idle channel never keeps the process alive.
 */
export interface UdpChannel {
  exchange(name: string, type: RecordType, timeoutMs: number): Promise<Exchange>;
}

interface Pending { name: string; type: RecordType; finish: (e: Exchange) => void }

export function createUdpChannel(server: ServerAddress): UdpChannel {
  let socket: dgram.Socket | null = null;
  let ready: Promise<void> | null = null;
  const pending = new Map<number, Pending>();

  function open(): Promise<void> {
    // Answers to a burst of queries arrive together on this one socket: give it room for them.
    const s = dgram.createSocket({ type: net.isIPv6(server.host) ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    socket = s;
    s.on('message', (msg) => {
      let packet: DecodedPacket;
      try {
        packet = dnsPacket.decode(msg);
      } catch {
        return; // a malformed datagram is ignored, as a stub resolver would; the query's timeout still runs
      }
      const waiting = packet.id === undefined ? undefined : pending.get(packet.id);
      if (waiting && matches(packet, packet.id!, waiting.name, waiting.type)) waiting.finish({ kind: 'response', packet, transport: 'udp' });
    });
    // A connected socket turns an ICMP port-unreachable into ECONNREFUSED instead of a long timeout;
    // it concerns every query in flight on this socket.
    s.on('error', (err) => fail(s, err));
    s.unref();
    return new Promise((resolve) => s.connect(server.port, server.host, () => resolve()));
  }

  /** The socket is unusable (an ICMP error may surface on any later send or receive): every query in flight fails with it. */
  function fail(s: dgram.Socket, err: Error): void {
    if (socket === s) { socket = null; ready = null; }
    try { s.close(); } catch { /* already closed */ }
    for (const p of [...pending.values()]) p.finish({ kind: 'error', message: describe(err as NodeJS.ErrnoException, server) });
  }

  function freeId(): number {
    for (;;) {
      const id = randomInt(0, 65536);
      if (!pending.has(id)) return id;
    }
  }

  return {
    async exchange(name, type, timeoutMs) {
      if (!socket || !ready) ready = open();
      await ready;
      const s = socket!;
      const { id, bytes } = buildQuery(name, type, freeId());
      return new Promise<Exchange>((resolve) => {
        const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
        const finish = (result: Exchange) => {
          if (pending.get(id)?.finish !== finish) return;
          pending.delete(id);
          clearTimeout(timer);
          resolve(result);
        };
        pending.set(id, { name, type, finish });
        s.send(bytes, (err) => { if (err) fail(s, err); });
      });
    },
  };
}

export function exchangeTcp(server: ServerAddress, name: string, type: RecordType, timeoutMs: number): Promise<Exchange> {
  const { id, bytes } = buildQuery(name, type);
  return new Promise((resolve) => {
    const socket = net.connect({ host: server.host, port: server.port });
    let buffer = Buffer.alloc(0);
    let done = false;
    const finish = (result: Exchange) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    socket.on('error', (err) => finish({ kind: 'error', message: describe(err, server) }));
    socket.on('connect', () => {
      const frame = Buffer.alloc(2 + bytes.length);
      frame.writeUInt16BE(bytes.length, 0);
      bytes.copy(frame, 2);
      socket.write(frame);
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2) {
        const length = buffer.readUInt16BE(0);
        if (length > MAX_TCP_MESSAGE) return finish({ kind: 'error', message: `DNS server ${server.text} sent an oversized TCP message` });
        if (buffer.length < 2 + length) return;
        const msg = buffer.subarray(2, 2 + length);
        buffer = buffer.subarray(2 + length);
        try {
          const packet = dnsPacket.decode(msg);
          if (matches(packet, id, name, type)) return finish({ kind: 'response', packet, transport: 'tcp' });
        } catch {
          return finish({ kind: 'error', message: `DNS server ${server.text} sent a malformed TCP answer` });
        }
      }
    });
    socket.on('close', () => finish({ kind: 'error', message: `DNS server ${server.text} closed the TCP connection without an answer` }));
  });
}

/** UDP, then TCP when the UDP answer has the TC bit (the TCP try gets the same time allowance). */
export async function exchange(channel: UdpChannel, server: ServerAddress, name: string, type: RecordType, timeoutMs: number): Promise<Exchange> {
  const udp = await channel.exchange(name, type, timeoutMs);
  if (udp.kind === 'response' && udp.packet.flag_tc) return exchangeTcp(server, name, type, timeoutMs);
  return udp;
}
