/**
 * The terminal report: the verdict in one line, then each cause with its evidence and fixes in the
 * order that fixes things, then per-check details. Colour and symbols only on a TTY (picocolors
 * turns itself off when piped or with NO_COLOR).
 */
import type { Diagnosis, Cause } from '../diagnose/types.ts';
import type { Finding, CheckResult } from '../checks/types.ts';
import { pc, MARK, paint } from './marks.ts';

function wrapIndent(text: string, indent: string): string {
  return text.split('\n').map((line) => indent + line).join('\n');
}

export function renderCause(cause: Cause, index: number): string {
  const lines = [`${index + 1}. ${MARK[cause.severity]} ${pc.bold(paint(cause.severity, cause.summary))} ${pc.dim(`[${cause.id}, confidence ${Math.round(cause.confidence * 100)}%]`)}`];
  if (cause.evidence.length) {
    lines.push(pc.dim('   Evidence:'));
    for (const e of cause.evidence) lines.push(wrapIndent(`- ${e}`, '     '));
  }
  if (cause.fixes.length) {
    lines.push(pc.dim('   Fix:'));
    for (const fix of cause.fixes) {
      lines.push(wrapIndent(`→ ${fix.text}`, '     '));
      for (const r of fix.dns ?? []) lines.push(`         ${pc.cyan(`${r.name}. ${r.type} ${r.type === 'TXT' ? JSON.stringify(r.value) : r.value}`)}`);
      for (const link of fix.links ?? []) lines.push(`         ${pc.underline(link)}`);
    }
  }
  return lines.join('\n');
}

function renderFinding(f: Finding): string {
  const detail = f.detail && f.detail !== f.title ? pc.dim(` — ${f.detail}`) : '';
  return `    ${MARK[f.severity]} ${f.title}${detail}`;
}

export function renderChecks(checks: Record<string, CheckResult>): string {
  const out: string[] = [];
  for (const [name, check] of Object.entries(checks)) {
    out.push(`  ${MARK[check.status]} ${pc.bold(name)}`);
    for (const f of check.findings) out.push(renderFinding(f));
  }
  return out.join('\n');
}

export function renderText(d: Diagnosis): string {
  const verdictColour = d.verdict === 'healthy' ? pc.green : d.verdict === 'incomplete' ? pc.magenta : pc.red;
  const out: string[] = [];
  out.push(pc.bold(`mailsleuth — ${d.domain}`) + pc.dim(`  (${d.durationMs} ms, ${d.dns.queriesSent} DNS queries, ${d.dns.cacheHits} cached)`));
  out.push(verdictColour(pc.bold(`Verdict: ${d.verdict}. `)) + d.headline);
  out.push('');
  if (d.causes.length) {
    out.push(pc.bold(d.causes.length === 1 ? 'Root cause' : `Causes, most likely first (${d.causes.length})`));
    d.causes.forEach((c, i) => out.push(renderCause(c, i), ''));
  } else {
    out.push(d.verdict === 'incomplete'
      ? 'No cause could be established: the checks below did not get the answers they need.'
      : 'No cause found: nothing in DNS, blocklists, probes or the messages given explains a delivery problem.', '');
  }
  out.push(pc.bold('Checks'));
  out.push(renderChecks(d.checks));
  if (d.messages.length) out.push('', pc.dim(`${d.messages.length} message(s) analysed; run \`mailsleuth analyze FILE\` for the full reading.`));
  return out.join('\n') + '\n';
}
