/**
 * Blocklist engine: 100 addresses against the catalog with 50 ms of injected DNS latency on every
 * answer. Every lookup runs in parallel under one limit, so the whole check should cost about one
 * round trip for the A lookups plus one for the TXT of listings (target: under 3 round trips, 150 ms,
 * plus overhead). Prints wall time, round trips' worth, and queries sent.
 *
 * The lab DNS server runs in a worker thread, as a real resolver runs apart from the client: in the
 * same event loop, a burst of a thousand queries overflows the server's socket before it can read.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseZone, startDnsServer, type Zone } from '../src/lab/dns/index.ts';
import { createResolver } from '../src/net/dns/client.ts';
import { catalog, checkBlocklists, DEFAULT_CONCURRENCY, reverseIp4, selectLists } from '../src/checks/blocklists/index.ts';

const LATENCY_MS = 50;
const RUNS = 3;
const TARGETS = Array.from({ length: 100 }, (_, i) => `198.51.100.${i + 1}`);
const KEYS = { spamhausDqs: 'benchkey', abusix: 'benchkey', spamrats: 'benchkey' };

interface ServerRequest { zones: { zone: string; code: string }[] }

/** A zone per queried list; every 10th address is listed with one of the list's codes, with a TXT reason. */
function zonesFor(lists: ServerRequest['zones']): Zone[] {
  return lists.map(({ zone, code }) => {
    const lines = [`$ORIGIN ${zone}.`, `@ 60 IN SOA ns.${zone}. hostmaster.${zone}. 1 3600 600 86400 60`];
    TARGETS.forEach((ip, i) => {
      if (i % 10 === 0) lines.push(`${reverseIp4(ip)} A ${code}`, `${reverseIp4(ip)} TXT "listed: see the list's lookup page"`);
    });
    return parseZone(lines.join('\n'), { origin: zone });
  });
}

async function serve(request: ServerRequest): Promise<void> {
  const lab = await startDnsServer({ zones: zonesFor(request.zones), faults: [{ latencyMs: LATENCY_MS }] });
  parentPort!.postMessage({ server: lab.server });
  parentPort!.on('message', async (msg: string) => {
    if (msg === 'stop') {
      parentPort!.postMessage({ queries: lab.queries });
      await lab.close();
      parentPort!.close();
    }
  });
}

function startServerThread(request: ServerRequest): Promise<{ server: string; stop: () => Promise<number> }> {
  const worker = new Worker(new URL(import.meta.url), { workerData: request });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (msg: { server: string }) => resolve({
      server: msg.server,
      stop: () => new Promise((done) => {
        worker.once('message', (m: { queries: number }) => done(m.queries));
        worker.postMessage('stop');
      }),
    }));
  });
}

function listedCode(code: string): string {
  return code.split('-')[0]!.replace(/x/g, '2');
}

interface PassFigures { ms: number; sent: number; a: number; txt: number; served: number; listed: number; clean: number; errors: number; lists: number }

async function onePass(lists: string[] | undefined, concurrency: number): Promise<PassFigures> {
  const selection = selectLists({ ...(lists ? { lists } : {}), keys: KEYS });
  const ipLists = selection.queried.filter((p) => p.list.kinds.includes('ip4'));
  const lab = await startServerThread({ zones: ipLists.map((p) => ({ zone: p.zone, code: listedCode(p.list.codes[0]?.code ?? '127.0.0.2') })) });
  // A dropped datagram costs one try (1 s) and shows as an error, instead of hiding behind retries.
  const resolver = createResolver({ servers: [lab.server], timeoutMs: 1000, retries: 0 });
  const started = performance.now();
  const report = await checkBlocklists({ resolver }, TARGETS, { ...(lists ? { lists } : {}), keys: KEYS, concurrency });
  const ms = performance.now() - started;
  const served = await lab.stop();
  const count = (s: string) => report.results.filter((r) => r.status === s).length;
  const { stats } = resolver;
  return { ms, sent: stats.queriesSent, a: stats.byType.A ?? 0, txt: stats.byType.TXT ?? 0, served, listed: count('listed'), clean: count('not-listed'), errors: count('error'), lists: ipLists.length };
}

/** Three runs of one configuration; prints the median time and every run's errors (dropped queries show there). */
async function pass(label: string, lists: string[] | undefined, concurrency: number): Promise<void> {
  const runs: PassFigures[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await onePass(lists, concurrency));
  const median = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(RUNS / 2)]!;
  console.log(
    `${label}: ${TARGETS.length} addresses × ${median.lists} IPv4 lists, concurrency ${concurrency}, ${LATENCY_MS} ms latency: ` +
    `median ${Math.round(median.ms)} ms = ${(median.ms / LATENCY_MS).toFixed(1)} round trips' worth (runs: ${runs.map((r) => Math.round(r.ms)).join(', ')} ms); ` +
    `${median.sent} queries sent (${median.a} A + ${median.txt} TXT), server answered ${median.served}; ` +
    `${median.listed} listed, ${median.clean} not listed, errors per run: ${runs.map((r) => r.errors).join(', ')}`,
  );
}

if (isMainThread) {
  const everyList = catalog.lists.filter((l) => l.use !== 'never').map((l) => l.id);
  await pass('default lists', undefined, DEFAULT_CONCURRENCY);
  await pass('whole catalog (every queryable list, keys given)', everyList, DEFAULT_CONCURRENCY);
  // Every lookup in flight at once: the engine's floor, as long as the server's socket keeps up.
  await pass('default lists, all at once', undefined, 10_000);
  await pass('whole catalog, all at once', everyList, 10_000);
} else {
  await serve(workerData as ServerRequest);
}
