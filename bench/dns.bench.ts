/**
 * DNS client against the lab server on loopback: queries per second (distinct names, so every query
 * goes on the wire), and what the run cache saves on 1,000 synthetic domains that share includes.
 */
import { startDnsServer, parseZone } from '../src/lab/dns/index.ts';
import { createResolver } from '../src/net/dns/client.ts';

const N = 20000;
const CONCURRENCY = 50;
const DOMAINS = 1000;
const SHARED = ['spf.protection.outlook.com', '_spf.google.com', 'sendgrid.net', 'mailgun.org', 'amazonses.com'];

let zone = '$ORIGIN bench.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n* A 192.0.2.1\n';
for (let i = 0; i < DOMAINS; i++) {
  const includes = [SHARED[i % SHARED.length], SHARED[(i * 7 + 3) % SHARED.length]];
  zone += `d${i} TXT "v=spf1 ${[...new Set(includes)].map((d) => `include:${d}`).join(' ')} -all"\n`;
}
const shared = SHARED.map((d) => parseZone(`$ORIGIN ${d}.\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ TXT "v=spf1 ip4:192.0.2.0/24 -all"\n`));
const lab = await startDnsServer({ zones: [parseZone(zone), ...shared] });

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

{
  const resolver = createResolver({ servers: [lab.server], timeoutMs: 2000 });
  const names = Array.from({ length: N }, (_, i) => `host${i}.bench.test`);
  const started = performance.now();
  await pool(names, CONCURRENCY, (n) => resolver.query(n, 'A'));
  const seconds = (performance.now() - started) / 1000;
  const failed = resolver.transcript.filter((e) => e.outcome !== 'answer').length;
  console.log(`dns client → lab (UDP, loopback, concurrency ${CONCURRENCY}): ${Math.round(N / seconds)} queries/s over ${N} distinct names, ${failed} not answered`);
}
{
  const resolver = createResolver({ servers: [lab.server], timeoutMs: 2000 });
  const domains = Array.from({ length: DOMAINS }, (_, i) => `d${i}.bench.test`);
  const started = performance.now();
  await pool(domains, CONCURRENCY, async (d) => {
    const txt = await resolver.query(d, 'TXT');
    const includes = txt.records.flatMap((r) => r.data.join('').split(' ')).filter((t) => t.startsWith('include:')).map((t) => t.slice(8));
    await Promise.all(includes.map((inc) => resolver.query(inc, 'TXT')));
  });
  const ms = performance.now() - started;
  const s = resolver.stats;
  const asked = s.queriesSent + s.cacheHits + s.inflightJoins;
  console.log(`${DOMAINS} domains sharing ${SHARED.length} includes: ${asked} lookups asked, ${s.queriesSent} queries sent, ${s.cacheHits} cache hits, ${s.inflightJoins} in-flight joins (${Math.round(ms)} ms)`);
}
await lab.close();
