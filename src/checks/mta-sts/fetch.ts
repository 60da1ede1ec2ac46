/**
 * Fetching the MTA-STS policy the way a sending server does (RFC 8461 §3.3): resolve
 * `mta-sts.<domain>` through the run's resolver, connect through the dialer (connect map, guards,
 * timeout), GET `/.well-known/mta-sts.txt` over HTTPS, follow no redirect, read at most 64 KB.
 * The certificate is judged, not enforced, so a bad one is reported rather than hiding the policy.
 */
import http from 'node:http';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Context } from '../types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { DialError } from '../../net/dialer/types.ts';
import { MAX_POLICY_BYTES } from './policy.ts';

export const POLICY_PATH = '/.well-known/mta-sts.txt';

export interface PolicyCertificate {
  /** Chain verified against the trusted roots and the name matched (Node's own verdict). */
  authorized: boolean;
  error: string | null;
  matchesHost: boolean;
  subject: string | null;
  issuer: string | null;
  validTo: string | null;
}

export type FetchOutcome = 'fetched' | 'dns-failed' | 'no-address' | 'unreachable' | 'timeout' | 'tls-failed' | 'http-error' | 'too-large';

export interface PolicyFetch {
  url: string;
  host: string;
  outcome: FetchOutcome;
  /** The address connected to (before the connect map). */
  address: string | null;
  status: number | null;
  contentType: string | null;
  /** Location header of a redirect, which senders must not follow. */
  location: string | null;
  body: string | null;
  certificate: PolicyCertificate | null;
  error: string | null;
  dns: number[];
  elapsedMs: number;
}

/** Fetches the policy of `domain`. Never throws for network trouble: the outcome says what happened. */
export async function fetchPolicy(ctx: Context, domain: string): Promise<PolicyFetch> {
  const host = `mta-sts.${domain}`;
  const started = Date.now();
  const result: PolicyFetch = {
    url: `https://${host}${POLICY_PATH}`, host, outcome: 'no-address', address: null, status: null, contentType: null,
    location: null, body: null, certificate: null, error: null, dns: [], elapsedMs: 0,
  };
  const done = (patch: Partial<PolicyFetch>): PolicyFetch => Object.assign(result, patch, { elapsedMs: Date.now() - started });

  const [a, aaaa] = await Promise.all([ctx.resolver.query(host, 'A'), ctx.resolver.query(host, 'AAAA')]);
  result.dns.push(a.id, aaaa.id);
  const addresses = [...a.records, ...aaaa.records].map((r) => r.data);
  if (addresses.length === 0) {
    // One family failing while the other is simply absent still leaves the host unknown.
    if (isFailure(a.outcome) || isFailure(aaaa.outcome)) return done({ outcome: 'dns-failed', error: `lookup of ${host} failed (A ${a.outcome}, AAAA ${aaaa.outcome})` });
    return done({ outcome: 'no-address', error: `${host} has no address (A ${a.outcome}, AAAA ${aaaa.outcome})` });
  }

  let last: Partial<PolicyFetch> = {};
  for (const address of addresses) {
    const left = ctx.options.timeoutMs - (Date.now() - started);
    if (left <= 0) break;
    last = await fetchFrom(ctx, host, address, left);
    if (last.outcome !== 'unreachable') return done(last);
  }
  return done({ outcome: 'unreachable', ...last });
}

async function fetchFrom(ctx: Context, host: string, address: string, timeoutMs: number): Promise<Partial<PolicyFetch>> {
  const deadline = Date.now() + timeoutMs;
  let socket: TLSSocket;
  try {
    socket = await ctx.dialer.connectTls({ host: address, port: 443 }, { servername: host, timeoutMs, tls: { ALPNProtocols: ['http/1.1'] } });
  } catch (err) {
    const code = err instanceof DialError ? err.code : 'error';
    const outcome: FetchOutcome = code === 'timeout' ? 'timeout' : code === 'tls' ? 'tls-failed' : 'unreachable';
    return { outcome, address, error: (err as Error).message };
  }
  const certificate = judgeCertificate(socket, host);
  try {
    const response = await get(socket, host, Math.max(1, deadline - Date.now()));
    return { ...response, address, certificate };
  } finally {
    socket.destroy();
  }
}

function judgeCertificate(socket: TLSSocket, host: string): PolicyCertificate {
  const peer = socket.getPeerCertificate();
  let matchesHost = false;
  try {
    matchesHost = peer?.raw ? new X509Certificate(peer.raw).checkHost(host) !== undefined : false;
  } catch {
    matchesHost = false;
  }
  const error = socket.authorizationError ? String(socket.authorizationError) : matchesHost ? null : 'ERR_TLS_CERT_ALTNAME_INVALID';
  return {
    authorized: socket.authorized && matchesHost,
    error,
    matchesHost,
    subject: peer?.subject?.CN ? String(peer.subject.CN) : null,
    issuer: peer?.issuer?.CN ? String(peer.issuer.CN) : null,
    validTo: peer?.valid_to ?? null,
  };
}

/** One HTTP/1.1 GET on an established TLS socket, with a deadline and the 64 KB body limit. */
function get(socket: TLSSocket, host: string, timeoutMs: number): Promise<Partial<PolicyFetch>> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: Partial<PolicyFetch>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish({ outcome: 'timeout', error: `no complete answer from ${host} within ${timeoutMs} ms` }), timeoutMs);
    const request = http.request({
      host,
      path: POLICY_PATH,
      method: 'GET',
      headers: { 'Host': host, 'User-Agent': 'mailsleuth (MTA-STS policy check)', 'Accept': 'text/plain', 'Connection': 'close' },
      createConnection: () => socket,
    });
    request.on('error', (err) => finish({ outcome: 'http-error', error: `HTTP request to ${host} failed: ${err.message}` }));
    request.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const contentType = res.headers['content-type'] ?? null;
      const location = res.headers.location ?? null;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_POLICY_BYTES) return finish({ outcome: 'too-large', status, contentType, error: `the policy is larger than ${MAX_POLICY_BYTES / 1024} KB` });
        chunks.push(chunk);
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        finish({ outcome: status === 200 ? 'fetched' : 'http-error', status, contentType, location, body, ...(status === 200 ? {} : { error: `HTTP ${status}${location ? ` redirect to ${location}` : ''}` }) });
      });
      res.on('error', (err) => finish({ outcome: 'http-error', status, error: err.message }));
    });
    request.end();
  });
}
