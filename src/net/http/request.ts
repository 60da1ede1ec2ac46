/**
 * A minimal HTTP/1.1 GET over a connection the dialer opened (plain on 80 or TLS on 443): send the
 * request, read only the response head, hang up. Enough for the web probe, with a size limit and a
 * time limit, and no dependency on a resolver or agent outside the run's own.
 */
import type { Socket } from 'node:net';
import type { Dialer, DialTarget } from '../dialer/types.ts';
import { DialError } from '../dialer/types.ts';
import { describePeer, type ChainDer, type TlsPeer } from '../tls/peer.ts';
import { headEnd, HttpProtocolError, MAX_HEAD_BYTES, parseHead, type HttpHead } from './head.ts';

export interface HttpFetchOptions {
  /** Host header, SNI and the name the certificate is checked against. */
  host: string;
  path?: string;
  tls: boolean;
  timeoutMs: number;
  now: Date;
}

export interface HttpFetchResult {
  address: string;
  port: number;
  /** `connect`/`tls` failures come from the dialer (`connection-refused`, `timeout`, `tls`…); `http` is a bad or missing answer. */
  failure: { step: 'connect' | 'tls' | 'http'; kind: string; message: string } | null;
  tls: TlsPeer | null;
  head: HttpHead | null;
  timings: { connectMs: number | null; responseMs: number | null };
}

const USER_AGENT = 'mailsleuth/0.1 (deliverability check; +https://github.com/mailsleuth)';

export async function fetchHead(dialer: Dialer, target: DialTarget, options: HttpFetchOptions): Promise<{ result: HttpFetchResult; chainDer: ChainDer }> {
  const started = performance.now();
  const result: HttpFetchResult = { address: target.host, port: target.port, failure: null, tls: null, head: null, timings: { connectMs: null, responseMs: null } };
  let chainDer: ChainDer = [];
  let socket: Socket;
  try {
    if (options.tls) {
      const secure = await dialer.connectTls(target, { timeoutMs: options.timeoutMs, servername: options.host, tls: { ALPNProtocols: ['http/1.1'] } });
      const described = describePeer(secure, options.host, options.now, dialer.ca);
      result.tls = described.peer;
      chainDer = described.chainDer;
      socket = secure;
    } else {
      socket = await dialer.connect(target, { timeoutMs: options.timeoutMs });
    }
  } catch (err) {
    if (!(err instanceof DialError)) throw err;
    result.failure = { step: err.code === 'tls' ? 'tls' : 'connect', kind: err.code, message: err.message };
    return { result, chainDer };
  }
  result.timings.connectMs = Math.round(performance.now() - started);
  socket.on('error', () => {});
  try {
    const sent = performance.now();
    result.head = await exchange(socket, options);
    result.timings.responseMs = Math.round(performance.now() - sent);
  } catch (err) {
    result.failure = { step: 'http', kind: err instanceof HttpProtocolError ? 'protocol' : 'error', message: (err as Error).message };
  } finally {
    socket.destroy();
  }
  return { result, chainDer };
}

function exchange(socket: Socket, options: HttpFetchOptions): Promise<HttpHead> {
  return new Promise((resolve, reject) => {
    let buffer: Buffer = Buffer.alloc(0);
    const finish = (err: Error | null, head?: HttpHead) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (err) reject(err);
      else resolve(head!);
    };
    const timer = setTimeout(() => finish(new HttpProtocolError(`no HTTP response within ${options.timeoutMs} ms`)), options.timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = headEnd(buffer);
      if (end < 0) {
        if (buffer.length > MAX_HEAD_BYTES) finish(new HttpProtocolError(`response head larger than ${MAX_HEAD_BYTES} bytes`));
        return;
      }
      if (end > MAX_HEAD_BYTES) return finish(new HttpProtocolError(`response head larger than ${MAX_HEAD_BYTES} bytes`));
      try {
        finish(null, parseHead(buffer.subarray(0, end).toString('latin1')));
      } catch (err) {
        finish(err as Error);
      }
    };
    const onClose = () => finish(new HttpProtocolError(buffer.length ? 'the server closed the connection in the middle of the response head' : 'the server closed the connection without answering'));
    socket.on('data', onData);
    socket.on('close', onClose);
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    socket.write(`GET ${options.path ?? '/'} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${USER_AGENT}\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
  });
}
