/**
 * Aggregate report ingestion speed on generated reports: one large report (the size a big sender
 * gets from Google in a day, read plain and gzipped) and many small gzipped ones (a month of
 * mailbox exports). Prints MB/s, records/s and the heap used, so regressions in the XML reader or
 * the aggregation show as numbers.
 */
import { gzipSync } from 'node:zlib';
import { readAggregateReports, type AggregateInput } from '../src/reports/dmarc/index.ts';

/** A deterministic pseudo-random source (mulberry32): the same reports on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function record(rand: () => number): string {
  const ip = `${[198, 203, 192][Math.floor(rand() * 3)]}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`;
  const pass = rand() < 0.8;
  return `  <record>
    <row>
      <source_ip>${ip}</source_ip>
      <count>${1 + Math.floor(rand() * 500)}</count>
      <policy_evaluated>
        <disposition>${pass ? 'none' : 'quarantine'}</disposition>
        <dkim>${pass ? 'pass' : 'fail'}</dkim>
        <spf>${pass || rand() < 0.5 ? 'pass' : 'fail'}</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>acme.example</header_from>
    </identifiers>
    <auth_results>
      <dkim>
        <domain>${pass ? 'acme.example' : 'bulk.example'}</domain>
        <result>pass</result>
        <selector>s${Math.floor(rand() * 4)}</selector>
      </dkim>
      <spf>
        <domain>acme.example</domain>
        <result>${pass ? 'pass' : 'softfail'}</result>
      </spf>
    </auth_results>
  </record>
`;
}

function report(id: string, records: number, rand: () => number): Uint8Array {
  const head = `<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata><org_name>google.com</org_name><email>noreply-dmarc-support@google.com</email><report_id>${id}</report_id>
    <date_range><begin>1795478400</begin><end>1795564799</end></date_range></report_metadata>
  <policy_published><domain>acme.example</domain><adkim>r</adkim><aspf>r</aspf><p>quarantine</p><sp>quarantine</sp><pct>100</pct></policy_published>
`;
  const parts = [head];
  for (let i = 0; i < records; i++) parts.push(record(rand));
  parts.push('</feedback>\n');
  return Buffer.from(parts.join(''));
}

async function measure(label: string, inputs: AggregateInput[], xmlBytes: number, records: number): Promise<void> {
  await readAggregateReports(inputs.slice(0, 1)); // warm-up: module loading and JIT
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  const t0 = performance.now();
  const summary = await readAggregateReports(inputs);
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const failed = summary.inputs.filter((i) => i.error);
  if (failed.length) throw new Error(`bench inputs failed: ${failed[0]!.error}`);
  console.log(`${label}: ${inputs.length} input(s), ${(xmlBytes / 1e6).toFixed(1)} MB of XML, ${records} records, ${summary.sources.length} sources, ${summary.totals.messages} messages`);
  console.log(`  ${ms.toFixed(0)} ms — ${(xmlBytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s, ${Math.round(records / (ms / 1000))} records/s, heap +${((peak - heapBefore) / 1e6).toFixed(0)} MB at peak`);
}

const rand = prng(7);
const LARGE = 50_000;
const big = report('large-1', LARGE, rand);
await measure('one large report, plain XML', [{ name: 'large.xml', bytes: big }], big.length, LARGE);
await measure('one large report, gzipped', [{ name: 'large.xml.gz', bytes: gzipSync(big) }], big.length, LARGE);

const SMALL = 1000;
const PER = 20;
const small = Array.from({ length: SMALL }, (_, i) => report(`small-${i}`, PER, rand));
await measure('many small reports, gzipped', small.map((b, i) => ({ name: `r${i}.xml.gz`, bytes: gzipSync(b) })), small.reduce((n, b) => n + b.length, 0), SMALL * PER);
