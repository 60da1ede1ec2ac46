/**
 * The probes against lab servers on loopback: one SMTP dialog (connect → greeting → EHLO → STARTTLS
 * → certificate → EHLO → QUIT) and one HTTPS head fetch, sequentially (latency) and in parallel
 * (throughput). smtp-server holds every greeting 100 ms (its early-talker check), which sets the
 * floor of the SMTP latency.
 */
import { Lab } from '../test/probe-lab.ts';
import { createDialer } from '../src/net/dialer/index.ts';
import { probeSmtp } from '../src/net/smtp/index.ts';
import { fetchHead } from '../src/net/http/index.ts';

const lab = await new Lab().init();
const smtpPort = await lab.smtp({ names: ['mx.bench.test'] });
const httpsPort = await lab.https({ names: ['www.bench.test'] });
const dialer = createDialer({ ca: [lab.ca.certPem] });

async function pool(n: number, limit: number, work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  let started = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (started++ < n) {
      const t = performance.now();
      await work();
      times.push(performance.now() - t);
    }
  }));
  return times.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!.toFixed(1);

async function measure(name: string, n: number, work: () => Promise<unknown>): Promise<void> {
  for (const limit of [1, 20]) {
    const t = performance.now();
    const times = await pool(n, limit, work);
    const seconds = (performance.now() - t) / 1000;
    console.log(`${name}, concurrency ${limit}: ${Math.round(n / seconds)} /s over ${n}, median ${pct(times, 0.5)} ms, p95 ${pct(times, 0.95)} ms`);
  }
}

let failures = 0;
await measure('SMTP probe dialog with STARTTLS', 200, async () => {
  const { result } = await probeSmtp(dialer, { host: '127.0.0.1', port: smtpPort }, { mxName: 'mx.bench.test', timeoutMs: 5000, greetingTimeoutMs: 10000, now: new Date() });
  if (result.outcome !== 'ok') failures++;
});
await measure('HTTPS head fetch with certificate facts', 500, async () => {
  const { result } = await fetchHead(dialer, { host: '127.0.0.1', port: httpsPort }, { host: 'www.bench.test', tls: true, timeoutMs: 5000, now: new Date() });
  if (!result.head) failures++;
});
console.log(`failures: ${failures}`);
await lab.close();
process.exit(failures ? 1 : 0);
