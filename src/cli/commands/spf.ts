/**
 * `mailsleuth spf`: two questions about SPF.
 * - `mailsleuth spf --ip IP --sender MAILFROM [--helo NAME]`: what a receiver answers for this
 *   client (RFC 7208 check_host(): MAIL FROM, or postmaster@HELO when MAIL FROM is empty, §2.3–2.4),
 *   with the trace of every term and lookup. `--json` prints `{ result, explanation?, trace,
 *   lookups, voidLookups }`. Exit 0 for pass, 1 for any other answer, 3 for temperror.
 * - `mailsleuth spf DOMAIN`: the record, its include tree with per-branch lookup counts, lint
 *   findings and the flattened networks. Exit 0 healthy, 1 problems, 3 when the lookup failed.
 * Bad input exits 2 with one line.
 */
import type { Command } from 'commander';
import { EXIT } from '../errors.ts';
import { InputError } from '../../errors.ts';
import { contextFromFlags, withNetworkOptions, type NetworkFlags } from '../context.ts';
import { normalizeDomain, normalizeIp } from '../../net/names.ts';
import { checkHost, run, spfIdentity, type CheckHostResult, type SpfData, type SpfNode, type SpfRecordTrace } from '../../checks/spf/index.ts';
import type { CheckResult, Finding } from '../../checks/types.ts';
import { QUALIFIER_RESULT } from '../../checks/spf/types.ts';
import { severityRank } from '../../checks/types.ts';
import { pc, MARK } from '../../report/marks.ts';

interface SpfFlags extends NetworkFlags {
  ip?: string;
  sender?: string;
  helo?: string;
  json?: boolean;
}

const RESULT_COLOR: Record<string, (s: string) => string> = {
  pass: pc.green, fail: pc.red, softfail: pc.yellow, neutral: pc.dim, none: pc.dim, permerror: pc.red, temperror: pc.magenta,
};

export function register(program: Command): void {
  const command = program
    .command('spf')
    .description('evaluate SPF for a client address (--ip, --sender), or review a domain\'s SPF record')
    .argument('[domain]', 'the domain whose SPF record to review (or to evaluate with --ip)')
    .option('--ip <address>', 'client IP address to evaluate, as a receiver would')
    .option('--sender <mailfrom>', 'MAIL FROM address (an empty value checks postmaster@HELO)')
    .option('--helo <name>', 'HELO/EHLO name of the client')
    .option('--json', 'print JSON');
  withNetworkOptions(command).action(async (domain: string | undefined, flags: SpfFlags) => {
    process.exitCode = flags.ip !== undefined ? await evaluateCommand(domain, flags) : await reviewCommand(domain, flags);
  });
}

/** Validates the identity to check before any lookup, so a typo is one line and exit 2. */
function evaluationInput(domain: string | undefined, flags: SpfFlags): { ip: string; sender: string; helo: string; domain?: string } {
  const ip = normalizeIp(flags.ip ?? '');
  const sender = (flags.sender ?? '').trim();
  const helo = (flags.helo ?? '').trim();
  if (!domain && flags.sender === undefined) throw new InputError('--ip needs --sender MAILFROM (or a DOMAIN argument)');
  if (!domain && !sender && !helo) throw new InputError('an empty --sender checks postmaster@HELO: give --helo NAME');
  const identity = spfIdentity({ sender, helo });
  const what = sender ? 'sender' : 'HELO';
  // RFC 7208 §4.3 would answer "none" for a malformed name; a user typing one wants to know why.
  if (!domain) normalizeDomain(identity.domain, `${what} domain`);
  return { ip, sender, helo, ...(domain ? { domain: normalizeDomain(domain) } : {}) };
}

async function evaluateCommand(domain: string | undefined, flags: SpfFlags): Promise<number> {
  const input = evaluationInput(domain, flags);
  const { ctx, finish } = contextFromFlags(flags);
  const result = await checkHost(ctx, input);
  finish();
  if (flags.json) {
    const { result: r, explanation, trace, lookups, voidLookups } = result;
    process.stdout.write(`${JSON.stringify({ result: r, ...(explanation !== undefined ? { explanation } : {}), trace, lookups, voidLookups }, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderEvaluation(result).join('\n')}\n`);
  }
  if (result.result === 'pass') return EXIT.healthy;
  return result.result === 'temperror' ? EXIT.incomplete : EXIT.problems;
}

async function reviewCommand(domain: string | undefined, flags: SpfFlags): Promise<number> {
  if (!domain) throw new InputError('give a DOMAIN to review, or --ip and --sender to evaluate');
  if (flags.sender !== undefined || flags.helo !== undefined) throw new InputError('--sender and --helo need --ip');
  const { ctx, finish } = contextFromFlags(flags);
  const report = await run(ctx, domain);
  finish();
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReview(report).join('\n')}\n`);
  if (report.status === 'unknown') return EXIT.incomplete;
  return report.findings.some((f) => severityRank(f.severity) >= severityRank('warn')) ? EXIT.problems : EXIT.healthy;
}

function renderRecordTrace(trace: SpfRecordTrace, indent: string): string[] {
  const dns = trace.lookups.map((l) => `dns#${l.dns}`).join(' ');
  const head = `${pc.bold(trace.domain)} ${trace.record ? JSON.stringify(trace.record) : pc.dim('(no SPF record)')} ${pc.dim(dns)}`;
  const lines = [`${indent}${head}${trace.error ? `  ${pc.red(trace.error)}` : ''}`];
  trace.terms.forEach((t, i) => {
    const last = i === trace.terms.length - 1;
    const branch = last ? '└─ ' : '├─ ';
    const counted = t.lookup ? pc.dim(` [lookup ${t.lookup}]`) : '';
    const voids = t.lookups.filter((l) => l.void).map((l) => pc.yellow(` [void ${l.void}: ${l.type} ${l.name}]`)).join('');
    const explanation = t.kind === 'modifier' && t.note === 'explanation';
    const outcome = explanation ? pc.dim('explanation fetched') : t.matched ? pc.green(`match${t.qualifier ? ` → ${QUALIFIER_RESULT[t.qualifier]}` : ''}`) : pc.dim('no match');
    const queries = t.lookups.filter((l) => l.purpose !== 'record').map((l) => `${l.type} ${l.name} → ${l.outcome === 'answer' ? l.answers.join(', ') : l.outcome} (dns#${l.dns})`);
    lines.push(`${indent}${branch}${t.term}${counted}${voids}  ${outcome}${t.note && !explanation ? pc.dim(` — ${t.note}`) : ''}`);
    const inner = indent + (last ? '   ' : '│  ');
    for (const q of queries) lines.push(`${inner}${pc.dim(q)}`);
    if (t.record) lines.push(...renderRecordTrace(t.record, inner));
  });
  return lines;
}

export function renderEvaluation(r: CheckHostResult): string[] {
  const color = RESULT_COLOR[r.result] ?? ((s: string) => s);
  return [
    `SPF ${color(pc.bold(r.result))} for ${r.ip} sending as ${r.sender}`,
    ...(r.error ? [`  ${r.error}`] : []),
    ...(r.explanation !== undefined ? [`  explanation: ${r.explanation}`] : []),
    '',
    ...renderRecordTrace(r.trace, '  '),
    '',
    `DNS lookups: ${r.lookups} of 10${r.lookupCauses.length ? ` (${r.lookupCauses.map((c) => `${c.n}. ${c.term}`).join(', ')})` : ''}; MX host and PTR name lookups: ${r.subLookups}`,
    `Void lookups: ${r.voidLookups} of 2${r.voidCauses.length ? ` (${r.voidCauses.map((c) => `${c.n}. ${c.term} → ${c.name}`).join(', ')})` : ''}`,
  ];
}

function renderTree(node: SpfNode, indent: string, last: boolean, top: boolean): string[] {
  const branch = top ? '' : last ? '└─ ' : '├─ ';
  const label = top ? pc.bold(node.domain) : `${node.term} ${pc.dim('→')} ${pc.bold(node.domain)}`;
  const count = top ? node.lookups : node.lookups + 1;
  const status = node.status === 'ok' ? '' : `  ${pc.red(node.error ?? node.status)}`;
  const lines = [`${indent}${branch}${label}  ${pc.cyan(`${count} lookup${count === 1 ? '' : 's'}`)}${status}`];
  const inner = indent + (top ? '' : last ? '   ' : '│  ');
  const counted = node.terms.filter((t) => t.counts && !node.children.some((c) => c.term === t.term));
  const items: (SpfNode | string)[] = [...counted.map((t) => `${t.term}  ${pc.cyan('1 lookup')}${t.hosts ? pc.dim(` → ${t.hosts.map((h) => `${h.host} ${h.addresses.join(' ') || '(no address)'}`).join('; ')}`) : ''}${t.dependsOn ? pc.dim(' (depends on the sender)') : ''}`), ...node.children];
  items.forEach((item, i) => {
    const end = i === items.length - 1;
    if (typeof item === 'string') lines.push(`${inner}${end ? '└─ ' : '├─ '}${item}`);
    else lines.push(...renderTree(item, inner, end, false));
  });
  return lines;
}

function renderFinding(f: Finding): string[] {
  return [`  ${MARK[f.severity]} ${f.title}`, `    ${pc.dim(f.detail)}`, ...(f.fix ? [`    Fix: ${f.fix.text}`] : [])];
}

export function renderReview(report: CheckResult<SpfData>): string[] {
  const d = report.data;
  const lines = [pc.bold(`SPF for ${d.domain}`), ''];
  if (d.record) {
    const bytes = Buffer.byteLength(d.record);
    lines.push(`Record: ${JSON.stringify(d.record)}`, pc.dim(`  ${d.strings?.length ?? 1} TXT string${d.strings?.length === 1 ? '' : 's'}, ${bytes} bytes`), '');
    lines.push(`Include tree — DNS lookups per branch (limit ${d.lookups.limit}; ${d.lookups.total} in all, ${d.lookups.withMxHosts} counting MX host lookups):`);
    lines.push(...renderTree(d.tree, '  ', true, true), '');
  }
  lines.push('Findings:', ...report.findings.flatMap(renderFinding), '');
  if (d.networks.length) {
    lines.push('Networks (evaluation order; + authorizes, - fails, ~ softfails, ? neutral):');
    for (const n of d.networks) lines.push(`  ${n.qualifier} ${n.network.padEnd(20)} ${pc.dim(n.path.join(' → '))}`);
  }
  for (const u of d.unresolved) lines.push(`  ? ${u.term.padEnd(20)} ${pc.dim(`${u.path.join(' → ')}: ${u.reason}`)}`);
  return lines;
}
