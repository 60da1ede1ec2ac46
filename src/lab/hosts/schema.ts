/**
 * The hosts file of a scenario (`hosts.json`): which virtual public addresses run which services.
 * Checked field by field so a typo in a scenario is a one-line error naming the file and the field,
 * not a server that silently behaves differently. The format is documented in scenarios/README.md.
 */
import net from 'node:net';
import { InputError } from '../../errors.ts';
import { CERTIFICATE_VARIANTS, type CertificateVariant } from '../tls.ts';

export interface SmtpService {
  type: 'smtp';
  /** Host name in the 220 greeting and EHLO reply (default: the host's first name). */
  hostname?: string;
  /** Text after "ESMTP" in the greeting, e.g. "Postfix (Ubuntu)". */
  banner?: string;
  /** Offer STARTTLS (default true). */
  starttls: boolean;
  certificate: CertificateVariant;
  /** Names on the certificate (default: the host's names); for `wrong-name`, the wrong names. */
  certificateNames?: string[];
  /** Extra wait before the greeting, like a receiver's greet-pause. */
  greetingDelayMs: number;
  /** Accept the TCP connection and never greet. */
  tarpit: boolean;
  /** Accept any recipient (an open relay). Default false: only `localDomains` are accepted. */
  relay: boolean;
  /** Domains this host accepts mail for (final delivery). Default none: every RCPT is refused. */
  localDomains: string[];
}

export interface HttpService {
  type: 'http' | 'https';
  status: number;
  body: string;
  headers: Record<string, string>;
  /** Answer every request with 301 to the same URL over https. */
  redirectToHttps: boolean;
  /** HTTPS only. */
  certificate: CertificateVariant;
  certificateNames?: string[];
  /** Strict-Transport-Security header value (HTTPS only). */
  hsts?: string;
}

export interface ClosedService {
  type: 'closed';
}

export type Service = SmtpService | HttpService | ClosedService;

export interface VirtualHost {
  /** The public-looking address the scenario's DNS points at (TEST-NET ranges recommended). */
  ip: string;
  names: string[];
  /** Loopback address to listen on (default 127.0.x.y from the last two octets of `ip`). */
  bind?: string;
  services: Map<number, Service>;
}

export interface HostsFile {
  hosts: VirtualHost[];
}

const MAX_HOSTS_BYTES = 1024 * 1024;

type Json = Record<string, unknown>;

export function parseHostsFile(text: string, file = 'hosts.json'): HostsFile {
  const fail = (where: string, why: string): never => {
    throw new InputError(`${file}: ${where}: ${why}`);
  };
  if (text.length > MAX_HOSTS_BYTES) fail('file', `over ${MAX_HOSTS_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail('file', `not valid JSON (${(err as Error).message})`);
  }
  const root = object(json, 'file', fail);
  const hostList = root.hosts;
  if (!Array.isArray(hostList)) fail('file', '"hosts" must be a list');
  const hosts = (hostList as unknown[]).map((entry, i) => parseHost(entry, `hosts[${i}]`, fail));
  const seen = new Set<string>();
  for (const host of hosts) {
    if (seen.has(host.ip)) fail(`host ${host.ip}`, 'listed twice');
    seen.add(host.ip);
  }
  return { hosts };
}

type Fail = (where: string, why: string) => never;

function parseHost(value: unknown, where: string, fail: Fail): VirtualHost {
  const raw = object(value, where, fail);
  known(raw, ['ip', 'names', 'bind', 'services', 'comment'], where, fail);
  const ip = string(raw.ip, `${where}.ip`, fail);
  if (net.isIP(ip) === 0) fail(`${where}.ip`, `"${ip}" is not an IP address`);
  const at = `host ${ip}`;
  const names = raw.names === undefined ? [] : stringList(raw.names, `${at}.names`, fail);
  const host: VirtualHost = { ip, names, services: new Map() };
  if (raw.bind !== undefined) {
    const bind = string(raw.bind, `${at}.bind`, fail);
    if (net.isIP(bind) === 0) fail(`${at}.bind`, `"${bind}" is not an IP address`);
    host.bind = bind;
  }
  const services = object(raw.services, `${at}.services`, fail);
  for (const [portText, spec] of Object.entries(services)) {
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) fail(`${at}.services`, `"${portText}" is not a port`);
    host.services.set(port, parseService(spec, `${at}.services.${port}`, names, fail));
  }
  return host;
}

function parseService(value: unknown, where: string, names: string[], fail: Fail): Service {
  const raw = object(value, where, fail);
  const type = raw.type;
  if (type === 'closed') {
    known(raw, ['type', 'comment'], where, fail);
    return { type };
  }
  if (type === 'smtp') return parseSmtp(raw, where, names, fail);
  if (type === 'http' || type === 'https') return parseHttp(raw, type, where, names, fail);
  return fail(`${where}.type`, `must be "smtp", "http", "https" or "closed"`);
}

function parseSmtp(raw: Json, where: string, names: string[], fail: Fail): SmtpService {
  known(raw, ['type', 'hostname', 'banner', 'starttls', 'certificate', 'certificateNames', 'greetingDelayMs', 'tarpit', 'relay', 'localDomains', 'comment'], where, fail);
  const service: SmtpService = {
    type: 'smtp',
    starttls: bool(raw.starttls, true, `${where}.starttls`, fail),
    certificate: variant(raw.certificate, `${where}.certificate`, fail),
    greetingDelayMs: count(raw.greetingDelayMs, 0, 600_000, `${where}.greetingDelayMs`, fail),
    tarpit: bool(raw.tarpit, false, `${where}.tarpit`, fail),
    relay: bool(raw.relay, false, `${where}.relay`, fail),
    localDomains: raw.localDomains === undefined ? [] : stringList(raw.localDomains, `${where}.localDomains`, fail).map((d) => d.toLowerCase()),
  };
  if (raw.hostname !== undefined) service.hostname = string(raw.hostname, `${where}.hostname`, fail);
  else if (names[0] === undefined) fail(where, 'needs a "hostname" (or names on the host)');
  if (raw.banner !== undefined) service.banner = string(raw.banner, `${where}.banner`, fail);
  if (raw.certificateNames !== undefined) service.certificateNames = stringList(raw.certificateNames, `${where}.certificateNames`, fail);
  if (service.starttls && service.certificate === 'none') fail(where, 'STARTTLS needs a certificate (use "starttls": false for none)');
  if (service.starttls) needNames(service, names, where, fail);
  return service;
}

function parseHttp(raw: Json, type: 'http' | 'https', where: string, names: string[], fail: Fail): HttpService {
  known(raw, ['type', 'status', 'body', 'headers', 'redirectToHttps', 'certificate', 'certificateNames', 'hsts', 'comment'], where, fail);
  const service: HttpService = {
    type,
    status: count(raw.status, 200, 599, `${where}.status`, fail),
    body: raw.body === undefined ? '' : string(raw.body, `${where}.body`, fail),
    headers: {},
    redirectToHttps: bool(raw.redirectToHttps, false, `${where}.redirectToHttps`, fail),
    certificate: variant(raw.certificate, `${where}.certificate`, fail),
  };
  if (service.status < 100) fail(`${where}.status`, 'must be an HTTP status (100-599)');
  if (raw.headers !== undefined) {
    for (const [name, value] of Object.entries(object(raw.headers, `${where}.headers`, fail))) {
      service.headers[name] = string(value, `${where}.headers.${name}`, fail);
    }
  }
  if (raw.certificateNames !== undefined) service.certificateNames = stringList(raw.certificateNames, `${where}.certificateNames`, fail);
  if (raw.hsts !== undefined) service.hsts = string(raw.hsts, `${where}.hsts`, fail);
  if (type === 'http' && (raw.certificate !== undefined || raw.hsts !== undefined)) fail(where, 'plain HTTP has no certificate or HSTS (use "type": "https")');
  if (type === 'https' && service.certificate === 'none') fail(where, 'HTTPS needs a certificate (use "type": "closed" for no HTTPS)');
  if (type === 'https') needNames(service, names, where, fail);
  return service;
}

function needNames(service: { certificate: CertificateVariant; certificateNames?: string[] }, names: string[], where: string, fail: Fail): void {
  if (service.certificate !== 'wrong-name' && (service.certificateNames ?? names).length === 0) fail(where, 'a certificate needs names: set "certificateNames" or the host\'s "names"');
}

function object(value: unknown, where: string, fail: Fail): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(where, 'must be an object');
  return value as Json;
}

function known(raw: Json, fields: string[], where: string, fail: Fail): void {
  for (const key of Object.keys(raw)) if (!fields.includes(key)) fail(where, `unknown field "${key}" (known: ${fields.join(', ')})`);
}

function string(value: unknown, where: string, fail: Fail): string {
  if (typeof value !== 'string' || value === '') return fail(where, 'must be a non-empty string');
  return value;
}

function stringList(value: unknown, where: string, fail: Fail): string[] {
  if (!Array.isArray(value)) return fail(where, 'must be a list of strings');
  return value.map((item, i) => string(item, `${where}[${i}]`, fail));
}

function bool(value: unknown, fallback: boolean, where: string, fail: Fail): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') return fail(where, 'must be true or false');
  return value;
}

function count(value: unknown, fallback: number, max: number, where: string, fail: Fail): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) return fail(where, `must be a whole number from 0 to ${max}`);
  return value;
}

function variant(value: unknown, where: string, fail: Fail): CertificateVariant {
  if (value === undefined) return 'valid';
  if (typeof value !== 'string' || !(CERTIFICATE_VARIANTS as readonly string[]).includes(value)) {
    return fail(where, `must be one of ${CERTIFICATE_VARIANTS.join(', ')}`);
  }
  return value as CertificateVariant;
}
