/**
 * One SMTP client connection, opened through the dialer: read a reply, send a command and read its
 * reply, upgrade with STARTTLS (RFC 3207), quit. Every read has its own timeout, because a server may
 * legitimately be slow at one step (the greeting) and not at the others. A bounded transcript of
 * what was said is kept as evidence.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Dialer, DialTarget } from '../dialer/types.ts';
import { createReplyParser, printable, replyText, type ReplyParser, type SmtpReply } from './reply.ts';

export type SmtpErrorKind = 'timeout' | 'closed' | 'protocol';

/** A failure while talking (the connection itself failing is a DialError from the dialer). */
export class SmtpError extends Error {
  readonly kind: SmtpErrorKind;
  constructor(kind: SmtpErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = 'SmtpError';
  }
}

export interface TranscriptLine {
  /** `C` what we sent, `S` what the server answered, `*` what happened (TLS, close). */
  from: 'C' | 'S' | '*';
  text: string;
  /** Milliseconds since the connection opened. */
  atMs: number;
}

export interface SmtpSession {
  readonly socket: Socket;
  readonly secure: boolean;
  readonly transcript: readonly TranscriptLine[];
  /** Waits for the next reply (the greeting, or an answer already asked for). */
  read(timeoutMs: number): Promise<SmtpReply>;
  /** Sends one command line and waits for its reply. */
  command(line: string, timeoutMs: number): Promise<SmtpReply>;
  /** After a 220 to STARTTLS: hands the socket to TLS. Resolves with the secured socket. */
  upgrade(options: { servername?: string; timeoutMs: number }): Promise<TLSSocket>;
  /** Bytes the server sent after its STARTTLS reply and before the handshake (must be none). */
  readonly injectedBeforeTls: number;
  /** QUIT, waiting briefly for 221, then closes. Never throws. */
  quit(timeoutMs: number): Promise<void>;
  close(): void;
}

const MAX_TRANSCRIPT = 300;

export async function openSmtpSession(dialer: Dialer, target: DialTarget, options: { timeoutMs: number; signal?: AbortSignal }): Promise<SmtpSession> {
  const plain = await dialer.connect(target, { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  return createSession(dialer, plain);
}

/** Wraps an already connected socket (exported for tests that dial by hand). */
export function createSession(dialer: Dialer, plain: Socket): SmtpSession {
  const opened = performance.now();
  const transcript: TranscriptLine[] = [];
  const note = (from: TranscriptLine['from'], text: string) => {
    if (transcript.length < MAX_TRANSCRIPT) transcript.push({ from, text: printable(text, 300), atMs: Math.round(performance.now() - opened) });
  };
  let socket: Socket = plain;
  let secure = false;
  let injectedBeforeTls = 0;
  let reader = attachReader(plain, note);
  // A socket must always have an error listener: a late RST must not crash the process.
  plain.on('error', () => {});

  async function command(line: string, timeoutMs: number): Promise<SmtpReply> {
    if (/[\r\n]/.test(line)) throw new SmtpError('protocol', 'refusing to send a command containing a line break');
    note('C', line);
    socket.write(`${line}\r\n`);
    return reader.read(timeoutMs, line.split(' ')[0]!);
  }

  async function upgrade(tlsOptions: { servername?: string; timeoutMs: number }): Promise<TLSSocket> {
    injectedBeforeTls = reader.detach();
    note('*', 'TLS handshake');
    const secured = await dialer.upgradeTls(plain, {
      timeoutMs: tlsOptions.timeoutMs,
      ...(tlsOptions.servername ? { servername: tlsOptions.servername } : {}),
    }).catch((err: unknown) => {
      plain.destroy();
      note('*', `TLS failed: ${(err as Error).message}`);
      throw err;
    });
    secured.on('error', () => {});
    note('*', `TLS established: ${secured.getProtocol() ?? '?'} ${secured.getCipher()?.standardName ?? ''}`.trim());
    socket = secured;
    secure = true;
    reader = attachReader(secured, note);
    return secured;
  }

  async function quit(timeoutMs: number): Promise<void> {
    try {
      if (!socket.destroyed && socket.writable) await command('QUIT', timeoutMs);
    } catch {
      // The server hung up or stayed silent: nothing more to say to it.
    } finally {
      close();
    }
  }

  function close(): void {
    reader.detach();
    socket.end();
    // Give the FIN a moment, then make sure nothing lingers.
    setTimeout(() => socket.destroy(), 200).unref();
    if (socket !== plain) setTimeout(() => plain.destroy(), 200).unref();
  }

  return {
    get socket() { return socket; },
    get secure() { return secure; },
    get injectedBeforeTls() { return injectedBeforeTls; },
    transcript,
    read: (timeoutMs) => reader.read(timeoutMs, 'greeting'),
    command,
    upgrade,
    quit,
    close,
  };
}

interface Reader {
  read(timeoutMs: number, what: string): Promise<SmtpReply>;
  /** Stops listening; returns the bytes that were received but not consumed. */
  detach(): number;
}

function attachReader(socket: Socket, note: (from: 'S' | '*', text: string) => void): Reader {
  const parser: ReplyParser = createReplyParser();
  const queue: SmtpReply[] = [];
  let failure: SmtpError | null = null;
  let ended = false;
  let waiter: (() => void) | null = null;
  const wake = () => waiter?.();

  const onData = (chunk: Buffer) => {
    if (failure) return;
    try {
      for (const reply of parser.push(chunk)) {
        note('S', replyText(reply));
        queue.push(reply);
      }
    } catch (err) {
      failure = new SmtpError('protocol', (err as Error).message);
      note('*', failure.message);
      socket.destroy();
    }
    wake();
  };
  const onEnd = () => {
    if (!ended) note('*', 'connection closed by the server');
    ended = true;
    wake();
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onEnd);

  function read(timeoutMs: number, what: string): Promise<SmtpReply> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const next = queue.shift();
        if (next) resolve(next);
        else if (failure) reject(failure);
        else if (ended) reject(new SmtpError('closed', `the server closed the connection while we waited for the reply to ${what}`));
        else return false;
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        waiter = null;
        reject(new SmtpError('timeout', `no reply to ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiter = () => {
        if (check()) {
          clearTimeout(timer);
          waiter = null;
        }
      };
    });
  }

  function detach(): number {
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('close', onEnd);
    return parser.pending() + queue.length;
  }

  return { read, detach };
}
