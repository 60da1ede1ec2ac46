/**
 * `mailsleuth dmarc-report FILE...`: DMARC aggregate reports (XML, .gz, .zip, or the .eml that
 * carried them) joined into one table of sending sources — messages, aligned SPF and DKIM, DMARC,
 * and what each source is (aligned, forwarded, misconfigured, unauthorized). Offline unless
 * `--resolver` is given, which adds the reverse DNS of the biggest sources.
 * Exit 0 when every source is aligned or forwarded, 1 when some source is misconfigured or
 * unauthorized, 2 when an input cannot be read (one line each on stderr).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT } from '../errors.ts';
import { InputError } from '../../errors.ts';
import { contextFromFlags } from '../context.ts';
import { normalizeDomain } from '../../net/names.ts';
import { DEFAULT_SIZE_LIMITS, readAggregateReports, type AggregateSummary, type InputSummary, type PassFail, type SourceClass, type SourceRow } from '../../reports/dmarc/index.ts';
import { pc } from '../../report/marks.ts';

interface DmarcReportFlags {
  json?: boolean;
  domain?: string;
  resolver?: string[];
  timeout?: string;
  dnsReplay?: string;
  maxSize?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
/** Room for an IPv6 address and a few characters of its reverse name. */
const SOURCE_WIDTH = 46;

function readInputFile(file: string, maxBytes: number): Uint8Array {
  try {
    // The size is checked before reading, so a wrong multi-gigabyte file is refused, not loaded.
    const size = statSync(file).size;
    if (size > maxBytes) throw new InputError(`${file}: ${size} bytes, above the limit of ${maxBytes} bytes`);
    return readFileSync(file);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** "pass", "fail", or the share that passed when a source mixes both. */
function share(pf: PassFail): string {
  const total = pf.pass + pf.fail;
  if (!total) return '-';
  if (!pf.fail) return 'pass';
  if (!pf.pass) return 'fail';
  return `${Math.round((pf.pass / total) * 100)}% pass`;
}

function paintShare(text: string, width: number): string {
  const padded = cell(text, width);
  return text === 'pass' ? pc.green(padded) : text === 'fail' ? pc.red(padded) : pc.yellow(padded);
}

const CLASS_PAINT: Record<SourceClass, (s: string) => string> = {
  aligned: pc.green, forwarded: pc.cyan, misconfigured: pc.yellow, unauthorized: (s) => pc.red(pc.bold(s)),
};

/** ` (name)` from reverse DNS, cut from the left when long: the end of a name says whose host it is. */
function hostSuffix(s: SourceRow, room: number): string {
  const name = s.reverseDns?.name;
  if (!name) return '';
  const label = s.reverseDns?.fcrdns === false ? `${name}, unconfirmed` : name;
  const fit = room - 3;
  return ` (${label.length > fit ? `…${label.slice(label.length - fit + 1)}` : label})`;
}

function sourceLine(s: SourceRow): string {
  const mixed = Object.values(s.classes).filter((n) => n > 0).length > 1 ? '*' : '';
  return [
    cell(`${s.ip}${hostSuffix(s, SOURCE_WIDTH - s.ip.length)}`, SOURCE_WIDTH),
    String(s.messages).padStart(8),
    paintShare(share(s.spfAligned), 9),
    paintShare(share(s.dkimAligned), 9),
    paintShare(share(s.dmarc), 9),
    CLASS_PAINT[s.class](cell(s.class + mixed, 14)),
    s.reporters.map((r) => r.value).join(', '),
  ].join('  ');
}

function header(summary: AggregateSummary): string[] {
  const reporters = [...new Set(summary.reports.map((r) => r.reporter))];
  const period = summary.period ? `, ${summary.period.begin.slice(0, 10)} → ${summary.period.end.slice(0, 10)}` : '';
  const out = [pc.bold(`DMARC aggregate reports for ${summary.domains.join(', ') || summary.domain || '(no domain)'}: ${summary.reports.length} report(s) from ${reporters.join(', ')}${period}`)];
  // Reporters differ in which optional tags they echo (fo, np); the policy line groups what reads the same.
  const policies = new Map<string, Set<string>>();
  for (const p of summary.policies) {
    const tags = [`p=${p.p ?? '?'}`, `sp=${p.sp ?? p.p ?? '?'}`, p.np ? `np=${p.np}` : '', `adkim=${p.adkim}`, `aspf=${p.aspf}`, p.pct !== null && p.pct !== 100 ? `pct=${p.pct}` : '', p.testing ? 't=y' : ''].filter(Boolean);
    const key = `${p.domain}: ${tags.join(' ')}`;
    const seen = policies.get(key) ?? new Set<string>();
    for (const r of p.reporters) seen.add(r);
    policies.set(key, seen);
  }
  for (const [policy, seen] of policies) out.push(`Policy published for ${policy}${policies.size > 1 ? ` (seen by ${[...seen].join(', ')})` : ''}`);
  const t = summary.totals;
  const pct = t.messages ? ` (${((t.dmarc.pass / t.messages) * 100).toFixed(1)}%)` : '';
  out.push(`Messages: ${t.messages} — DMARC pass ${t.dmarc.pass}${pct}, fail ${t.dmarc.fail} (both aligned SPF and aligned DKIM failed)`);
  if (summary.duplicates.length) out.push(pc.dim(`${summary.duplicates.length} duplicate report(s) counted once: ${summary.duplicates.map((d) => d.source).join('; ')}`));
  return out;
}

function details(sources: SourceRow[]): string[] {
  const out: string[] = [];
  for (const s of sources.filter((x) => x.class !== 'aligned')) {
    out.push(`${CLASS_PAINT[s.class](s.class.toUpperCase())} ${pc.bold(s.ip)} — ${s.messages} message(s)${s.forwarder ? `, ${s.forwarder}` : ''}`);
    for (const e of s.evidence) out.push(`  - ${e}`);
    if (s.fix) out.push(`  Fix: ${s.fix}`);
  }
  return out;
}

/** The readable report: header, one line per source, then the why and the fix for each source that is not aligned. */
export function renderDmarcSummary(summary: AggregateSummary): string {
  const out = [...header(summary), ''];
  out.push(pc.dim(['SOURCE'.padEnd(SOURCE_WIDTH), 'MESSAGES', 'SPF ALGN '.padEnd(9), 'DKIM ALGN', 'DMARC'.padEnd(9), 'CLASS'.padEnd(14), 'REPORTERS'].join('  ')));
  for (const s of summary.sources) out.push(sourceLine(s));
  if (summary.sources.some((s) => Object.values(s.classes).filter((n) => n > 0).length > 1)) out.push(pc.dim('* the source mixes classes; the class shown covers most of its messages'));
  const why = details(summary.sources);
  if (why.length) out.push('', ...why);
  if (summary.tolerated.length) {
    out.push('', pc.bold('Reporter bugs read through:'));
    for (const q of summary.tolerated) out.push(pc.dim(`  - ${q.detail} — ${q.reports} report(s), e.g. ${q.examples[0]}`));
  }
  if (summary.problems.length) {
    out.push('', pc.bold('Left out:'));
    for (const p of summary.problems) out.push(pc.yellow(`  ! ${p}`));
  }
  return out.join('\n');
}

export function exitCodeOf(summary: AggregateSummary): number {
  if (summary.inputs.some((i) => i.error)) return EXIT.usage;
  return summary.sources.some((s) => s.class === 'unauthorized' || s.class === 'misconfigured') ? EXIT.problems : EXIT.healthy;
}

function parseMaxSize(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SIZE_LIMITS.maxUncompressedBytes;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`--max-size must be a positive number of bytes, not "${text}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command('dmarc-report')
    .description('read DMARC aggregate reports (XML, .gz, .zip or the .eml carrying them): who sends as the domain and whether it aligns')
    .argument('<files...>', 'aggregate report files')
    .option('--json', 'print the whole summary as one JSON object')
    .option('--domain <domain>', 'keep only reports about this domain (and its subdomains)')
    .option('--resolver <host:port>', 'DNS server for the reverse DNS of the sources (without it, no DNS query is made)', collect)
    .option('--timeout <ms>', 'time allowed for each DNS lookup', '5000')
    .option('--dns-replay <file>', 'answer the reverse DNS lookups from a recorded FILE, with no network')
    .option('--max-size <bytes>', `most bytes one input may decompress to (default ${DEFAULT_SIZE_LIMITS.maxUncompressedBytes}); above it the input is refused as a possible zip bomb`)
    .action(async (files: string[], flags: DmarcReportFlags) => {
      const domain = flags.domain ? normalizeDomain(flags.domain) : null;
      const maxUncompressedBytes = parseMaxSize(flags.maxSize);
      const limits = { maxUncompressedBytes, maxInputBytes: Math.max(DEFAULT_SIZE_LIMITS.maxInputBytes, Math.min(maxUncompressedBytes, 2 ** 31 - 1)) };
      const inputs: { name: string; bytes: Uint8Array }[] = [];
      const unreadable: InputSummary[] = [];
      for (const file of files) {
        try {
          inputs.push({ name: file, bytes: readInputFile(file, limits.maxInputBytes) });
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          unreadable.push({ name: file, kind: null, reports: 0, error: err.message });
        }
      }
      // DNS only when asked: reports are offline evidence.
      const run = flags.resolver?.length || flags.dnsReplay ? contextFromFlags({ resolver: flags.resolver, timeout: flags.timeout, dnsReplay: flags.dnsReplay }) : null;
      const summary = await readAggregateReports(inputs, { domain, limits, ...(run ? { ctx: run.ctx } : {}) });
      run?.finish();
      summary.inputs.unshift(...unreadable);
      for (const input of summary.inputs) if (input.error) process.stderr.write(`mailsleuth: ${input.error}\n`);
      if (domain && !summary.reports.length && !summary.inputs.some((i) => i.error)) {
        throw new InputError(`no aggregate report about ${domain} in ${files.length === 1 ? files[0] : 'these files'}${summary.problems.length ? ` (${summary.problems[0]})` : ''}`);
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else if (summary.reports.length) process.stdout.write(`${renderDmarcSummary(summary)}\n`);
      process.exitCode = exitCodeOf(summary);
    });
}
