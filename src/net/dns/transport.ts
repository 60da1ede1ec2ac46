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

function buildQuery(name: string, type: RecordType): { id: number; bytes: Buffer } {
  const id = randomInt(0, 65536);
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

export function exchangeUdp(server: ServerAddress, name: string, type: RecordType, timeoutMs: number): Promise<Exchange> {
  const { id, bytes } = buildQuery(name, type);
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (result: Exchange) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    socket.on('error', (err) => finish({ kind: 'error', message: describe(err, server) }));
    socket.on('message', (msg) => {
      let packet: DecodedPacket;
      try {
        packet = dnsPacket.decode(msg);
      } catch {
        return; // a malformed datagram is ignored, as a stub resolver would; the timeout still runs
      }
      if (matches(packet, id, name, type)) finish({ kind: 'response', packet, transport: 'udp' });
    });
    // A connected socket turns an ICMP port-unreachable into ECONNREFUSED instead of a long timeout.
    socket.connect(server.port, server.host, () => socket.send(bytes));
  });
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
export async function exchange(server: ServerAddress, name: string, type: RecordType, timeoutMs: number): Promise<Exchange> {
  const udp = await exchangeUdp(server, name, type, timeoutMs);
  if (udp.kind === 'response' && udp.packet.flag_tc) return exchangeTcp(server, name, type, timeoutMs);
  return udp;
}
