/**
 * The dialer is the only way a check opens a TCP or TLS connection. It applies the connect map
 * (DESIGN.md: `203.0.113.80:25=127.0.1.80:2525`, CIDR on either side), the offline guard and the
 * server-mode SSRF guard, and puts a timeout on every connection.
 */
import type { Socket } from 'node:net';
import type { TLSSocket, ConnectionOptions } from 'node:tls';

export interface ConnectMapRule {
  /** Source as written, for messages. */
  text: string;
  from: { network: string; prefix: number; port?: number };
  to: { network: string; prefix: number; port?: number };
}

export interface DialTarget {
  /** An IP address (never a host name: the caller resolved it through the run's resolver). */
  host: string;
  port: number;
}

export interface DialOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TlsDialOptions extends DialOptions {
  servername?: string;
  /** Extra TLS options (ALPN, minVersion…); `ca` comes from the dialer's trust settings. */
  tls?: ConnectionOptions;
}

export interface Dialer {
  /** Where a connection to `target` would really go, or a thrown DialError when refused. */
  route(target: DialTarget): DialTarget;
  connect(target: DialTarget, options?: DialOptions): Promise<Socket>;
  /** TLS from the first byte (HTTPS, SMTPS). */
  connectTls(target: DialTarget, options?: TlsDialOptions): Promise<TLSSocket>;
  /** STARTTLS: upgrade a connected plain socket. */
  upgradeTls(socket: Socket, options?: TlsDialOptions): Promise<TLSSocket>;
  /** Extra CA certificates (PEM) the run trusts besides the system store, e.g. the lab CA. */
  readonly ca: readonly string[];
}

export type DialErrorCode = 'refused-by-guard' | 'refused-by-map' | 'timeout' | 'connection-refused' | 'unreachable' | 'reset' | 'tls' | 'error';

export class DialError extends Error {
  readonly code: DialErrorCode;
  constructor(code: DialErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'DialError';
  }
}
