/**
 * SMTP check: connect to each MX as a sending server would, and report what a sender meets there —
 * greeting, extensions, STARTTLS, the certificate, DANE and MTA-STS consequences, optionally an
 * open-relay test. Four outcomes per address are kept apart, because they mean different things:
 * could not test (our network or a tarpit), no STARTTLS, TLS failed, and ok.
 *
 * Patience: a server may delay its greeting on purpose (postscreen, greet_pause), and a probe that
 * gives up early reports false failures (CORRECTNESS.md item 6). The greeting gets its own timeout:
 * six times the run's per-operation timeout, capped at 30 s (RFC 5321 §4.5.3.2.1 lets senders wait
 * 5 minutes; 30 s covers every greet-delay setting seen in practice). Every other step gets the
 * run's timeout.
 */
import type { CheckResult, Context, Finding } from '../types.ts';
import { checkStatus } from '../status.ts';
import { startMx, type MxData, type MxKind } from '../mx/index.ts';
import { probeHost, type MxHostInput, type ProbeSettings, type SmtpHostResult } from './host.ts';
import { smtpFindings } from './findings.ts';
import { mtaStsCovers, type StsPolicy } from '../mta-sts/index.ts';

export type MtaStsPolicy = Pick<StsPolicy, 'mode' | 'mx'>;

export type { SmtpHostResult, SmtpAddressResult, ProbeSettings, BannerPtr } from './host.ts';
export type { DaneLookup, DaneMatch, DaneState } from './dane.ts';
export { smtpFindings } from './findings.ts';

/** MX hosts probed per domain, in preference order. */
export const MAX_HOSTS = 10;
export const MAX_GREETING_WAIT_MS = 30_000;
export const GREETING_FACTOR = 6;

/** Reserved example domains (RFC 2606): a relay that accepts them would relay anything, and nothing can be delivered there. */
const RELAY_FROM = 'mailsleuth-relay-test@example.net';
const RELAY_TO = 'mailsleuth-relay-test@example.org';

export interface SmtpCheckInput {
  /** The MX check's data, so the MX RRset and addresses are not looked up twice. */
  mx?: MxData;
  /** The open-relay test (off by default): MAIL FROM and RCPT TO outside addresses, never DATA. */
  relayTest?: boolean;
  /** Override the relay test's addresses (they must be outside the tested domain). */
  relayAddresses?: { mailFrom: string; rcptTo: string };
  heloName?: string;
  greetingTimeoutMs?: number;
  port?: number;
  /**
   * The domain's MTA-STS policy as the MTA-STS check fetched it (`data.policy`), or a promise of it so
   * the probes need not wait for the policy fetch. Null or absent: no policy is in force.
   */
  mtaSts?: MtaStsPolicy | null | Promise<MtaStsPolicy | null>;
}

export interface SmtpData {
  domain: string;
  mxKind: MxKind | null;
  /** Why nothing was probed (no-probe, null MX, MX lookup failed…). */
  skipped?: string;
  greetingTimeoutMs: number;
  timeoutMs: number;
  relayTest: boolean;
  hosts: SmtpHostResult[];
}

export function greetingTimeout(ctx: Context, input: SmtpCheckInput = {}): number {
  return input.greetingTimeoutMs ?? Math.min(MAX_GREETING_WAIT_MS, ctx.options.timeoutMs * GREETING_FACTOR);
}

export async function run(ctx: Context, domain: string, input: SmtpCheckInput = {}): Promise<CheckResult<SmtpData>> {
  const data: SmtpData = { domain, mxKind: null, greetingTimeoutMs: greetingTimeout(ctx, input), timeoutMs: ctx.options.timeoutMs, relayTest: input.relayTest === true, hosts: [] };
  if (ctx.options.noProbe) return { id: 'smtp', status: 'skipped', findings: [], data: { ...data, skipped: 'probes are off (--no-probe)' } };
  const mx = input.mx ?? (await startMx(ctx, domain).result).data;
  data.mxKind = mx.kind;
  const early = mxGate(mx);
  if (early) return { id: 'smtp', status: checkStatus(early.findings, early.incomplete), findings: early.findings, data: { ...data, skipped: early.reason } };
  const settings: ProbeSettings = {
    port: input.port ?? 25,
    timeoutMs: ctx.options.timeoutMs,
    greetingTimeoutMs: data.greetingTimeoutMs,
    relayTest: input.relayTest ? input.relayAddresses ?? relayAddresses(domain) : null,
    ...(input.heloName ? { heloName: input.heloName } : {}),
  };
  const targets: MxHostInput[] = mx.hosts.slice(0, MAX_HOSTS).map((h) => ({ name: h.exchange, preference: h.preference, implicit: h.implicit, addresses: h.addresses.map((a) => a.ip) }));
  const [hosts, policy] = await Promise.all([Promise.all(targets.map((host) => probeHost(ctx, host, settings))), input.mtaSts ?? null]);
  data.hosts = hosts.map((host) => ({ ...host, mtaSts: mtaStsFor(policy, host.name) }));
  const findings = smtpFindings(data.hosts);
  const tested = data.hosts.some((h) => h.probes.some((p) => p.outcome !== 'could-not-test'));
  return { id: 'smtp', status: checkStatus(findings, !tested), findings, data };
}

/** Stops before probing when the MX data leaves nothing to connect to. */
function mxGate(mx: MxData): { findings: Finding[]; incomplete: boolean; reason: string } | null {
  const dns = [mx.dns];
  if (mx.kind === 'failed') {
    return { incomplete: true, reason: 'the MX lookup failed', findings: [{ id: 'smtp.could-not-test', severity: 'info', title: `Could not test ${mx.domain}'s mail servers: the MX lookup failed`, detail: 'Without the MX records there is nothing to connect to; the MX check has the details.', dns }] };
  }
  if (mx.kind === 'domain-not-found') {
    return { incomplete: true, reason: 'the domain does not exist', findings: [{ id: 'smtp.could-not-test', severity: 'info', title: `Could not test ${mx.domain}: the domain does not exist`, detail: 'The MX lookup answered NXDOMAIN.', dns }] };
  }
  if (mx.kind === 'null') {
    return { incomplete: false, reason: 'null MX: the domain accepts no mail', findings: [{ id: 'smtp.null-mx', severity: 'info', title: `${mx.domain} accepts no mail (null MX): nothing to probe`, detail: 'A null MX (RFC 7505) says no server receives mail for the domain.', dns }] };
  }
  if (!mx.hosts.length) {
    return { incomplete: true, reason: 'no MX host', findings: [{ id: 'smtp.could-not-test', severity: 'info', title: `Could not test ${mx.domain}: no MX host to connect to`, detail: 'The MX check has the details.', dns }] };
  }
  return null;
}

/** RFC 8461 §5: a policy only binds senders in `enforce` or `testing` mode; a policy without a valid mode counts as none. */
function mtaStsFor(policy: MtaStsPolicy | null, mxHost: string): SmtpHostResult['mtaSts'] {
  if (!policy?.mode) return null;
  return { mode: policy.mode, covered: mtaStsCovers(policy, mxHost) };
}

/** The relay test's outside addresses, never in the tested domain (it might legitimately accept them). */
export function relayAddresses(domain: string): { mailFrom: string; rcptTo: string } {
  const inside = (d: string) => domain === d || domain.endsWith(`.${d}`);
  const from = inside('example.net') ? 'mailsleuth-relay-test@example.com' : RELAY_FROM;
  const to = inside('example.org') ? 'mailsleuth-relay-test@example.com' : RELAY_TO;
  return { mailFrom: from, rcptTo: to };
}
