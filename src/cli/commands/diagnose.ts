/**
 * `mailsleuth diagnose DOMAIN [--bounce FILE]...`: the whole investigation, one answer.
 */
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { InputError } from '../../errors.ts';
import { EXIT } from '../errors.ts';
import { contextFromFlags, withNetworkOptions, type NetworkFlags } from '../context.ts';
import { diagnose } from '../../diagnose/index.ts';
import type { Diagnosis, ProgressEvent } from '../../diagnose/types.ts';
import { render, REPORT_FORMATS, type ReportFormat } from '../../report/index.ts';
import { normalizeDomain } from '../../net/names.ts';

const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

interface DiagnoseFlags extends NetworkFlags {
  bounce?: string[];
  dmarcReport?: string[];
  json?: boolean;
  format?: ReportFormat;
  output?: string;
}

export function readMessageFile(file: string): { name: string; bytes: Uint8Array } {
  try {
    if (file === '-') return { name: 'stdin', bytes: readFileSync(0) };
    const size = statSync(file).size;
    if (size > MAX_MESSAGE_BYTES) throw new InputError(`${file} is ${size} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit for a message`);
    return { name: basename(file), bytes: readFileSync(file) };
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message.split('\n')[0]}`);
  }
}

export function exitCodeOf(d: Diagnosis): number {
  if (d.verdict === 'healthy') return EXIT.healthy;
  if (d.verdict === 'incomplete') return EXIT.incomplete;
  return EXIT.problems;
}

/** A one-line progress indicator on stderr, only when a person is watching. */
function progressLine(): { onProgress: (e: ProgressEvent) => void; done: () => void } {
  if (!process.stderr.isTTY) return { onProgress: () => {}, done: () => {} };
  const running = new Set<string>();
  const show = (text: string) => process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns ?? 80) - 1)}`);
  return {
    onProgress(e) {
      if (e.kind === 'check-start') running.add(e.check);
      if (e.kind === 'check-done') running.delete(e.check);
      show(e.kind === 'phase' ? `… ${e.phase}` : `… checking ${[...running].join(', ')}`);
    },
    done: () => process.stderr.write('\r\x1b[2K'),
  };
}

export function register(program: Command): void {
  withNetworkOptions(program.command('diagnose')
    .description('find out why mail from DOMAIN is not getting through: DNS, blocklists, probes and bounces joined into ranked causes with fixes')
    .argument('<domain>', 'the domain whose mail is not getting through')
    .option('--bounce <file>', 'a bounce or returned message (.eml, pasted headers, mbox; - for stdin); repeatable', (v: string, p: string[] = []) => [...p, v])
    .option('--dmarc-report <file>', 'a DMARC aggregate report (XML, .gz, .zip or the .eml carrying it); repeatable', (v: string, p: string[] = []) => [...p, v])
    .option('--selector <selector>', 'a DKIM selector the domain uses (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--no-probe', 'skip every TCP connection (DNS only)')
    .option('--dqs-key <key>', 'Spamhaus Data Query Service key (or SPAMHAUS_DQS_KEY)')
    .option('--abusix-key <key>', 'Abusix Mail Intelligence key (or ABUSIX_KEY)')
    .option('--json', 'print the JSON contract (same as --format json)')
    .addOption(new Option('--format <format>', 'report format').choices(REPORT_FORMATS as string[]).default('text'))
    .option('--output <file>', 'write the report to FILE instead of standard output'))
    .action(async (domainArg: string, flags: DiagnoseFlags) => {
      const domain = normalizeDomain(domainArg);
      const messages = (flags.bounce ?? []).map(readMessageFile);
      const dmarcReports = (flags.dmarcReport ?? []).map(readMessageFile);
      const { ctx, finish } = contextFromFlags(flags);
      const progress = progressLine();
      const result = await diagnose(ctx, { domain, messages, dmarcReports, onProgress: progress.onProgress }).finally(progress.done);
      finish();
      const text = render(result, flags.json ? 'json' : (flags.format ?? 'text'));
      if (flags.output) {
        try {
          writeFileSync(flags.output, text);
        } catch (err) {
          throw new InputError(`cannot write ${flags.output}: ${(err as Error).message.split('\n')[0]}`);
        }
      } else {
        process.stdout.write(text);
      }
      process.exitCode = exitCodeOf(result);
    });
}
