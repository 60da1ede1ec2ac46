/**
 * `mailsleuth blocklist IP|DOMAIN...`: every target against the blocklist catalog, read honestly —
 * a refused or rewritten answer is shown as an error about the resolver, never as a result.
 * Exit 1 when something is listed, 3 when every lookup failed, 0 otherwise, 2 on bad input.
 */
import type { Command } from 'commander';
import { EXIT } from '../errors.ts';
import { contextFromFlags, withNetworkOptions, type NetworkFlags } from '../context.ts';
import { checkBlocklists, keysFromEnv, parseTarget, validateKeys, type BlocklistReport, type BlocklistResult } from '../../checks/blocklists/index.ts';
import { pc } from '../../report/marks.ts';

interface BlocklistFlags extends NetworkFlags {
  json?: boolean;
  list?: string[];
}

/** Listings that count as a problem: an allowlist hit or a reputation "good" code does not. */
function isProblem(r: BlocklistResult): boolean {
  return r.status === 'listed' && r.severity !== 'good';
}

export function exitCodeOf(report: BlocklistReport): number {
  if (report.results.some(isProblem)) return EXIT.problems;
  if (!report.results.length || report.results.every((r) => r.status === 'error' || r.reliable === false)) return EXIT.incomplete;
  return EXIT.healthy;
}

const ERROR_LABEL: Record<string, string> = {
  'public-resolver': 'refused: public resolver',
  'excessive-volume': 'refused: query volume',
  'query-blocked': 'refused: resolver blocked',
  'resolver-not-registered': 'refused: resolver not registered',
  'rewritten-nxdomain': 'bogus answer: resolver rewrites NXDOMAIN',
  'key-rejected': 'key rejected',
  'zone-typo': 'zone name error',
  'ip-on-domain-list': 'query error',
  'query-error': 'list error code',
  unrecognised: 'undocumented answer',
  refused: 'REFUSED',
  servfail: 'SERVFAIL',
  timeout: 'timeout',
  network: 'lookup failed',
};

function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function resultCell(r: BlocklistResult): string {
  if (r.status === 'not-listed') return r.reliable === false ? pc.yellow(cell('not listed?', 12)) : pc.green(cell('not listed', 12));
  if (r.status === 'error') return pc.yellow(cell('UNKNOWN', 12));
  if (r.severity === 'good') return pc.green(cell('allowlisted', 12));
  return r.abuse ? pc.red(pc.bold(cell('LISTED', 12))) : pc.yellow(cell('LISTED', 12));
}

function meaningCell(r: BlocklistResult): string {
  if (r.status === 'not-listed') return r.reliable === false ? 'unreliable: public resolver refused by this list' : r.note ? 'NODATA (treated as not listed)' : '';
  const codes = r.codes.length ? `${r.codes.join(', ')} · ` : '';
  if (r.status === 'error') return `${codes}${ERROR_LABEL[r.error?.kind ?? 'network'] ?? 'error'}`;
  const nature = r.abuse ? '' : r.severity === 'policy' ? 'policy, not abuse: ' : r.severity === 'collateral' ? 'collateral: ' : '';
  return `${codes}${nature}${r.meaning ?? ''}`;
}

/** Why lookups failed, grouped so one refused resolver reads as one problem, not twenty. */
function renderFailures(report: BlocklistReport): string[] {
  const groups = new Map<string, { lists: Set<string>; codes: Set<string>; reason: string; fix: string }>();
  for (const r of report.results) {
    if (!r.error) continue;
    const key = `${r.error.reason}|${r.error.fix}`;
    const group = groups.get(key) ?? { lists: new Set<string>(), codes: new Set<string>(), reason: r.error.reason, fix: r.error.fix };
    group.lists.add(r.listName);
    for (const c of r.codes) group.codes.add(c);
    groups.set(key, group);
  }
  if (!groups.size) return [];
  const out = [pc.bold('Unknown results — these lists did not give a usable answer (not the same as "not listed"):')];
  for (const g of groups.values()) {
    const codes = g.codes.size ? ` (answer ${[...g.codes].join(', ')})` : '';
    out.push(`  • ${[...g.lists].join(', ')}${codes}: ${g.reason}`, `    Fix: ${g.fix}`);
  }
  return [...out, ''];
}

/** The readable report: one table per target (list, result, meaning, delist link), then why lookups failed. */
export function renderTable(report: BlocklistReport): string {
  const out: string[] = [];
  const width = Math.max(20, ...report.results.map((r) => r.listName.length > 34 ? 34 : r.listName.length));
  const targets = [...new Set(report.results.map((r) => r.target))];
  for (const target of targets) {
    const rows = report.results.filter((r) => r.target === target);
    const listed = rows.filter((r) => r.status === 'listed').length;
    const errors = rows.filter((r) => r.status === 'error').length;
    out.push(pc.bold(`${target}  — ${listed} listed, ${errors} unknown, ${rows.length - listed - errors} not listed`));
    out.push(pc.dim(`  ${cell('LIST', width)}  ${cell('RESULT', 12)}  ${cell('MEANING', 60)}  DELIST`));
    for (const r of rows) {
      const link = r.status === 'listed' ? (r.url ?? '') : '';
      const line = `  ${cell(r.listName, width)}  ${resultCell(r)}  ${cell(meaningCell(r), 60)}  ${link}`.trimEnd();
      out.push(r.status === 'not-listed' ? pc.dim(line) : line);
      if (r.status === 'listed' && r.txt) out.push(pc.dim(`  ${' '.repeat(width)}  ${' '.repeat(12)}  "${r.txt}"`));
    }
    out.push('');
  }
  out.push(...renderFailures(report));
  for (const w of report.warnings ?? []) out.push(pc.yellow(`Warning: ${w}`), '');
  // Lists without a public zone are catalog facts, not news; dead lists and missing keys are worth a line.
  const skipped = report.skipped.filter((s) => s.reason !== 'no-public-zone');
  if (skipped.length) {
    out.push(pc.bold('Not queried:'));
    for (const s of skipped) out.push(pc.dim(`  ${s.name}: ${s.detail}`));
    out.push('');
  }
  out.push(`Checked ${targets.length} target(s) on ${report.lists.length} lists through ${report.resolver.join(', ')} in ${report.durationMs} ms.`);
  return out.join('\n');
}

export function register(program: Command): void {
  withNetworkOptions(program.command('blocklist')
    .description('check IP addresses and domains against DNS blocklists (DNSBL/RHSBL), with error answers told apart from listings')
    .argument('<targets...>', 'IP addresses (IPv4/IPv6) and domains')
    .option('--json', 'print { results: [...] } as JSON')
    .option('--dqs-key <key>', 'Spamhaus Data Query Service key (or SPAMHAUS_DQS_KEY)')
    .option('--abusix-key <key>', 'Abusix Mail Intelligence key (or ABUSIX_KEY)')
    .option('--list <id>', 'query only this list (id or zone from data/dnsbl.json); repeatable', (v: string, p: string[] = []) => [...p, v]))
    .action(async (targetArgs: string[], flags: BlocklistFlags) => {
      // Bad input fails before any query is sent.
      const targets = targetArgs.map((t) => parseTarget(t));
      const { ctx, finish } = contextFromFlags(flags);
      const keys = validateKeys({ ...keysFromEnv(), ...ctx.options.keys });
      const report = await checkBlocklists(ctx, targets, { keys, ...(flags.list ? { lists: flags.list } : {}) });
      finish();
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTable(report)}\n`);
      process.exitCode = exitCodeOf(report);
    });
}
