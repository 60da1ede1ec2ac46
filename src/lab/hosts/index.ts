/**
 * The lab's virtual hosts: each public-looking address of a scenario (203.0.113.80, 52.101.68.10…)
 * gets its services on a loopback address, on an ephemeral port by default (tests run side by side)
 * or on the real port when asked. `startHosts()` returns the connect-map rules that send the
 * dialer's connections for `virtualIp:port` to where each service really listens.
 */
import net from 'node:net';
import { InputError } from '../../errors.ts';
import type { LabCa } from '../tls.ts';
import { createWebHost } from './http.ts';
import type { HostsFile, Service, VirtualHost } from './schema.ts';
import { createSmtpHost, type Listening, type ReceivedMessage } from './smtp.ts';

export { parseHostsFile, type HostsFile, type VirtualHost, type Service, type SmtpService, type HttpService } from './schema.ts';
export type { ReceivedMessage } from './smtp.ts';

export interface StartHostsOptions {
  hosts: HostsFile;
  ca: LabCa;
  /** Listen on each service's real port (25, 80, 443) instead of an ephemeral one; usually needs root. */
  realPorts?: boolean;
}

export interface RunningService {
  ip: string;
  port: number;
  type: Service['type'];
  /** Where it really listens (`127.0.113.80:41234`); for `closed`, the port that refuses. */
  listen: string;
  /** One line for people: "smtp, STARTTLS (self-signed), banner webhost.acme.example". */
  summary: string;
}

export interface RunningHosts {
  /** Connect-map rule texts, `virtualIp:port=loopback:actualPort`, one per service. */
  rules: string[];
  services: RunningService[];
  /** Messages the lab's SMTP hosts accepted (only local domains, or anything on an open relay). */
  received: ReceivedMessage[];
  close(): Promise<void>;
}

export async function startHosts(options: StartHostsOptions): Promise<RunningHosts> {
  const running: Listening[] = [];
  const services: RunningService[] = [];
  const received: ReceivedMessage[] = [];
  const close = async () => {
    await Promise.all(running.map((r) => r.close()));
  };
  try {
    for (const host of options.hosts.hosts) {
      const bind = host.bind ?? loopbackFor(host.ip);
      for (const [port, service] of host.services) {
        const label = `${bracket(host.ip)}:${port}`;
        if (service.type === 'closed') {
          const refusing = await closedPort(bind);
          services.push({ ip: host.ip, port, type: 'closed', listen: refusing, summary: 'closed (connection refused)' });
          continue;
        }
        const listening = service.type === 'smtp'
          ? await createSmtpHost(service, host.names, options.ca, label, received)
          : await createWebHost(service, host.names, options.ca);
        running.push(listening);
        const where = await listen(listening.server, bind, options.realPorts ? port : 0, label);
        services.push({ ip: host.ip, port, type: service.type, listen: where, summary: summarize(service, host) });
      }
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    rules: services.map((s) => `${bracket(s.ip)}:${s.port}=${s.listen}`),
    services,
    received,
    close,
  };
}

/**
 * 127.0.x.y from the last two octets of an IPv4 address, so listings read naturally
 * (203.0.113.80 → 127.0.113.80). All of 127/8 is loopback on Linux; other systems fall back to
 * 127.0.0.1 when binding fails. IPv6 virtual hosts share 127.0.0.1 (ports keep them apart).
 */
export function loopbackFor(ip: string): string {
  if (net.isIP(ip) !== 4) return '127.0.0.1';
  const [, , c, d] = ip.split('.');
  return `127.0.${c}.${d}`;
}

function listen(server: net.Server, address: string, port: number, label: string): Promise<string> {
  const attempt = (host: string) => new Promise<string>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve(`${bracket(host)}:${(server.address() as net.AddressInfo).port}`);
    });
  });
  return attempt(address).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRNOTAVAIL' && address !== '127.0.0.1') return attempt('127.0.0.1');
    if (err.code === 'EACCES') throw new InputError(`cannot listen on port ${port} for ${label}: permission denied (real ports below 1024 need root)`);
    if (err.code === 'EADDRINUSE') throw new InputError(`cannot listen on ${address}:${port} for ${label}: address already in use`);
    throw err;
  });
}

/**
 * A port where nothing listens: bound and released, so a connection gets ECONNREFUSED the way a
 * closed port on the internet answers. (Another process could take it in between; on loopback,
 * for the lab's lifetime, that is a risk we accept.)
 */
async function closedPort(address: string): Promise<string> {
  const probe = net.createServer();
  const where = await listen(probe, address, 0, 'a closed port');
  await new Promise((resolve) => probe.close(resolve));
  return where;
}

function summarize(service: Exclude<Service, { type: 'closed' }>, host: VirtualHost): string {
  if (service.type === 'smtp') {
    if (service.tarpit) return 'smtp tarpit (accepts TCP, never greets)';
    const parts = [`smtp "${service.hostname ?? host.names[0]}${service.banner ? ` ESMTP ${service.banner}` : ' ESMTP'}"`];
    parts.push(service.starttls ? `STARTTLS (${service.certificate} certificate)` : 'no STARTTLS');
    if (service.greetingDelayMs) parts.push(`greets after ${service.greetingDelayMs} ms`);
    parts.push(service.relay ? 'OPEN RELAY' : service.localDomains.length ? `accepts mail for ${service.localDomains.join(', ')}` : 'accepts no mail');
    return parts.join(', ');
  }
  if (service.redirectToHttps) return `${service.type}: 301 to https`;
  const parts = [`${service.type}: ${service.status}`];
  if (service.type === 'https') parts.push(`${service.certificate} certificate`, service.hsts ? 'HSTS' : 'no HSTS');
  return parts.join(', ');
}

function bracket(ip: string): string {
  return net.isIP(ip) === 6 ? `[${ip}]` : ip;
}
