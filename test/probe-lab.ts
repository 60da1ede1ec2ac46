/**
 * Loopback servers for the probe tests: SMTP hosts (smtp-server with a lab certificate, greeting
 * delay, tarpit, open or closed relay), raw SMTP servers that break STARTTLS, HTTPS/HTTP servers,
 * the lab DNS and a run context whose connect map sends TEST-NET addresses to them.
 */
import net from 'node:net';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { SMTPServer } from 'smtp-server';
import type { Context } from '../src/checks/types.ts';
import { createLabCa, type CertificateVariant, type LabCa } from '../src/lab/tls.ts';
import { parseZone, startDnsServer, type DnsServer } from '../src/lab/dns/index.ts';
import { createResolver } from '../src/net/dns/client.ts';
import { createDialer, parseConnectMapRule } from '../src/net/dialer/index.ts';

export type Closer = () => Promise<unknown> | unknown;

export class Lab {
  readonly closers: Closer[] = [];
  readonly map: string[] = [];
  ca!: LabCa;

  async init(): Promise<this> {
    this.ca = await createLabCa();
    return this;
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close();
  }

  /** Sends `from` (a TEST-NET address:port) to the loopback port a server listens on. */
  route(from: string, port: number, host = '127.0.0.1'): void {
    this.map.push(`${from}=${host}:${port}`);
  }

  async dns(zones: string[]): Promise<DnsServer> {
    const server = await startDnsServer({ zones: zones.map((text) => parseZone(text)), address: '127.0.0.1', port: 0 });
    this.closers.push(() => server.close());
    return server;
  }

  context(dns: DnsServer, options: { timeoutMs?: number; trustLabCa?: boolean; noProbe?: boolean; now?: Date } = {}): Context {
    return {
      resolver: createResolver({ servers: [dns.server], timeoutMs: 1000, retries: 0 }),
      dialer: createDialer({ connectMap: this.map.map(parseConnectMapRule), ca: options.trustLabCa === false ? [] : [this.ca.certPem], guard: 'offline' }),
      options: { timeoutMs: options.timeoutMs ?? 2000, noProbe: options.noProbe ?? false, selectors: [], keys: {} },
      now: () => options.now ?? new Date(),
    };
  }

  /** An SMTP host. `relay: 'open'` accepts any recipient; by default only `@<localDomain>` recipients. */
  async smtp(spec: { names: string[]; certificate?: CertificateVariant; starttls?: boolean; greetingDelayMs?: number; tarpit?: boolean; relay?: 'open' | 'closed'; banner?: string; localDomain?: string }): Promise<number> {
    const cert = spec.starttls === false ? null : await this.ca.issue(spec.certificate ?? 'valid', spec.names);
    const hold = new Set<() => void>();
    const server = new SMTPServer({
      ...(cert ? { key: cert.keyPem, cert: cert.certPem } : {}),
      ...(spec.starttls === false || !cert ? { disabledCommands: ['STARTTLS', 'AUTH'] } : { disabledCommands: ['AUTH'] }),
      name: spec.names[0],
      banner: spec.banner ?? 'lab',
      authOptional: true,
      disableReverseLookup: true,
      logger: false,
      onConnect(_session, callback) {
        if (spec.tarpit) { hold.add(() => callback()); return; }
        if (spec.greetingDelayMs) setTimeout(() => callback(), spec.greetingDelayMs);
        else callback();
      },
      onRcptTo(address, _session, callback) {
        const local = spec.localDomain ?? spec.names[0]!.split('.').slice(1).join('.');
        if (spec.relay === 'open' || address.address.toLowerCase().endsWith(`@${local}`)) return callback();
        const err = Object.assign(new Error('5.7.1 Relaying denied'), { responseCode: 554 });
        callback(err);
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback(new Error('the probe must never send DATA')));
      },
    });
    server.on('error', () => {});
    const port = await listen(server.server as net.Server);
    this.closers.push(() => new Promise((resolve) => { hold.clear(); server.close(() => resolve(null)); setTimeout(resolve, 300); }));
    return port;
  }

  /** A raw SMTP server announcing STARTTLS that then answers 454, or answers 220 and breaks the handshake. */
  async brokenStarttls(mode: '454' | 'break'): Promise<number> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      socket.write('220 mx.broken.test ESMTP raw\r\n');
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString('latin1');
        let end: number;
        while ((end = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, end).trim().toUpperCase();
          buffer = buffer.slice(end + 1);
          if (line.startsWith('EHLO')) socket.write('250-mx.broken.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
          else if (line === 'STARTTLS' && mode === '454') socket.write('454 4.7.0 TLS not available due to temporary reason\r\n');
          else if (line === 'STARTTLS') { socket.write('220 2.0.0 Ready to start TLS\r\n'); buffer = ''; socket.once('data', () => socket.end('this is not a TLS ServerHello\r\n')); return; }
          else if (line === 'QUIT') socket.end('221 bye\r\n');
          else socket.write('502 5.5.2 not implemented\r\n');
        }
      });
    });
    const port = await listen(server);
    this.closers.push(() => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(r)); });
    return port;
  }

  /** A raw TCP server that writes `payload` to every connection (hostile or broken servers). */
  async raw(payload: string | Buffer): Promise<number> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      socket.write(payload);
    });
    const port = await listen(server);
    this.closers.push(() => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(r)); });
    return port;
  }

  /** A port nothing listens on: bind, note the port, close. */
  async closedPort(): Promise<number> {
    const server = net.createServer();
    const port = await listen(server);
    await new Promise((r) => server.close(r));
    return port;
  }

  /** An HTTPS server with a lab certificate; answers every request with `status` and `headers`. */
  async https(spec: { names: string[]; certificate?: CertificateVariant; status?: number; headers?: Record<string, string> }): Promise<number> {
    const cert = await this.ca.issue(spec.certificate ?? 'valid', spec.names);
    const server = https.createServer({ key: cert!.keyPem, cert: cert!.certPem }, (req, res) => {
      res.writeHead(spec.status ?? 200, spec.headers ?? {});
      res.end('hello');
    });
    server.on('tlsClientError', () => {});
    const port = await listen(server);
    this.closers.push(() => { server.closeAllConnections(); return new Promise((r) => server.close(r)); });
    return port;
  }

  async http(spec: { status?: number; headers?: Record<string, string> }): Promise<number> {
    const server = http.createServer((req, res) => {
      res.writeHead(spec.status ?? 200, spec.headers ?? {});
      res.end('hello');
    });
    const port = await listen(server);
    this.closers.push(() => { server.closeAllConnections(); return new Promise((r) => server.close(r)); });
    return port;
  }
}

export function listen(server: net.Server | tls.Server, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port)));
}

export const SOA = '@ IN SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300';
