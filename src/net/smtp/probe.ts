/**
 * The SMTP probe dialog on one MX address: connect, wait for the greeting, EHLO, STARTTLS, the
 * certificate, EHLO again, optionally the open-relay test, QUIT. It returns what happened as data
 * with one of four outcomes; judging it (what is a problem, how bad) is the SMTP check's job.
 *
 * It never sends MAIL FROM or RCPT TO unless asked for the relay test, and even then never DATA:
 * no message is ever submitted.
 */
import { isIP } from 'node:net';
import type { Dialer, DialTarget } from '../dialer/types.ts';
import { DialError } from '../dialer/types.ts';
import { describePeer, type ChainDer, type TlsPeer } from '../tls/peer.ts';
import { greetingHost, parseEhlo, type Capabilities } from './ehlo.ts';
import { replyText, type SmtpReply } from './reply.ts';
import { openSmtpSession, SmtpError, type SmtpSession, type TranscriptLine } from './session.ts';

/**
 * `could-not-test`: we never got to talk SMTP (refused, timed out, greeting refused);
 * `no-starttls`: the server talks SMTP but offers no STARTTLS; `tls-failed`: it offered STARTTLS
 * and then refused it or the handshake broke; `ok`: TLS was negotiated and EHLO worked over it.
 */
export type SmtpOutcome = 'ok' | 'could-not-test' | 'no-starttls' | 'tls-failed';

export type SmtpStep = 'connect' | 'greeting' | 'ehlo' | 'starttls' | 'tls' | 'ehlo-after-tls';

export interface SmtpFailure {
  step: SmtpStep;
  /** A dialer code (`connection-refused`, `timeout`, `refused-by-map`…), an SMTP code (`closed`, `protocol`) or `rejected` (an error reply). */
  kind: string;
  message: string;
  /** The server's reply when it answered with an error. */
  reply?: string;
}

export interface EhloInfo {
  host: string;
  capabilities: Capabilities;
}

export type RelayVerdict = 'open' | 'closed' | 'inconclusive';

export interface RelayResult {
  verdict: RelayVerdict;
  mailFrom: string;
  rcptTo: string;
  /** Replies to MAIL FROM and RCPT TO (null when not reached). */
  mailReply: string | null;
  rcptReply: string | null;
  /** True when the test ran over TLS. */
  overTls: boolean;
  note?: string;
}

export interface SmtpProbeResult {
  address: string;
  port: number;
  outcome: SmtpOutcome;
  failure: SmtpFailure | null;
  timings: { connectMs: number | null; greetingMs: number | null; tlsMs: number | null; totalMs: number };
  greeting: { code: number; text: string; host: string | null } | null;
  ehlo: EhloInfo | null;
  /** EHLO was refused and HELO answered: the server speaks plain SMTP only, no extensions. */
  heloOnly: boolean;
  starttlsReply: string | null;
  tls: TlsPeer | null;
  /** Bytes the server sent between its STARTTLS reply and the handshake (a STARTTLS injection risk). */
  injectedBeforeTls: number;
  ehloAfterTls: EhloInfo | null;
  relay: RelayResult | null;
  transcript: TranscriptLine[];
}

export interface SmtpProbeOptions {
  /** The MX host name: SNI and the name the certificate is checked against. */
  mxName: string;
  /** EHLO argument; defaults to our address literal (RFC 5321 §4.1.4), which is always valid. */
  heloName?: string;
  /** Each step after the greeting (EHLO, STARTTLS, handshake, QUIT). */
  timeoutMs: number;
  /** The wait for the 220 greeting, which some servers delay on purpose. */
  greetingTimeoutMs: number;
  now: Date;
  /** Addresses for the open-relay test; absent: no MAIL FROM or RCPT TO is ever sent. */
  relayTest?: { mailFrom: string; rcptTo: string } | null;
}

const QUIT_TIMEOUT_MS = 2000;

export async function probeSmtp(dialer: Dialer, target: DialTarget, options: SmtpProbeOptions): Promise<{ result: SmtpProbeResult; chainDer: ChainDer }> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const result = emptyResult(target);
  let chainDer: ChainDer = [];
  let session: SmtpSession | null = null;
  try {
    session = await openSmtpSession(dialer, target, { timeoutMs: options.timeoutMs });
    result.timings.connectMs = elapsed();
    const opened = await openDialog(session, options, result);
    result.timings.greetingMs = opened.greetingMs;
    if (!opened.ok) return { result, chainDer };
    if (!result.ehlo?.capabilities.starttls) {
      result.outcome = 'no-starttls';
      if (options.relayTest) result.relay = await relayTest(session, options.relayTest, options.timeoutMs, false);
      return { result, chainDer };
    }
    const tlsStarted = performance.now();
    const secured = await startTls(session, options, result);
    if (!secured) {
      // The session is unusable after a failed handshake; the relay test gets a fresh plain one.
      if (options.relayTest) result.relay = await relayOnFreshSession(dialer, target, options);
      return { result, chainDer };
    }
    result.timings.tlsMs = Math.round(performance.now() - tlsStarted);
    const described = describePeer(secured, options.mxName, options.now, dialer.ca);
    result.tls = described.peer;
    chainDer = described.chainDer;
    const after = await step(result, 'ehlo-after-tls', () => session!.command(`EHLO ${heloName(session!, options)}`, options.timeoutMs));
    if (!after) {
      result.outcome = 'tls-failed';
      return { result, chainDer };
    }
    if (after.code !== 250) {
      fail(result, 'ehlo-after-tls', 'rejected', 'the server refused EHLO after STARTTLS', after);
      result.outcome = 'tls-failed';
      return { result, chainDer };
    }
    result.ehloAfterTls = parseEhlo(after);
    result.outcome = 'ok';
    if (options.relayTest) result.relay = await relayTest(session, options.relayTest, options.timeoutMs, true);
    return { result, chainDer };
  } catch (err) {
    if (err instanceof DialError) fail(result, 'connect', err.code, err.message);
    else throw err;
    return { result, chainDer };
  } finally {
    if (session) {
      await leave(session, result.greeting !== null, options.timeoutMs);
      result.transcript = [...session.transcript];
    }
    result.timings.totalMs = elapsed();
  }
}

/** Greeting then EHLO (or HELO when EHLO is refused). Sets the failure and returns ok=false when the dialog cannot go on. */
async function openDialog(session: SmtpSession, options: SmtpProbeOptions, result: SmtpProbeResult): Promise<{ ok: boolean; greetingMs: number | null }> {
  const waitStart = performance.now();
  const greeting = await step(result, 'greeting', () => session.read(options.greetingTimeoutMs));
  if (!greeting) return { ok: false, greetingMs: null };
  const greetingMs = Math.round(performance.now() - waitStart);
  result.greeting = { code: greeting.code, text: greeting.lines.join('\n'), host: greetingHost(greeting) };
  if (greeting.code !== 220) {
    // 554 here means "no SMTP service for you" (RFC 5321 §3.1): often our own address is blocked.
    fail(result, 'greeting', 'rejected', `the server refused the session with ${greeting.code}`, greeting);
    return { ok: false, greetingMs };
  }
  const ehlo = await step(result, 'ehlo', () => session.command(`EHLO ${heloName(session, options)}`, options.timeoutMs));
  if (!ehlo) return { ok: false, greetingMs };
  if (ehlo.code === 250) {
    result.ehlo = parseEhlo(ehlo);
    return { ok: true, greetingMs };
  }
  if (ehlo.code >= 500 && ehlo.code !== 554) {
    // RFC 5321 §3.2: a server that does not know EHLO answers 500/502; HELO then gives plain SMTP.
    const helo = await step(result, 'ehlo', () => session.command(`HELO ${heloName(session, options)}`, options.timeoutMs));
    if (helo?.code === 250) {
      result.heloOnly = true;
      return { ok: true, greetingMs };
    }
    if (helo) fail(result, 'ehlo', 'rejected', 'the server refused both EHLO and HELO', helo);
    return { ok: false, greetingMs };
  }
  fail(result, 'ehlo', 'rejected', `the server refused EHLO with ${ehlo.code}`, ehlo);
  return { ok: false, greetingMs };
}

async function startTls(session: SmtpSession, options: SmtpProbeOptions, result: SmtpProbeResult) {
  const reply = await step(result, 'starttls', () => session.command('STARTTLS', options.timeoutMs));
  if (!reply) {
    result.outcome = 'tls-failed';
    return null;
  }
  result.starttlsReply = replyText(reply);
  if (reply.code !== 220) {
    // 454 "TLS not available due to temporary reason" (RFC 3207 §4), or a 5xx refusal.
    fail(result, 'starttls', 'rejected', `the server announced STARTTLS but answered ${reply.code}`, reply);
    result.outcome = 'tls-failed';
    return null;
  }
  try {
    const secured = await session.upgrade({ servername: options.mxName, timeoutMs: options.timeoutMs });
    result.injectedBeforeTls = session.injectedBeforeTls;
    return secured;
  } catch (err) {
    if (!(err instanceof DialError)) throw err;
    fail(result, 'tls', err.code, err.message);
    result.outcome = 'tls-failed';
    return null;
  }
}

/** Runs one exchange; on timeout, close or protocol error records the failure and returns null. */
async function step(result: SmtpProbeResult, name: SmtpStep, run: () => Promise<SmtpReply>): Promise<SmtpReply | null> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof SmtpError) {
      fail(result, name, err.kind, err.message);
      return null;
    }
    throw err;
  }
}

function fail(result: SmtpProbeResult, stepName: SmtpStep, kind: string, message: string, reply?: SmtpReply): void {
  result.failure = { step: stepName, kind, message, ...(reply ? { reply: replyText(reply) } : {}) };
}

function heloName(session: SmtpSession, options: SmtpProbeOptions): string {
  if (options.heloName) return options.heloName;
  const local = session.socket.localAddress ?? '127.0.0.1';
  const plain = local.replace(/^::ffff:(?=\d+\.)/, '');
  return isIP(plain) === 6 ? `[IPv6:${plain}]` : `[${plain}]`;
}

/**
 * The open-relay test: MAIL FROM an outside address, RCPT TO another outside domain. A 2xx to RCPT
 * means the server would relay for anyone; RSET and QUIT follow at once — DATA is never sent.
 */
async function relayTest(session: SmtpSession, addresses: { mailFrom: string; rcptTo: string }, timeoutMs: number, overTls: boolean): Promise<RelayResult> {
  const relay: RelayResult = { verdict: 'inconclusive', mailFrom: addresses.mailFrom, rcptTo: addresses.rcptTo, mailReply: null, rcptReply: null, overTls };
  try {
    const mail = await session.command(`MAIL FROM:<${addresses.mailFrom}>`, timeoutMs);
    relay.mailReply = replyText(mail);
    if (mail.code < 200 || mail.code >= 300) {
      relay.note = 'the server refused the test sender, so relaying could not be tested';
      return relay;
    }
    const rcpt = await session.command(`RCPT TO:<${addresses.rcptTo}>`, timeoutMs);
    relay.rcptReply = replyText(rcpt);
    if (rcpt.code >= 200 && rcpt.code < 300) relay.verdict = 'open';
    else if (rcpt.code >= 500) relay.verdict = 'closed';
    else relay.note = 'a temporary refusal (greylisting?) proves nothing either way';
    await session.command('RSET', timeoutMs).catch(() => null);
  } catch (err) {
    if (!(err instanceof SmtpError)) throw err;
    relay.note = `the test stopped: ${err.message}`;
  }
  return relay;
}

async function relayOnFreshSession(dialer: Dialer, target: DialTarget, options: SmtpProbeOptions): Promise<RelayResult> {
  const addresses = options.relayTest!;
  const scratch = emptyResult(target);
  let session: SmtpSession | null = null;
  try {
    session = await openSmtpSession(dialer, target, { timeoutMs: options.timeoutMs });
    const opened = await openDialog(session, options, scratch);
    if (!opened.ok) {
      return { verdict: 'inconclusive', ...addresses, mailReply: null, rcptReply: null, overTls: false, note: `a second connection for the test failed: ${scratch.failure?.message ?? 'unknown'}` };
    }
    return await relayTest(session, addresses, options.timeoutMs, false);
  } catch (err) {
    if (!(err instanceof DialError)) throw err;
    return { verdict: 'inconclusive', ...addresses, mailReply: null, rcptReply: null, overTls: false, note: `a second connection for the test failed: ${err.message}` };
  } finally {
    if (session) await leave(session, scratch.greeting !== null, options.timeoutMs);
  }
}

/**
 * QUIT politely once the server has greeted (RFC 5321 §4.1.1.10). Before a greeting, saying anything
 * marks us as a bot talking too early (postscreen, greet_pause), so the connection is just closed.
 */
async function leave(session: SmtpSession, greeted: boolean, timeoutMs: number): Promise<void> {
  if (greeted) await session.quit(Math.min(timeoutMs, QUIT_TIMEOUT_MS));
  else session.close();
}

function emptyResult(target: DialTarget): SmtpProbeResult {
  return {
    address: target.host, port: target.port, outcome: 'could-not-test', failure: null,
    timings: { connectMs: null, greetingMs: null, tlsMs: null, totalMs: 0 }, greeting: null, ehlo: null,
    heloOnly: false, starttlsReply: null, tls: null, injectedBeforeTls: 0, ehloAfterTls: null, relay: null, transcript: [],
  };
}
