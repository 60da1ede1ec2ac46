/**
 * `mailsleuth lab [SCENARIO]`: serves one lab scenario (DNS on loopback, virtual hosts behind a
 * connect map, a lab CA) until Ctrl-C, and prints the exact flags that point any other command at it.
 */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { DEFAULT_SCENARIO, listScenarios, startLab, type Lab } from '../../lab/index.ts';

interface LabFlags {
  port?: string;
  address?: string;
  realPorts?: boolean;
  list?: boolean;
  json?: boolean;
}

/** The flags that send a command's DNS, connections and trust to this lab. */
export function labFlags(lab: Lab): string[] {
  return ['--resolver', lab.dns, '--connect-map', lab.connectMap.join(','), ...(lab.caFile ? ['--ca', lab.caFile] : [])];
}

/** What the lab serves, for people: zones, hosts, messages and how to reach them. */
export function describeLab(lab: Lab): string {
  const { definition } = lab;
  const lines = [`Scenario ${definition.name}: ${definition.expected.description}`];
  if (definition.story) lines.push('', ...wrap(definition.story, 96).map((l) => `  ${l}`));
  lines.push('', `DNS        ${lab.dns}  (${definition.zones.length} zones)`);
  for (const zone of definition.zones) lines.push(`             ${zone.origin}${zone.signed ? '  (signed: answers carry AD)' : ''}`);
  lines.push('', 'Hosts      virtual address → where it really listens');
  const width = Math.max(...lab.services.map((s) => `${s.ip}:${s.port}`.length), 0);
  for (const service of lab.services) lines.push(`             ${`${service.ip}:${service.port}`.padEnd(width)} → ${service.listen.padEnd(21)} ${service.summary}`);
  lines.push('', `Messages   ${definition.messages.length === 0 ? 'none' : ''}`.trimEnd());
  for (const file of definition.messages) lines.push(`             ${displayPath(file)}`);
  lines.push('', `Lab CA     ${lab.caFile ?? '(in memory)'}`);
  return `${lines.join('\n')}\n`;
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function parsePort(text: string | undefined): number {
  const port = Number(text ?? 0);
  if (!/^\d+$/.test(text ?? '0') || port > 65535) throw new InputError(`invalid --port "${text}": a port number 0-65535 (0 picks a free one)`);
  return port;
}

async function serveLab(scenario: string | undefined, flags: LabFlags): Promise<void> {
  if (flags.list) {
    for (const s of listScenarios()) process.stdout.write(`${s.name.padEnd(20)} ${s.domain.padEnd(20)} ${s.description}\n`);
    return;
  }
  const port = parsePort(flags.port);
  let lab: Lab;
  try {
    lab = await startLab({ scenario: scenario ?? DEFAULT_SCENARIO, dnsPort: port, dnsAddress: flags.address ?? '127.0.0.1', writeCaFile: true, ...(flags.realPorts ? { realPorts: true } : {}) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new InputError(`DNS port ${port} is already in use (pick another with --port, or 0 for a free one)`);
    if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new InputError(`no permission to listen on DNS port ${port} (ports below 1024 need root)`);
    throw err;
  }
  const flagList = labFlags(lab);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ scenario: lab.scenario, domain: lab.definition.expected.domain, dns: lab.dns, connectMap: lab.connectMap, caFile: lab.caFile, messages: lab.definition.messages, flags: flagList })}\n`);
  } else {
    const quoted = flagList.map(shellQuote).join(' ');
    const domain = lab.definition.expected.domain;
    const bounces = lab.definition.messages.map((m) => `--bounce ${shellQuote(displayPath(m))}`).join(' ');
    process.stdout.write(`${describeLab(lab)}
Point other commands at this lab with:
  ${quoted}

For example:
  npx mailsleuth diagnose ${domain} ${quoted}${bounces ? ` ${bounces}` : ''}
  npx mailsleuth blocklist ${[...new Set(lab.services.map((s) => s.ip)), domain].join(' ')} --resolver ${lab.dns}

Serving until Ctrl-C.
`);
  }
  const signal = await untilSignal();
  await lab.close();
  if (!flags.json) process.stdout.write(`${signal}: lab stopped.\n`);
}

export function register(program: Command): void {
  program.command('lab')
    .description('serve a lab scenario (a simulated internet on loopback: DNS, mail and web hosts, a CA) and print the flags that point other commands at it')
    .argument('[scenario]', `scenario name or folder (default ${DEFAULT_SCENARIO})`)
    .option('--port <n>', 'DNS port on the lab address (0 picks a free one)', '0')
    .option('--address <ip>', 'loopback address for the DNS server', '127.0.0.1')
    .option('--real-ports', 'virtual hosts listen on their real ports (25, 80, 443); needs root')
    .option('--list', 'list the scenarios and exit')
    .option('--json', 'print what is served as one JSON line instead of text')
    .action((scenario: string | undefined, flags: LabFlags) => serveLab(scenario, flags));
}
