/**
 * `mailsleuth analyze FILE...`: what a bounce, a raw message or a pasted header block says — the
 * kind of message, the refusal in plain words, who refused it and why, the hops with their delays
 * and the originating IP. `-` reads standard input; an mbox file yields one result per message.
 * Offline unless `--resolver` is given, which turns on DKIM re-verification through that server.
 * Exit 1 when a bounce was found, 0 otherwise, 2 when a file cannot be read.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT } from '../errors.ts';
import { InputError } from '../../errors.ts';
import { createResolver } from '../../net/dns/client.ts';
import { analyzeMailbox, notAMessage, reasonMeaning, DEFAULT_MAX_SIZE, type MessageAnalysis, type Hop } from '../../message/index.ts';
import { pc } from '../../report/marks.ts';

interface AnalyzeFlags { json?: boolean; maxSize?: string; resolver?: string[] }

const collect = (value: string, previous: string[] = []) => [...previous, value];

function readInput(file: string, maxSize: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    // The size is checked before reading, so a wrong multi-gigabyte file is refused, not loaded.
    if (file !== '-' && statSync(file).size > maxSize) throw new InputError(`${file}: ${statSync(file).size} bytes, above the limit of ${maxSize} bytes (--max-size)`);
    bytes = file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!bytes.length) throw new InputError(`${file}: the file is empty`);
  return bytes;
}

function duration(seconds: number | null): string {
  if (seconds === null) return '';
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 120) return `${sign}${s}s`;
  if (s < 7200) return `${sign}${Math.round(s / 60)}m`;
  return `${sign}${(s / 3600).toFixed(1)}h`;
}

function cell(text: string | null, width: number): string {
  const t = text ?? '-';
  return t.length > width ? `${t.slice(0, width - 1)}…` : t.padEnd(width);
}

function hopTable(hops: Hop[]): string[] {
  if (!hops.length) return ['  (no Received headers)'];
  const lines = [pc.dim(`  ${cell('#', 3)} ${cell('from', 34)} ${cell('ip', 18)} ${cell('by', 30)} ${cell('with', 8)} ${cell('delay', 7)}`)];
  for (const h of hops) {
    const delay = duration(h.delaySeconds);
    lines.push(`  ${cell(String(h.index), 3)} ${cell(h.local ? `(local) ${h.from ?? ''}`.trim() : h.fromRdns ?? h.from, 34)} ${cell(h.fromIp, 18)} ${cell(h.by, 30)} ${cell(h.with, 8)} ${h.skew ? pc.yellow(cell(`${delay} skew`, 7)) : cell(delay, 7)}`);
  }
  return lines;
}

const KIND_WORDS: Record<string, string> = {
  bounce: 'a bounce (non-delivery report)', delivered: 'a delivery success notification', 'feedback-report': 'a complaint (ARF feedback report), not a bounce',
  'auto-reply': 'an automatic reply (RFC 3834), not a bounce', message: 'an ordinary message', headers: 'a header block (no body)',
};

/** The readable summary of one analysis. */
export function formatAnalysis(a: MessageAnalysis, label: string): string {
  const out: string[] = [pc.bold(label), `  This is ${KIND_WORDS[a.kind] ?? a.kind}.${a.subject ? ` Subject: ${a.subject}` : ''}`];
  if (a.bounce) {
    for (const r of a.bounce.recipients) {
      const verdict = `${r.reason}${r.hard ? ' (hard: remove or fix the address)' : ' (soft)'}`;
      out.push(`  ${pc.bold(r.address)}: ${r.hard ? pc.red(verdict) : pc.yellow(verdict)} — ${reasonMeaning(r.reason) ?? ''}`);
      const who = r.remoteMta ?? a.bounce.reportingMta;
      if (who) out.push(`    refused by ${who}${r.command ? ` in answer to ${r.command}` : ''}`);
      if (r.status) out.push(`    status ${r.status}: ${r.statusMeaning ?? ''}`);
      if (r.diagnostic) out.push(`    said: ${pc.italic(r.diagnostic.length > 300 ? r.diagnostic.slice(0, 299) + '…' : r.diagnostic)}`);
      for (const b of r.blocklists) out.push(`    blocklist: ${b.name}${b.listed ? ` lists ${b.listed}` : ''}${b.lookupUrl ? ` — ${b.lookupUrl}` : ''}`);
    }
  }
  if (a.feedback) out.push(`  Feedback type: ${a.feedback.feedbackType}${a.feedback.sourceIp ? `, about mail from ${a.feedback.sourceIp}` : ''}`);
  const subject = a.original ?? a;
  const whose = a.original ? 'the returned message' : 'this message';
  out.push(`  Hops of ${whose}:`, ...hopTable(subject.hops));
  if (subject.origin) {
    const o = subject.origin;
    out.push(`  Origin of ${whose}: ${o.ip ?? 'unknown address'}${o.host ? ` (${o.host})` : ''}${o.kind === 'local-submission' ? ' — submitted by a program on that host, not by a mail client' : ''}`);
    for (const r of o.reasoning) out.push(pc.dim(`    - ${r}`));
  }
  for (const ar of subject.authResults) out.push(`  Authentication-Results (${ar.authservId}): ${ar.results.map((r) => `${r.method}=${r.result}`).join(' ') || 'none'}`);
  for (const s of subject.dkimSignatures) out.push(`  DKIM signature d=${s.d} s=${s.s}${s.verification ? ` re-verified: ${s.verification.result}` : ''}`);
  for (const s of subject.submission) out.push(`  ${s.header}: ${s.value}`);
  for (const p of [...a.problems, ...(a.original?.problems ?? [])]) out.push(pc.yellow(`  ! ${p}`));
  return out.join('\n');
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('analyse bounces, raw messages or pasted headers (.eml, mbox, - for stdin)')
    .argument('<file...>', 'message files; - reads standard input')
    .option('--json', 'one JSON object per message (JSON Lines when several)')
    .option('--max-size <bytes>', `refuse inputs larger than this (default ${DEFAULT_MAX_SIZE})`)
    .option('--resolver <host:port>', 'DNS server for DKIM re-verification (without it, no DNS query is made)', collect)
    .action(async (files: string[], flags: AnalyzeFlags) => {
      const maxSize = flags.maxSize ? Number(flags.maxSize) : DEFAULT_MAX_SIZE;
      if (!Number.isInteger(maxSize) || maxSize <= 0) throw new InputError(`--max-size must be a positive number of bytes, not "${flags.maxSize}"`);
      const resolver = flags.resolver?.length ? createResolver({ servers: flags.resolver }) : undefined;
      let code: number = EXIT.healthy;
      for (const file of files) {
        let results: MessageAnalysis[];
        try {
          results = await analyzeMailbox(readInput(file, maxSize), { maxSize, resolver });
          const nothing = results.length === 1 ? notAMessage(results[0]!) : null;
          if (nothing) throw new InputError(`${file}: ${nothing}`);
        } catch (err) {
          if (!(err instanceof InputError) && !(err as { userFacing?: boolean }).userFacing) throw err;
          const message = (err as Error).message.startsWith(file) ? (err as Error).message : `${file}: ${(err as Error).message}`;
          if (flags.json) process.stdout.write(JSON.stringify({ file, error: message }) + '\n');
          else process.stderr.write(`mailsleuth: ${message}\n`);
          code = EXIT.usage;
          continue;
        }
        results.forEach((a, i) => {
          const name = file === '-' ? '<stdin>' : file;
          if (flags.json) process.stdout.write(JSON.stringify(results.length > 1 ? { file: name, index: i + 1, ...a } : { file: name, ...a }) + '\n');
          else process.stdout.write(formatAnalysis(a, results.length > 1 ? `${name} (message ${i + 1})` : name) + '\n\n');
          if (a.kind === 'bounce' && code === EXIT.healthy) code = EXIT.problems;
        });
      }
      process.exitCode = code;
    });
}
