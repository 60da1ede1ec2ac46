/**
 * The flags every networked command shares (`--resolver`, `--connect-map`, `--timeout`, `--ca`,
 * `--dns-record`, `--dns-replay`) and the run context built from them, so each command only adds
 * its own options.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { InputError } from '../errors.ts';
import { createResolver, createReplayResolver, readTranscriptFile, transcriptFile } from '../net/dns/client.ts';
import { createDialer, parseConnectMap } from '../net/dialer/index.ts';
import type { Context, RunOptions } from '../checks/types.ts';

export interface NetworkFlags {
  resolver?: string[];
  connectMap?: string[];
  timeout?: string;
  ca?: string[];
  dnsRecord?: string;
  dnsReplay?: string;
  probe?: boolean;
  selector?: string[];
  dqsKey?: string;
  abusixKey?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds the shared network flags to a command. */
export function withNetworkOptions(command: Command): Command {
  return command
    .option('--resolver <host:port>', 'DNS server to use (repeatable; default: the system resolvers)', collect)
    .option('--connect-map <from=to>', 'translate TCP destinations, e.g. 203.0.113.80:25=127.0.1.80:2525 (repeatable)', collect)
    .option('--timeout <ms>', 'time allowed for each network operation', '5000')
    .option('--ca <file>', 'extra trusted CA certificate (PEM) for TLS checks, e.g. the lab CA (repeatable)', collect)
    .addOption(new Option('--dns-record <file>', 'save every DNS query and answer of this run to FILE (JSON)').conflicts('dnsReplay'))
    .option('--dns-replay <file>', 'answer DNS from a recorded FILE, with no network');
}

export interface RunContext {
  ctx: Context;
  /** Writes the DNS recording when asked; call when the run is over. */
  finish(): void;
}

function parseTimeout(text: string | undefined): number {
  const ms = Number(text ?? 5000);
  if (!Number.isInteger(ms) || ms < 50 || ms > 600_000) throw new InputError(`invalid --timeout "${text}": milliseconds between 50 and 600000`);
  return ms;
}

function readCa(files: string[]): string[] {
  return files.map((file) => {
    try {
      const pem = readFileSync(file, 'utf8');
      if (!pem.includes('BEGIN CERTIFICATE')) throw new Error('no PEM certificate inside');
      return pem;
    } catch (err) {
      throw new InputError(`cannot read CA file ${file}: ${(err as Error).message.split('\n')[0]}`);
    }
  });
}

export function contextFromFlags(flags: NetworkFlags): RunContext {
  const timeoutMs = parseTimeout(flags.timeout);
  const resolver = flags.dnsReplay
    ? createReplayResolver(readTranscriptFile(flags.dnsReplay).entries, `replay:${flags.dnsReplay}`)
    // A DNS try gets a fraction of the operation timeout so failover and one retry fit inside it.
    : createResolver({ servers: flags.resolver, timeoutMs: Math.min(timeoutMs, Math.max(500, Math.floor(timeoutMs / 2))), retries: 1 });
  const dialer = createDialer({
    connectMap: (flags.connectMap ?? []).flatMap(parseConnectMap),
    ca: readCa(flags.ca ?? []),
    defaultTimeoutMs: timeoutMs,
  });
  const options: RunOptions = {
    timeoutMs,
    noProbe: flags.probe === false,
    selectors: flags.selector ?? [],
    keys: {
      ...(flags.dqsKey ?? process.env.SPAMHAUS_DQS_KEY ? { spamhausDqs: (flags.dqsKey ?? process.env.SPAMHAUS_DQS_KEY)! } : {}),
      ...(flags.abusixKey ?? process.env.ABUSIX_KEY ? { abusix: (flags.abusixKey ?? process.env.ABUSIX_KEY)! } : {}),
    },
  };
  const ctx: Context = { resolver, dialer, options, now: () => new Date() };
  return {
    ctx,
    finish() {
      if (!flags.dnsRecord) return;
      try {
        writeFileSync(flags.dnsRecord, JSON.stringify(transcriptFile(resolver), null, 1));
      } catch (err) {
        throw new InputError(`cannot write DNS recording ${flags.dnsRecord}: ${(err as Error).message.split('\n')[0]}`);
      }
    },
  };
}
