/**
 * `check` (the orchestrator, in process, DNS only) on a lab domain with 50 ms added to every DNS
 * answer. Prints the wall time, the critical path, their ratio (target ≤ 1.2) and the queries sent.
 *
 * The critical path is derived from the data, not from the clock (a clock-based depth would hide a
 * check that waits for an unrelated one): a query depends on the earliest answer that names its
 * target (an MX exchange, an SPF include, an IP in an A record, a PTR name, a rua domain…), and a
 * name derived from the domain alone (its `_dmarc`, `www`, DKIM selectors, parents) depends on
 * nothing. Depth = 1 + depth of what it depends on; critical path = deepest query × 50 ms. A chain
 * the code could have shortened still counts at its shortest possible length, so the ratio is
 * never flattered. The lab DNS server runs in a child process, so its own work (decoding,
 * encoding, timers) is not billed to the check.
 */
import { generateKeyPairSync } from 'node:crypto';
import { isIP } from 'node:net';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDnsServer, parseZone, type FaultRule } from '../src/lab/dns/index.ts';
import { createResolver } from '../src/net/dns/client.ts';
import { createDialer } from '../src/net/dialer/index.ts';
import { expandIpv6 } from '../src/net/names.ts';
import { selectLists } from '../src/checks/blocklists/index.ts';
import { checkDomain } from '../src/checks/index.ts';
import type { Context } from '../src/checks/types.ts';
import type { DnsRecord, Resolver } from '../src/net/dns/types.ts';
import { recordingResolver, type TimedLookup } from '../test/check-lab.ts';

const LATENCY_MS = 50;
const RUNS = 5;
const DOMAIN = 'bench.test';
const SOA = '@ SOA ns hostmaster 1 3600 600 86400 60';

function txt(value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(value.slice(i, i + 255));
  return parts.map((p) => `"${p}"`).join(' ');
}
const key = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

const zones = () => [
  `; lab: signed
$ORIGIN ${DOMAIN}.
${SOA}
@ NS ns1.dnshost.test.
@ NS ns2.dnshost.test.
@ MX 10 mx1
@ MX 20 mx2
mx1 A 192.0.2.25
mx1 AAAA 2001:db8::25
mx2 A 192.0.2.26
_25._tcp.mx1 TLSA 3 1 1 ${'ab'.repeat(32)}
_25._tcp.mx2 TLSA 3 1 1 ${'cd'.repeat(32)}
@ A 192.0.2.80
www CNAME @
@ TXT "v=spf1 ip4:192.0.2.30 mx include:_spf.${DOMAIN} include:spf.esp.test -all"
out A 192.0.2.30
_spf TXT "v=spf1 ip4:192.0.2.0/28 include:_spf2.${DOMAIN} -all"
_spf2 TXT "v=spf1 ip6:2001:db8::/64 include:outbound.relay.test -all"
_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@reports.test; ruf=mailto:forensic@${DOMAIN}"
s1._domainkey TXT ${txt(`v=DKIM1; k=rsa; p=${key()}`)}
s2._domainkey TXT ${txt(`v=DKIM1; k=rsa; p=${key()}`)}
_mta-sts TXT "v=STSv1; id=20261128"
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@${DOMAIN}"
default._bimi TXT "v=BIMI1; l=https://${DOMAIN}/logo.svg"
`,
  `$ORIGIN esp.test.\n${SOA}\nspf TXT "v=spf1 ip4:198.51.100.0/24 include:_netblocks.esp.test ~all"\n_netblocks TXT "v=spf1 ip4:198.51.101.0/24 ~all"\n`,
  `$ORIGIN relay.test.\n${SOA}\noutbound TXT "v=spf1 ip4:203.0.113.0/26 -all"\n`,
  `$ORIGIN reports.test.\n${SOA}\n${DOMAIN}._report._dmarc TXT "v=DMARC1"\n`,
  `$ORIGIN dnshost.test.\n${SOA}\nns1 A 192.0.2.53\nns2 A 192.0.2.54\n`,
  `$ORIGIN 2.0.192.in-addr.arpa.\n${SOA}\n25 PTR mx1.${DOMAIN}.\n26 PTR mx2.${DOMAIN}.\n30 PTR out.${DOMAIN}.\n`,
  `$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.\n${SOA}\n5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR mx1.${DOMAIN}.\n`,
  ...selectLists({}).queried.map((p) => `$ORIGIN ${p.zone}.\n${SOA}\n`),
  `$ORIGIN test.\n${SOA}\n`,
].map((z) => parseZone(z));

/** The child: serves the zones, takes fault rules and reports its query count over IPC. */
async function serveLab(): Promise<void> {
  const lab = await startDnsServer({ zones: zones(), address: '127.0.0.1', port: 0 });
  process.on('message', (m: { faults?: FaultRule[]; queries?: true; close?: true }) => {
    if (m.faults) lab.setFaults(m.faults);
    if (m.close) void lab.close().then(() => process.exit(0));
    else process.send!({ queries: lab.queries });
  });
  process.send!({ server: lab.server });
}

interface Lab { server: string; ask(message: object): Promise<{ queries: number }>; close(): void }

async function startLabProcess(): Promise<Lab> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, CHECK_BENCH_DNS: '1' } });
  const next = () => new Promise<{ server?: string; queries: number }>((resolve) => child.once('message', resolve as (m: unknown) => void));
  const { server } = await next();
  return {
    server: server!,
    ask: (message) => { const reply = next(); child.send(message); return reply; },
    close: () => child.send({ close: true }),
  };
}

type Call = TimedLookup;

/** The run's resolver, recording when each lookup was first asked and what it answered. */
const recording = (inner: Resolver, calls: Call[]): Resolver => recordingResolver(inner, (l) => calls.push(l));

const norm = (s: string) => (isIP(s) === 6 ? expandIpv6(s) : s.toLowerCase().replace(/\.$/, ''));

/** Every name and address an answer hands to the next lookup. */
function mentions(answers: DnsRecord[]): Set<string> {
  const out = new Set<string>();
  for (const r of answers) {
    const d = r.data as unknown;
    if (typeof d === 'string') out.add(norm(d));
    else if (r.type === 'MX') out.add(norm(r.data.exchange));
    else if (r.type === 'TXT') {
      for (const token of r.data.join('').split(/[\s:=;,@/]+/)) if (token) out.add(norm(token));
    } else if (r.type === 'SOA') {
      out.add(norm(r.data.mname));
      out.add(norm(r.data.rname));
    }
  }
  return out;
}

const LIST_ZONES = selectLists({}).queried.map((p) => p.zone);

/** Names that protocols build from a domain (its DMARC, DKIM, TLSA, MTA-STS, TLS-RPT, BIMI and report-authorization names). */
const SERVICE_PREFIXES = [/^_dmarc\.(.+)$/, /\._report\._dmarc\.(.+)$/, /^(?:[^.]+\.)?_domainkey\.(.+)$/, /^_25\._tcp\.(.+)$/, /^_?mta-sts\.(.+)$/, /^_smtp\._tls\.(.+)$/, /^[^.]+\._bimi\.(.+)$/, /^www\.(.+)$/];

/** The names or addresses a query's name is built from. */
function keysOf(name: string): string[] {
  const keys = [name];
  for (const prefix of SERVICE_PREFIXES) {
    const m = name.match(prefix);
    if (m?.[1]) keys.push(m[1]);
  }
  const arpa = name.match(/^(.*)\.(in-addr|ip6)\.arpa$/);
  const zone = LIST_ZONES.find((z) => name.endsWith(`.${z}`));
  const reversed = arpa?.[1] ?? (zone ? name.slice(0, -zone.length - 1) : null);
  if (reversed) {
    const parts = reversed.split('.');
    if (parts.length === 4 && parts.every((p) => /^\d+$/.test(p))) keys.push(parts.reverse().join('.'));
    else if (parts.length === 32) keys.push(expandIpv6(parts.reverse().join('').replace(/(.{4})(?!$)/g, '$1:')));
    else keys.push(reversed);
  }
  return keys;
}

/** Names known from the input alone: the domain and its parents. */
const fromInput = (key: string) => DOMAIN === key || DOMAIN.endsWith(`.${key}`);

interface Node { call: Call; depth: number; parent: Node | null }

function criticalPath(calls: Call[]): Node {
  const first = new Map<string, Call>();
  for (const c of [...calls].sort((a, b) => a.start - b.start)) if (!first.has(`${c.name}|${c.type}`)) first.set(`${c.name}|${c.type}`, c);
  const nodes: Node[] = [];
  for (const call of first.values()) {
    const keys = keysOf(call.name);
    let best: Node | null = null;
    if (!keys.some(fromInput)) {
      for (const n of nodes) {
        if (n.call.end > call.start || !keys.some((k) => mentions(n.call.answers).has(k))) continue;
        if (!best || n.depth < best.depth) best = n;
      }
    }
    nodes.push({ call, depth: best ? best.depth + 1 : 1, parent: best });
  }
  return nodes.reduce((a, b) => (b.depth > a.depth ? b : a));
}

function context(lab: Lab, calls: Call[]): Context {
  const resolver = createResolver({ servers: [lab.server], timeoutMs: 2000, retries: 0 });
  return {
    resolver: recording(resolver, calls),
    dialer: createDialer({ guard: 'offline' }),
    options: { timeoutMs: 5000, noProbe: true, selectors: [], keys: {} },
    now: () => new Date(),
  };
}

async function measure(): Promise<void> {
  const lab = await startLabProcess();
  // Warm-up without latency (module loading, JIT), then the measured runs, each with a fresh cache.
  await checkDomain(context(lab, []), DOMAIN);
  await lab.ask({ faults: [{ latencyMs: LATENCY_MS }] });
  const runs: Array<{ ms: number; queries: number; deepest: Node; verdict: string }> = [];
  for (let i = 0; i < RUNS; i++) {
    const calls: Call[] = [];
    const ctx = context(lab, calls);
    const before = (await lab.ask({ queries: true })).queries;
    const t0 = performance.now();
    const report = await checkDomain(ctx, DOMAIN);
    const ms = performance.now() - t0;
    const after = (await lab.ask({ queries: true })).queries;
    runs.push({ ms, queries: after - before, deepest: criticalPath(calls), verdict: report.verdict });
  }
  lab.close();

  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const depth = Math.max(...runs.map((r) => r.deepest.depth));
  const chain: string[] = [];
  for (let n: Node | null = median.deepest; n; n = n.parent) chain.unshift(`${n.call.type} ${n.call.name}`);
  const critical = depth * LATENCY_MS;
  const ratio = median.ms / critical;
  console.log(`check ${DOMAIN}, in process, DNS only, ${LATENCY_MS} ms on every DNS answer (${RUNS} runs, fresh cache each; verdict ${median.verdict})`);
  console.log(`  wall time:     ${Math.round(median.ms)} ms median (min ${Math.round(sorted[0]!.ms)}, max ${Math.round(sorted[sorted.length - 1]!.ms)})`);
  console.log(`  critical path: ${depth} dependent lookups × ${LATENCY_MS} ms = ${critical} ms: ${chain.join(' → ')}`);
  console.log(`  ratio:         ${ratio.toFixed(2)} (target ≤ 1.2)`);
  console.log(`  queries sent:  ${median.queries} (lab server count; the run's cache answered every repeat)`);
  process.exitCode = ratio <= 1.2 ? 0 : 1;
}

if (process.env.CHECK_BENCH_DNS === '1') await serveLab();
else await measure();
