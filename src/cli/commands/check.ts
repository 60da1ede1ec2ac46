/**
 * `mailsleuth check DOMAIN`: every DNS check of a domain at once (MX, SPF, DKIM, DMARC, DNSSEC,
 * DANE, reverse DNS, blocklists, providers…), as a report grouped by check or as JSON.
 * Exit 0 healthy, 1 problems found, 3 when DNS gave nothing at all, 2 for a bad domain.
 */
import type { Command } from 'commander';
import { EXIT } from '../errors.ts';
import { contextFromFlags, withNetworkOptions, type NetworkFlags } from '../context.ts';
import { normalizeDomain } from '../../net/names.ts';
import { checkDomain, type DomainReport } from '../../checks/index.ts';
import type { CheckResult, CheckStatus, Finding, Severity } from '../../checks/types.ts';
import { severityRank } from '../../checks/types.ts';
import { pc, MARK, paint } from '../../report/marks.ts';

interface CheckFlags extends NetworkFlags {
  json?: boolean;
}

const NAMES: Record<string, string> = {
  mx: 'MX', spf: 'SPF', dkim: 'DKIM', dmarc: 'DMARC', bimi: 'BIMI', 'mta-sts': 'MTA-STS', 'tls-rpt': 'TLS-RPT', dnssec: 'DNSSEC',
  dane: 'DANE', ptr: 'Reverse DNS', blocklists: 'Blocklists', providers: 'Providers', smtp: 'SMTP', web: 'Web',
};

const STATUS_WORD: Record<CheckStatus, string> = { ok: 'ok', info: 'ok', warn: 'warning', error: 'error', critical: 'critical', unknown: 'unknown', skipped: 'skipped' };

export function exitCodeOf(report: DomainReport): number {
  if (report.verdict === 'healthy') return EXIT.healthy;
  if (report.verdict === 'incomplete') return EXIT.incomplete;
  return EXIT.problems;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line that says how the domain stands. */
export function headline(report: DomainReport): string {
  const checks = Object.entries(report.checks);
  if (report.verdict === 'incomplete') return `${report.domain}: could not complete — no DNS answer at all from ${report.dns.servers.join(', ')}`;
  const count = (s: Severity) => report.findings.filter((f) => f.severity === s).length;
  const unknown = checks.filter(([, c]) => c.status === 'unknown').map(([id]) => NAMES[id] ?? id);
  if (report.verdict === 'healthy') {
    const passed = checks.filter(([, c]) => c.status === 'ok' || c.status === 'info').length;
    return `${report.domain} looks healthy: ${plural(passed, 'check')} passed${unknown.length ? `; ${unknown.join(', ')} could not be tested` : ''}`;
  }
  const bad = checks.filter(([, c]) => c.findings.some((f) => severityRank(f.severity) >= severityRank('warn'))).map(([id]) => NAMES[id] ?? id);
  const parts = [
    count('critical') && plural(count('critical'), 'critical problem'),
    count('error') && plural(count('error'), 'error'),
    count('warn') && plural(count('warn'), 'warning'),
  ].filter(Boolean);
  const problems = parts.length ? `${parts.join(', ')} (${bad.join(', ')})` : '';
  const incomplete = unknown.length ? `${plural(unknown.length, 'check')} could not complete (${unknown.join(', ')})` : '';
  return `${report.domain} has problems: ${[problems, incomplete].filter(Boolean).join('; ')}`;
}

function renderFinding(f: Finding): string[] {
  const lines = [`    ${MARK[f.severity]} ${paint(f.severity, f.title)}`];
  if (f.severity !== 'ok' && f.detail) lines.push(pc.dim(`      ${f.detail}`));
  if (f.fix) {
    lines.push(`      ${pc.bold('Fix:')} ${f.fix.text}`);
    for (const r of f.fix.dns ?? []) lines.push(`        ${pc.cyan(`${r.name}. ${r.type} ${r.type === 'TXT' ? JSON.stringify(r.value) : r.value}`)}`);
    for (const link of f.fix.links ?? []) lines.push(`        ${pc.underline(link)}`);
  }
  return lines;
}

function renderCheck(id: string, check: CheckResult): string[] {
  const name = NAMES[id] ?? id;
  const word = STATUS_WORD[check.status];
  const lines = [`  ${MARK[check.status]} ${pc.bold(name.padEnd(12))} ${paint(check.status, word)}`];
  if (check.status === 'skipped') {
    const why = (check.data as { skipped?: unknown }).skipped;
    if (typeof why === 'string') lines[0] += pc.dim(` — ${why}`);
  }
  const ordered = [...check.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  for (const f of ordered) lines.push(...renderFinding(f));
  return lines;
}

/** The readable report: headline, then each check with its findings and fixes. */
export function renderReport(report: DomainReport): string {
  const verdictMark = report.verdict === 'healthy' ? MARK.ok : report.verdict === 'incomplete' ? MARK.unknown : MARK.error;
  const out = [
    `${verdictMark} ${pc.bold(headline(report))}`,
    pc.dim(`  ${report.durationMs} ms, ${report.dns.queriesSent} DNS queries (${report.dns.cacheHits + report.dns.inflightJoins} answered from the run's cache), resolver ${report.dns.servers.join(', ')}`),
    '',
  ];
  for (const [id, check] of Object.entries(report.checks)) out.push(...renderCheck(id, check), '');
  return out.join('\n');
}

/** The `--json` document. */
export function reportJson(report: DomainReport): object {
  return { schema: 'mailsleuth/check@1', domain: report.domain, generatedAt: report.startedAt, durationMs: report.durationMs, verdict: report.verdict, headline: headline(report), findings: report.findings, checks: report.checks, dns: report.dns };
}

export function register(program: Command): void {
  withNetworkOptions(program.command('check')
    .description('check every DNS fact that decides whether mail from and to DOMAIN gets through (MX, SPF, DKIM, DMARC, DNSSEC, DANE, reverse DNS, blocklists, providers)')
    .argument('<domain>', 'the domain to check')
    .option('--selector <selector>', 'a DKIM selector the domain uses (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--no-probe', 'skip every TCP connection (DNS only)')
    .option('--dqs-key <key>', 'Spamhaus Data Query Service key (or SPAMHAUS_DQS_KEY)')
    .option('--abusix-key <key>', 'Abusix Mail Intelligence key (or ABUSIX_KEY)')
    .option('--json', 'print the findings and per-check data as JSON'))
    .action(async (domainArg: string, flags: CheckFlags) => {
      const domain = normalizeDomain(domainArg);
      const { ctx, finish } = contextFromFlags(flags);
      const report = await checkDomain(ctx, domain);
      finish();
      process.stdout.write(flags.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : `${renderReport(report)}\n`);
      process.exitCode = exitCodeOf(report);
    });
}
