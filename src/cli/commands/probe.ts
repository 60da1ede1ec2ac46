/**
 * `mailsleuth probe DOMAIN`: connect to the domain's mail servers and web site the way a sender and
 * a browser would — SMTP on each MX (greeting, EHLO, STARTTLS, certificate, DANE, MTA-STS weight,
 * optionally the open-relay test) and HTTP/HTTPS on the domain and www. Readable per MX and per
 * web host, or `--json` as `{ smtp, web }`.
 * Exit 0 healthy, 1 problems found (a warning or worse), 3 could not test, 2 bad usage.
 */
import type { Command } from 'commander';
import { EXIT } from '../errors.ts';
import { contextFromFlags, withNetworkOptions, type NetworkFlags } from '../context.ts';
import { InputError } from '../../errors.ts';
import { normalizeDomain } from '../../net/names.ts';
import { run as runSmtp, type SmtpData, type SmtpHostResult, type SmtpAddressResult } from '../../checks/smtp/index.ts';
import { run as runWeb, type WebData, type WebHostResult } from '../../checks/web/index.ts';
import { run as runMtaSts } from '../../checks/mta-sts/index.ts';
import type { CheckResult, Context, Finding } from '../../checks/types.ts';
import { severityRank } from '../../checks/types.ts';
import type { TlsPeer } from '../../net/tls/peer.ts';
import { namesOf } from '../../net/tls/peer.ts';
import { pc, MARK, paint } from '../../report/marks.ts';

interface ProbeFlags extends NetworkFlags {
  json?: boolean;
  relayTest?: boolean;
  helo?: string;
  greetingTimeout?: string;
}

export interface ProbeReport {
  smtp: CheckResult<SmtpData>;
  web: CheckResult<WebData>;
}

export async function probeDomain(ctx: Context, domain: string, options: { relayTest?: boolean; heloName?: string; greetingTimeoutMs?: number } = {}): Promise<ProbeReport> {
  // The MTA-STS policy decides how much a bad MX certificate matters; fetch it while the probes run.
  const policy = runMtaSts(ctx, domain).then((r) => r.data.policy, () => null);
  const [smtp, web] = await Promise.all([
    runSmtp(ctx, domain, {
      mtaSts: policy,
      ...(options.relayTest ? { relayTest: true } : {}),
      ...(options.heloName ? { heloName: options.heloName } : {}),
      ...(options.greetingTimeoutMs ? { greetingTimeoutMs: options.greetingTimeoutMs } : {}),
    }),
    runWeb(ctx, domain),
  ]);
  return { smtp, web };
}

export function exitCodeOf(report: ProbeReport): number {
  const checks = [report.smtp, report.web];
  if (checks.some((c) => c.findings.some((f) => severityRank(f.severity) >= severityRank('warn')))) return EXIT.problems;
  if (checks.some((c) => c.status === 'unknown')) return EXIT.incomplete;
  return EXIT.healthy;
}

const OUTCOME: Record<SmtpAddressResult['outcome'], string> = {
  ok: pc.green('STARTTLS ok'), 'no-starttls': pc.yellow('no STARTTLS'), 'tls-failed': pc.red('TLS failed'), 'could-not-test': pc.magenta('could not test'),
};

function ms(value: number | null): string {
  return value === null ? '–' : `${value} ms`;
}

function certificateLines(tls: TlsPeer, indent: string): string[] {
  const leaf = tls.chain[0];
  if (!leaf) return [`${indent}certificate: none sent`];
  const trust = tls.selfSigned ? pc.red('self-signed') : tls.trusted === false ? pc.red(`untrusted (${tls.authorizationError})`) : tls.trusted === null ? pc.yellow('trust unknown') : pc.green('trusted');
  const name = tls.nameMatch ? pc.green(`matches ${tls.expectedName}`) : pc.red(`does not match ${tls.expectedName}`);
  const days = tls.daysLeft === null ? '' : tls.daysLeft < 0 ? pc.red(`expired ${-tls.daysLeft} days ago`) : `${tls.daysLeft} days left`;
  return [
    `${indent}TLS: ${tls.protocol ?? '?'} ${tls.cipher ?? ''}`.trimEnd(),
    `${indent}certificate: ${namesOf(leaf)} — issuer ${leaf.issuer}, valid ${leaf.validFrom.slice(0, 10)} to ${leaf.validTo.slice(0, 10)} (${days})`,
    `${indent}             ${trust}, ${name}`,
  ];
}

function smtpProbeLines(host: SmtpHostResult, p: SmtpAddressResult): string[] {
  const i = '      ';
  const lines = [`    ${pc.bold(p.address)}  ${OUTCOME[p.outcome]}  ${pc.dim(`connect ${ms(p.timings.connectMs)}, greeting ${ms(p.timings.greetingMs)}, TLS ${ms(p.timings.tlsMs)}, total ${ms(p.timings.totalMs)}`)}`];
  if (p.failure) lines.push(`${i}${pc.dim(`${p.failure.step}: ${p.failure.message}${p.failure.reply ? ` — "${p.failure.reply}"` : ''}`)}`);
  if (p.greeting) lines.push(`${i}greeting: ${p.greeting.code} ${p.greeting.text.split('\n')[0]}`);
  const ehloLine = (label: string, e: NonNullable<SmtpAddressResult['ehlo']>) => `${i}${label}: ${e.capabilities.keywords.join(' ') || '(no extensions)'}${e.capabilities.auth.length ? ` — AUTH ${e.capabilities.auth.join(' ')}` : ''}${e.capabilities.size ? ` — SIZE ${Math.round(e.capabilities.size / 1048576)} MB` : ''}`;
  if (p.ehlo) lines.push(ehloLine('EHLO', p.ehlo));
  if (p.ehloAfterTls) lines.push(ehloLine('EHLO over TLS', p.ehloAfterTls));
  if (p.heloOnly) lines.push(`${i}EHLO refused: plain SMTP (HELO) only`);
  if (p.tls) lines.push(...certificateLines(p.tls, i));
  if (p.ptr) lines.push(`${i}PTR: ${p.ptr.names.join(', ') || `none (${p.ptr.outcome})`}${p.bannerPtr ? pc.dim(` — greeting name ${p.bannerPtr}`) : ''}`);
  if (p.dane) lines.push(`${i}DANE: ${p.dane.matched ? pc.green(`matches ${p.dane.record}`) : pc.red(`no match — ${p.dane.reason}`)}`);
  if (p.relay) lines.push(`${i}relay test: ${p.relay.verdict === 'open' ? pc.red(pc.bold('OPEN RELAY')) : p.relay.verdict}${p.relay.rcptReply ? pc.dim(` — RCPT: "${p.relay.rcptReply}"`) : p.relay.note ? pc.dim(` — ${p.relay.note}`) : ''}`);
  return lines;
}

function smtpHostLines(host: SmtpHostResult): string[] {
  const dane = host.dane.state === 'none' ? '' : `, DANE ${host.dane.state}`;
  const sts = host.mtaSts ? `, MTA-STS ${host.mtaSts.mode}${host.mtaSts.covered ? '' : ' (not listed)'}` : '';
  const lines = [`  ${pc.bold(host.name)} ${pc.dim(`(preference ${host.preference}${host.implicit ? ', implicit MX' : ''}${dane}${sts}) → ${host.addresses.join(', ') || 'no address'}`)}`];
  for (const probe of host.probes) lines.push(...smtpProbeLines(host, probe));
  for (const n of host.notProbed) lines.push(pc.dim(`    ${n.address}: not probed — ${n.reason}`));
  return lines;
}

function webHostLines(host: WebHostResult): string[] {
  const lines = [`  ${pc.bold(host.name)} ${pc.dim(`→ ${host.addresses.join(', ') || host.status}`)}`];
  if (host.status !== 'ok') return lines;
  const i = '      ';
  const s = host.https!;
  const httpsState = s.failure && !s.tls ? pc.red(`${s.failure.step}: ${s.failure.message}`) : s.head ? `${s.head.status} ${s.head.reason}` : pc.yellow(s.failure?.message ?? 'no answer');
  lines.push(`    HTTPS ${host.probed}:443  ${httpsState}`);
  if (s.tls) lines.push(...certificateLines(s.tls, i));
  if (s.head) lines.push(`${i}HSTS: ${s.hsts ? s.hsts.value : pc.dim('none')}`);
  const h = host.http!;
  const hops = h.redirects.map((r) => `${r.status}${r.location ? ` → ${r.location}` : ''}`).join(', ');
  lines.push(`    HTTP  ${host.probed}:80   ${h.failure ? pc.dim(`${h.failure.step}: ${h.failure.message}`) : hops}${h.reachesHttps ? pc.green('  (reaches HTTPS)') : ''}`);
  return lines;
}

function findingLines(findings: readonly Finding[]): string[] {
  const out: string[] = [];
  const ordered = [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  for (const f of ordered) {
    out.push(`  ${MARK[f.severity]} ${paint(f.severity, f.title)}`);
    if (f.severity !== 'ok' && f.detail) out.push(pc.dim(`    ${f.detail}`));
    if (f.fix) {
      out.push(`    ${pc.bold('Fix:')} ${f.fix.text}`);
      for (const r of f.fix.dns ?? []) out.push(`      ${pc.cyan(`${r.name}. ${r.type} ${r.value}`)}`);
      for (const link of f.fix.links ?? []) out.push(`      ${pc.underline(link)}`);
    }
  }
  return out;
}

function section<D>(title: string, check: CheckResult<D>, body: string[]): string[] {
  const skipped = (check.data as { skipped?: string }).skipped;
  const head = `${MARK[check.status]} ${pc.bold(title)} ${paint(check.status, check.status)}${skipped ? pc.dim(` — ${skipped}`) : ''}`;
  return [head, ...body, ...(check.findings.length ? ['', ...findingLines(check.findings)] : []), ''];
}

/** The readable report: each MX address, then each web host, each followed by its findings. */
export function renderProbe(report: ProbeReport): string {
  const smtp = report.smtp.data;
  const smtpBody = [pc.dim(`  greeting wait up to ${smtp.greetingTimeoutMs} ms, other steps ${smtp.timeoutMs} ms${smtp.relayTest ? ', relay test on' : ''}`), ...smtp.hosts.flatMap(smtpHostLines)];
  return [
    ...section(`SMTP — ${smtp.domain}`, report.smtp, smtpBody),
    ...section(`Web — ${report.web.data.domain}`, report.web, report.web.data.hosts.flatMap(webHostLines)),
  ].join('\n');
}

function parseMs(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 50 || n > 600_000) throw new InputError(`invalid ${flag} "${text}": milliseconds between 50 and 600000`);
  return n;
}

export function register(program: Command): void {
  withNetworkOptions(program.command('probe')
    .description('connect to DOMAIN\'s mail servers (SMTP: greeting, EHLO, STARTTLS, certificate, DANE) and web site (HTTP, HTTPS certificate, redirect, HSTS)')
    .argument('<domain>', 'the domain to probe')
    .option('--relay-test', 'also test each MX for an open relay (MAIL FROM and RCPT TO outside addresses; never sends DATA)')
    .option('--helo <name>', 'name to send in EHLO (default: our address literal, e.g. [192.0.2.1])')
    .option('--greeting-timeout <ms>', 'how long to wait for an SMTP greeting (default: 6 × --timeout, at most 30000)')
    .option('--json', 'print { smtp, web } as JSON'))
    .action(async (domainArg: string, flags: ProbeFlags) => {
      const domain = normalizeDomain(domainArg);
      const greetingTimeoutMs = parseMs(flags.greetingTimeout, '--greeting-timeout');
      const { ctx, finish } = contextFromFlags(flags);
      const report = await probeDomain(ctx, domain, {
        ...(flags.relayTest ? { relayTest: true } : {}),
        ...(flags.helo ? { heloName: normalizeDomain(flags.helo, 'EHLO') } : {}),
        ...(greetingTimeoutMs ? { greetingTimeoutMs } : {}),
      });
      finish();
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderProbe(report)}\n`);
      process.exitCode = exitCodeOf(report);
    });
}
