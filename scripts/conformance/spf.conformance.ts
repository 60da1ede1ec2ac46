/**
 * The OpenSPF RFC 7208 test suite (../shared/corpus/spf-openspf) against our check_host(): each
 * scenario's zone data is served by the lab DNS server on loopback and every test is evaluated
 * through our DNS client. Prints `spf suite: N passed, M failed` and exits non-zero on any failure
 * that is not in the documented exception list. The RFC 4408 suite runs too, as information.
 *
 * The driver follows the suite's own conventions (its file header and pyspf's driver):
 * - a scenario's `SPF` (type 99) records are served as TXT unless the name has a TXT entry
 *   (`TXT: NONE` included); type 99 itself is never queried, as RFC 7208 §3.1 wants;
 * - `TIMEOUT` at a name makes every query of a type with no record listed before it time out;
 * - `\xNN` escapes are octets: the string is re-read as UTF-8 from its Latin-1 bytes, so a BOM
 *   stays a BOM (a lone 0x80 becomes U+FFFD: still non-ASCII, which is what those tests are about);
 * - `explanation: DEFAULT` means "no exp= text"; an explanation is compared case-insensitively,
 *   because `v-macro-ip6` writes the %{i} nibbles in uppercase while RFC 7208 §7.3's own example
 *   spells them lowercase (the hex digits are the only difference).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { sharedDir } from '../shared-dir.ts';
import { startDnsServer, type FaultRule, type Zone } from '../../src/lab/dns/index.ts';
import { createResolver } from '../../src/net/dns/client.ts';
import type { DnsRecord } from '../../src/net/dns/types.ts';
import { RECORD_TYPES } from '../../src/net/dns/types.ts';
import { checkHost, type CheckHostOptions, type CheckHostResult } from '../../src/checks/spf/index.ts';

export interface SuiteTest {
  scenario: string;
  name: string;
  spec: string;
  helo: string;
  host: string;
  mailfrom: string;
  result: string[];
  explanation?: string;
}

export interface Scenario {
  description: string;
  tests: SuiteTest[];
  zone: Zone;
  faults: FaultRule[];
}

/**
 * Tests we believe the suite gets wrong, each with the RFC section that says so. Empty: every
 * test of the RFC 7208 suite is expected to pass.
 */
export const EXCEPTIONS: Record<string, string> = {};

type ZoneEntry = string | Record<string, unknown>;

function octets(text: string): string {
  // Only re-read when every code unit is a byte, i.e. the YAML held \xNN escapes.
  return /[\x80-\xff]/.test(text) && !/[^\x00-\xff]/.test(text) ? Buffer.from(text, 'latin1').toString('utf8') : text;
}

const bare = (name: string) => String(name).replace(/\.$/, '');

function record(name: string, type: string, value: unknown): DnsRecord | null {
  const base = { name, ttl: 300 };
  switch (type) {
    case 'A': case 'AAAA': return { ...base, type, data: String(value) };
    case 'PTR': case 'CNAME': return { ...base, type, data: bare(String(value)).toLowerCase() };
    case 'MX': {
      const [preference, exchange] = value as [number, string];
      return { ...base, type: 'MX', data: { preference: Number(preference), exchange: bare(exchange ?? '').toLowerCase() } };
    }
    case 'TXT': {
      const strings = Array.isArray(value) ? value.map((s) => octets(String(s))) : [octets(String(value))];
      return { ...base, type: 'TXT', data: strings };
    }
    default: return null;
  }
}

/** One name's entries → its records and, when it has TIMEOUT, the fault rules that make it time out. */
function convertName(rawName: string, entries: ZoneEntry[]): { records: DnsRecord[]; faults: FaultRule[] } {
  const name = bare(rawName).toLowerCase();
  const hasTxt = entries.some((e) => typeof e === 'object' && e !== null && 'TXT' in e);
  const records: DnsRecord[] = [];
  const faults: FaultRule[] = [];
  let timedOut = false;
  for (const entry of entries) {
    if (entry === 'TIMEOUT') {
      if (timedOut) continue;
      timedOut = true;
      const answered = new Set(records.map((r) => r.type));
      if (!answered.size) faults.push({ name, action: 'drop' });
      else for (const type of RECORD_TYPES) if (!answered.has(type)) faults.push({ name, type, action: 'drop' });
      continue;
    }
    if (typeof entry !== 'object' || entry === null) continue;
    for (const [type, value] of Object.entries(entry)) {
      if (value === 'NONE') continue;
      // Type SPF is served as TXT (the suite's "auto-magic duplication") unless the name has TXT.
      const served = type === 'SPF' ? (hasTxt ? null : 'TXT') : type;
      if (!served || timedOut) continue;
      const r = record(name, served, value);
      if (r) records.push(r);
    }
  }
  return { records, faults };
}

function asList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

export function loadSuite(file: string): Scenario[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((doc) => {
    const data = doc.toJS() as { description: string; tests: Record<string, Record<string, unknown>>; zonedata?: Record<string, ZoneEntry[]> };
    const records: DnsRecord[] = [];
    const faults: FaultRule[] = [];
    for (const [name, entries] of Object.entries(data.zonedata ?? {})) {
      const converted = convertName(name, entries ?? []);
      records.push(...converted.records);
      faults.push(...converted.faults);
    }
    const tests = Object.entries(data.tests).map(([name, t]): SuiteTest => ({
      scenario: data.description,
      name,
      spec: String(t.spec ?? ''),
      helo: String(t.helo ?? ''),
      host: String(t.host),
      mailfrom: String(t.mailfrom ?? ''),
      result: asList(t.result),
      ...(t.explanation !== undefined ? { explanation: String(t.explanation) } : {}),
    }));
    // One root zone: every name the suite uses, and NXDOMAIN for every other (never REFUSED).
    return { description: data.description, tests, zone: { origin: '', signed: false, records }, faults };
  });
}

export interface Verdict {
  test: SuiteTest;
  got: CheckHostResult;
  ok: boolean;
  why?: string;
}

export function judge(test: SuiteTest, got: CheckHostResult): Verdict {
  if (!test.result.includes(got.result)) return { test, got, ok: false, why: `expected ${test.result.join('|')}, got ${got.result}${got.error ? ` (${got.error})` : ''}` };
  if (test.explanation !== undefined && got.result === 'fail') {
    const want = test.explanation === 'DEFAULT' ? undefined : test.explanation.toLowerCase();
    if (got.explanation?.toLowerCase() !== want) return { test, got, ok: false, why: `explanation: expected ${JSON.stringify(test.explanation)}, got ${JSON.stringify(got.explanation ?? 'DEFAULT')}` };
  }
  return { test, got, ok: true };
}

/** Serves each scenario from the lab DNS server and calls `each` for every test with a fresh resolver. */
export async function runSuite<T>(scenarios: Scenario[], each: (test: SuiteTest, server: string) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const scenario of scenarios) {
    const dns = await startDnsServer({ zones: [scenario.zone], faults: scenario.faults });
    try {
      for (const test of scenario.tests) out.push(await each(test, dns.server));
    } finally {
      await dns.close();
    }
  }
  return out;
}

/** A query that the lab drops times out after this long (the suite has a few TIMEOUT names). */
export const SUITE_DNS_TIMEOUT_MS = 250;

export async function evaluateWithOurs(test: SuiteTest, server: string, options: CheckHostOptions = {}): Promise<Verdict> {
  const resolver = createResolver({ servers: [server], timeoutMs: SUITE_DNS_TIMEOUT_MS, retries: 0 });
  const got = await checkHost({ resolver }, { ip: test.host, sender: test.mailfrom, helo: test.helo, receiver: 'receiver.example' }, options);
  return judge(test, got);
}

async function main(): Promise<number> {
  const shared = sharedDir();
  if (!shared) {
    console.log('spf suite: ../shared not found (set MAILSLEUTH_SHARED); skipped');
    return 0;
  }
  const dir = join(shared, 'corpus', 'spf-openspf');
  const verdicts = await runSuite(loadSuite(join(dir, 'rfc7208-tests.yml')), (t, server) => evaluateWithOurs(t, server));
  const failed = verdicts.filter((v) => !v.ok);
  const unexplained = failed.filter((v) => !EXCEPTIONS[v.test.name]);
  console.log(`spf suite: ${verdicts.length - failed.length} passed, ${failed.length} failed`);
  for (const v of failed) console.log(`  ${EXCEPTIONS[v.test.name] ? 'exception' : 'FAIL'} ${v.test.name} (${v.test.spec}): ${v.why}${EXCEPTIONS[v.test.name] ? ` — ${EXCEPTIONS[v.test.name]}` : ''}`);

  const literal = await runSuite(loadSuite(join(dir, 'rfc7208-tests.yml')), (t, server) => evaluateWithOurs(t, server, { voidRule: 'client-family' }));
  const literalFailed = literal.filter((v) => !v.ok);
  console.log(`spf suite with voidRule client-family (information): ${literal.length - literalFailed.length} passed, ${literalFailed.length} failed`);
  for (const v of literalFailed) console.log(`  differs ${v.test.name} (${v.test.spec}): ${v.why}`);

  const old = await runSuite(loadSuite(join(dir, 'rfc4408-tests.yml')), (t, server) => evaluateWithOurs(t, server));
  const oldFailed = old.filter((v) => !v.ok);
  console.log(`spf rfc4408 suite (information, RFC 7208 changed some answers): ${old.length - oldFailed.length} passed, ${oldFailed.length} differ`);
  for (const v of oldFailed) console.log(`  differs ${v.test.name} (${v.test.spec}): ${v.why}`);
  return unexplained.length ? 1 : 0;
}

if (import.meta.main) {
  main().then((code) => { process.exitCode = code; }, (err: unknown) => { console.error(err); process.exitCode = 1; });
}
