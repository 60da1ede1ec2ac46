/**
 * The dialer (see types.ts): every TCP and TLS connection a check opens goes through here, so the
 * connect map, the guards and the timeouts hold everywhere. TLS never refuses a certificate: we
 * *report* on trust, so `rejectUnauthorized` is off and `authorized`/`authorizationError` on the
 * socket tell the truth about the chain, checked against the run's extra CAs plus the system roots.
 */
import net from 'node:net';
import tls from 'node:tls';
import { createRouter, describeTarget, type Guard } from './route.ts';
import { DialError, type ConnectMapRule, type Dialer, type DialErrorCode, type DialOptions, type DialTarget, type TlsDialOptions } from './types.ts';

export { parseConnectMap, parseConnectMapRule, mapDestination, applyRule } from './connect-map.ts';
export { specialRange } from './ssrf.ts';
export { DialError } from './types.ts';
export type { ConnectMapRule, Dialer, DialTarget, DialOptions, TlsDialOptions, DialErrorCode } from './types.ts';

export interface DialerOptions {
  /** Destination translation; with rules set, a destination no rule matches is refused unless loopback. */
  connectMap?: readonly ConnectMapRule[];
  /** Extra trusted CA certificates (PEM), e.g. the lab CA; the system roots are always trusted too. */
  ca?: readonly string[];
  /**
   * `offline`: only loopback after mapping. `ssrf` (server mode): refuse private, loopback,
   * link-local, CGNAT, ULA and multicast destinations before mapping. `none`: no extra guard.
   * The process-wide offline guard (MAILSLEUTH_OFFLINE=1) applies in every mode.
   */
  guard?: Guard;
  /** Networks the SSRF guard lets through (CIDR or address). */
  ssrfAllow?: readonly string[];
  /** Timeout for connection establishment (and the TLS handshake) when the caller gives none. */
  defaultTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function createDialer(options: DialerOptions = {}): Dialer {
  const route = createRouter(options);
  const extraCa = [...(options.ca ?? [])];
  // Giving `ca` replaces Node's default roots, so add them back: public certificates must still verify.
  const trust = extraCa.length > 0 ? [...extraCa, ...tls.rootCertificates] : undefined;
  const defaultTimeout = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;

  function connect(target: DialTarget, dialOptions: DialOptions = {}): Promise<net.Socket> {
    let routed: DialTarget;
    try {
      routed = route(target);
    } catch (err) {
      // A refusal is a rejected promise like any other failure, never a synchronous throw.
      return Promise.reject(err);
    }
    const where = describeRoute(target, routed);
    const timeoutMs = dialOptions.timeoutMs ?? defaultTimeout;
    return settle<net.Socket>(where, timeoutMs, dialOptions.signal, (done) => {
      const socket = net.connect({ host: routed.host, port: routed.port });
      socket.once('connect', () => done.resolve(socket));
      socket.once('error', (err) => done.reject(networkError(err, where)));
      return socket;
    });
  }

  function upgradeTls(socket: net.Socket, dialOptions: TlsDialOptions = {}): Promise<tls.TLSSocket> {
    const where = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'the connection';
    const timeoutMs = dialOptions.timeoutMs ?? defaultTimeout;
    return settle<tls.TLSSocket>(where, timeoutMs, dialOptions.signal, (done) => {
      const secure = tls.connect({
        ...dialOptions.tls,
        socket,
        // SNI must not carry an IP literal (RFC 6066 §3); Node warns when given one.
        ...(dialOptions.servername && net.isIP(dialOptions.servername) === 0 ? { servername: dialOptions.servername } : {}),
        ...(trust ? { ca: trust } : {}),
        rejectUnauthorized: false,
      });
      secure.once('secureConnect', () => done.resolve(secure));
      secure.once('error', (err) => done.reject(tlsError(err, where)));
      return secure;
    });
  }

  async function connectTls(target: DialTarget, dialOptions: TlsDialOptions = {}): Promise<tls.TLSSocket> {
    const started = Date.now();
    const timeoutMs = dialOptions.timeoutMs ?? defaultTimeout;
    const socket = await connect(target, { timeoutMs, ...(dialOptions.signal ? { signal: dialOptions.signal } : {}) });
    // One budget for TCP plus handshake, as a user would count it.
    const left = Math.max(1, timeoutMs - (Date.now() - started));
    return upgradeTls(socket, { ...dialOptions, timeoutMs: left }).catch((err: unknown) => {
      socket.destroy();
      throw err;
    });
  }

  return { route, connect, connectTls, upgradeTls, ca: extraCa };
}

interface Settle<T> {
  resolve(value: T): void;
  reject(error: DialError): void;
}

/**
 * Runs one connection attempt with a timeout and an abort signal; whatever ends first wins and the
 * socket is destroyed on failure, so no attempt outlives its caller's patience.
 */
function settle<T extends net.Socket>(where: string, timeoutMs: number, signal: AbortSignal | undefined, start: (done: Settle<T>) => net.Socket): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let socket: net.Socket | undefined;
    let finished = false;
    const finish = (error: DialError | null, value?: T) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        socket?.destroy();
        reject(error);
      } else {
        resolve(value!);
      }
    };
    const onAbort = () => finish(new DialError('error', `connection to ${where} aborted`));
    const timer = setTimeout(() => finish(new DialError('timeout', `connection to ${where} timed out after ${timeoutMs} ms`)), timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket = start({ resolve: (value) => finish(null, value), reject: (error) => finish(error) });
    // A late error after success belongs to the caller's own handlers, not to this promise.
  });
}

const NETWORK_CODES: Record<string, DialErrorCode> = {
  ECONNREFUSED: 'connection-refused',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ETIMEDOUT: 'timeout',
};

function networkError(err: Error, where: string): DialError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const dialCode = NETWORK_CODES[code] ?? 'error';
  const what = dialCode === 'connection-refused' ? 'connection refused' : err.message;
  return new DialError(dialCode, `${where}: ${what}`);
}

function tlsError(err: Error, where: string): DialError {
  const code = (err as NodeJS.ErrnoException).code;
  // The peer hanging up mid-handshake is how many servers say "no TLS here"; still a TLS failure.
  return new DialError('tls', `TLS handshake with ${where} failed: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}`);
}

function describeRoute(target: DialTarget, routed: DialTarget): string {
  const asked = describeTarget(target);
  const real = describeTarget(routed);
  return asked === real ? asked : `${asked} (via ${real})`;
}
