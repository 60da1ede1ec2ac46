/**
 * `mailsleuth demo`: the reference case end to end, offline. Starts the lab in this process, shows
 * what it serves, diagnoses the scenario's domain with its bounces through the same flags a user
 * would pass, compares the causes with what the scenario expects, and stops the lab.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { diagnose } from '../../diagnose/index.ts';
import { compareCauses, DEFAULT_SCENARIO, startLab } from '../../lab/index.ts';
import { setOfflineGuard } from '../../net/guard.ts';
import { render, REPORT_FORMATS, type ReportFormat } from '../../report/index.ts';
import { contextFromFlags } from '../context.ts';
import { EXIT } from '../errors.ts';
import { readMessageFile } from './diagnose.ts';
import { describeLab, displayPath, labFlags } from './lab.ts';

interface DemoFlags {
  scenario: string;
  probe?: boolean;
  format?: ReportFormat;
}

async function runDemo(flags: DemoFlags): Promise<void> {
  // The demo is the simulated internet only: nothing may leave loopback, whatever the environment says.
  setOfflineGuard(true);
  const lab = await startLab({ scenario: flags.scenario, writeCaFile: true });
  try {
    const { definition } = lab;
    const out = (text: string) => process.stdout.write(text);
    out(`mailsleuth demo — everything below runs offline against the built-in lab.\n\n${describeLab(lab)}\n`);
    out(`Same as: npx mailsleuth diagnose ${definition.expected.domain} ${labFlags(lab).join(' ')}${definition.messages.map((m) => ` --bounce ${displayPath(m)}`).join('')}\n\n`);
    const { ctx } = contextFromFlags({
      resolver: [lab.dns],
      connectMap: lab.connectMap,
      ca: lab.caFile ? [lab.caFile] : [],
      timeout: '3000',
      ...(flags.probe === false ? { probe: false } : {}),
    });
    const result = await diagnose(ctx, { domain: definition.expected.domain, messages: definition.messages.map(readMessageFile) });
    out(render(result, flags.format ?? 'text'));
    if (flags.format === 'json') return;
    const problems = compareCauses(definition.expected, result.causes.map((c) => c.id));
    if (problems.length === 0) {
      out(`\nThe diagnosis names what scenario ${definition.name} expects (first: ${definition.expected.causes.first?.join(' or ') ?? 'any'}; also ${definition.expected.causes.include.join(', ')}).\n`);
    } else {
      out(`\nThe diagnosis differs from what scenario ${definition.name} expects:\n${problems.map((p) => `  - ${p}\n`).join('')}`);
      process.exitCode = EXIT.problems;
    }
  } finally {
    await lab.close();
    setOfflineGuard(undefined);
  }
}

export function register(program: Command): void {
  program.command('demo')
    .description('run the reference case end to end, offline: start the lab, diagnose its domain and bounces, stop (exit 0 when the diagnosis matches the scenario)')
    .option('--scenario <name>', 'lab scenario to run', DEFAULT_SCENARIO)
    .option('--no-probe', 'skip the SMTP and web probes (DNS only)')
    .addOption(new Option('--format <format>', 'report format').choices(REPORT_FORMATS as string[]).default('text'))
    .action((flags: DemoFlags) => runDemo(flags));
}
