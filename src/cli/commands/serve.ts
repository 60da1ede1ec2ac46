/**
 * `mailsleuth serve [--port N] [--host H] [--lab [SCENARIO]]`: the HTTP API and the web UI.
 * With `--lab` the lab runs in this process and every diagnosis goes to it (its DNS, its hosts
 * behind the connect map, its CA): the way to try the UI offline. Without it the server uses the
 * system's resolvers and refuses to probe private addresses unless `--allow-private`.
 */
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { parseConnectMap } from '../../net/dialer/index.ts';
import { startLab } from '../../lab/index.ts';
import { keysFromEnv, startServer, type ServerNetwork } from '../../server/index.ts';
import { realEngine } from '../../server/engine.ts';
import { ensureWebBuild, WEB_DIST } from '../../server/web.ts';

interface ServeFlags {
  port: string;
  host: string;
  lab?: string | boolean;
  token?: string;
  allowPrivate?: boolean;
  resolver?: string[];
  timeout: string;
  maxRunning: string;
  maxQueued: string;
  jobTtl: string;
  rateLimit: string;
  webBuild: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function integer(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`invalid ${flag} "${text}": a whole number from ${min} to ${max}`);
  return n;
}

/** Resolves when the process is asked to stop. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => resolve(signal);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function serve(flags: ServeFlags): Promise<void> {
  const port = integer(flags.port, '--port', 0, 65535);
  const timeoutMs = integer(flags.timeout, '--timeout', 100, 60_000);
  const token = flags.token ?? process.env.MAILSLEUTH_TOKEN ?? undefined;
  const log = (line: string) => process.stdout.write(`mailsleuth serve: ${line}\n`);
  if (flags.webBuild) await ensureWebBuild(log);

  const lab = flags.lab ? await startLab(typeof flags.lab === 'string' ? { scenario: flags.lab } : {}) : null;
  const network: ServerNetwork = lab
    ? { resolvers: [lab.dns], connectMap: lab.connectMap.flatMap(parseConnectMap), ca: [lab.caPem], allowPrivate: true, keys: {}, timeoutMs }
    : { resolvers: flags.resolver ?? [], connectMap: [], ca: [], allowPrivate: flags.allowPrivate === true, keys: keysFromEnv(), timeoutMs };

  let server;
  try {
    server = await startServer({
      engine: realEngine(),
      network,
      host: flags.host,
      port,
      ...(token ? { token } : {}),
      lab: lab ? lab.scenario : null,
      webDist: WEB_DIST,
      limits: {
        maxRunning: integer(flags.maxRunning, '--max-running', 1, 64),
        maxQueued: integer(flags.maxQueued, '--max-queued', 0, 10_000),
        jobTtlMs: integer(flags.jobTtl, '--job-ttl', 1, 7 * 24 * 60) * 60_000,
        rateLimit: { max: integer(flags.rateLimit, '--rate-limit', 1, 100_000), windowMs: 60_000 },
      },
    });
  } catch (err) {
    await lab?.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new InputError(`port ${port} on ${flags.host} is already in use (pick another with --port)`);
    throw err;
  }

  log(`listening on ${server.url}`);
  if (lab) log(`lab scenario "${lab.scenario}": DNS ${lab.dns}; diagnoses run against the lab only`);
  else if (network.allowPrivate) log('probes may reach private and loopback addresses (--allow-private)');
  if (token) log('API token required (Authorization: Bearer <token>)');

  const signal = await untilSignal();
  log(`${signal}: stopping`);
  await server.close();
  await lab?.close();
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API and the web UI (127.0.0.1 only unless given a token)')
    .option('--port <n>', 'port to listen on (0: any free port)', '8025')
    .option('--host <address>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--lab [scenario]', 'run the built-in lab in this process and diagnose against it (offline)')
    .option('--token <token>', 'API token every call must send as "Authorization: Bearer <token>" (or MAILSLEUTH_TOKEN)')
    .option('--allow-private', 'let probes connect to private, loopback and link-local addresses')
    .option('--resolver <host:port>', 'DNS server for diagnoses (repeatable; default: the system resolvers)', collect)
    .option('--timeout <ms>', 'time allowed for each network operation', '5000')
    .option('--max-running <n>', 'diagnoses running at once', '2')
    .option('--max-queued <n>', 'diagnoses waiting before new ones get 429', '8')
    .option('--job-ttl <minutes>', 'how long finished reports stay available', '60')
    .option('--rate-limit <n>', 'diagnose/analyze/blocklist requests per client per minute', '30')
    .option('--no-web-build', 'do not build the web UI when dist/web is missing or stale')
    .action((flags: ServeFlags) => serve(flags));
}
