/**
 * Reports joined across files: message numbers are sums of `count` (never rows), a report that
 * arrives twice counts once, sources carry their class, and reverse DNS is looked up only through
 * a given context (the lab's DNS server here).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readAggregateReports, type AggregateSummary } from '../src/reports/dmarc/index.ts';
import { reverseName } from '../src/net/names.ts';
import { SOA, startAuthLab, type AuthLab } from './auth-checks-lab.ts';

const RANGE = '1795478400!1795564799';
const input = (name: string) => ({ name, bytes: readFileSync(fileURLToPath(new URL(`./fixtures/dmarc/${name}`, import.meta.url))) });
const ALL = [`google.com!acme.example!${RANGE}.zip`, `outlook.com!acme.example!${RANGE}.xml.gz`, 'yahoo-report.eml', 'rfc9990.xml', 'quirky.xml', 'google-resent.xml'];
const source = (s: AggregateSummary, ip: string) => s.sources.find((x) => x.ip === ip)!;

test('messages are the sum of count, never the number of rows', async () => {
  const s = await readAggregateReports([input(`google.com!acme.example!${RANGE}.zip`)]);
  const web = source(s, '203.0.113.80');
  assert.equal(web.messages, 45, 'two rows, 40 + 5 messages');
  assert.deepEqual(web.dmarc, { pass: 0, fail: 45 });
  assert.deepEqual(web.spf.map((x) => [x.domain, x.result, x.messages]), [['acme.example', 'softfail', 40], ['web1.acme.example', 'none', 5]]);
  assert.equal(s.totals.messages, 530);
  assert.equal(s.totals.sources, 5);
  assert.equal(s.sources.reduce((n, x) => n + x.messages, 0), 530);
});

test('all fixtures joined: totals, classes, reporters, period, policies and what was tolerated', async () => {
  const s = await readAggregateReports(ALL.map(input));
  assert.equal(s.schema, 'mailsleuth/dmarc-aggregate@1');
  assert.deepEqual(s.domains, ['acme.example']);
  assert.equal(s.reports.length, 5);
  assert.equal(s.duplicates.length, 1);
  assert.equal(s.totals.messages, 530 + 248 + 117 + 19 + 11);
  assert.deepEqual(s.totals.dmarc, { pass: 802, fail: 123 });
  assert.deepEqual(s.totals.byClass, { aligned: 794, forwarded: 15, misconfigured: 12, unauthorized: 104 });
  assert.equal(s.totals.byClass.aligned + s.totals.byClass.forwarded + s.totals.byClass.misconfigured + s.totals.byClass.unauthorized, s.totals.messages);
  assert.deepEqual(s.totals.byDisposition, { none: 805, quarantine: 108, pass: 12 });
  assert.deepEqual(s.sources.map((x) => [x.ip, x.messages, x.class]), [
    ['40.107.22.51', 632, 'aligned'],
    ['167.89.20.4', 150, 'aligned'],
    ['203.0.113.80', 104, 'unauthorized'],
    ['2a01:111:f400:7e1b::201', 12, 'aligned'],
    ['209.85.220.73', 9, 'forwarded'],
    ['192.0.2.99', 8, 'misconfigured'],
    ['209.85.220.69', 6, 'forwarded'],
    ['198.51.100.23', 4, 'misconfigured'],
  ]);
  const web = source(s, '203.0.113.80');
  assert.deepEqual(web.reporters.map((r) => [r.value, r.messages]), [['google.com', 45], ['Outlook.com', 30], ['Yahoo', 22], ['Mail & More GmbH', 4], ['Example Receiver', 3]]);
  assert.match(web.fix ?? '', /spoofing/);
  assert.deepEqual(web.issues, [{ issue: 'spoofed', messages: 104 }]);
  assert.deepEqual(source(s, '192.0.2.99').issues, [{ issue: 'dkim-missing', messages: 8 }]);
  assert.deepEqual(source(s, '40.107.22.51').issues, []);
  assert.deepEqual(source(s, '40.107.22.51').dkim, [{ domain: 'acme.example', selector: 'selector1', result: 'pass', messages: 632 }]);
  assert.deepEqual(source(s, '40.107.22.51').spf, [{ domain: 'acme.example', scope: 'mfrom', result: 'pass', messages: 632 }], 'a missing scope counts as mfrom');
  assert.equal(source(s, '209.85.220.73').forwarder, 'Google Groups (mailing list)');
  assert.deepEqual(source(s, '209.85.220.69').overrides, [{ value: 'local_policy: arc=pass', messages: 6 }]);
  assert.deepEqual(s.period, { begin: '2026-11-24T00:00:00.000Z', end: '2026-11-25T00:00:00.000Z' });
  assert.deepEqual(s.policies.map((p) => [p.p, p.sp, p.np, p.reports]), [['quarantine', 'quarantine', null, 2], ['quarantine', 'quarantine', null, 1], ['quarantine', 'quarantine', 'reject', 1], ['quarantine', null, null, 1]]);
  assert.deepEqual(s.tolerated.map((t) => t.code).sort(), ['byte-order-mark', 'duplicate-record', 'empty-pct', 'iso-date', 'leading-whitespace', 'missing-sp', 'padded-value', 'value-case']);
  assert.deepEqual(s.problems, ['quirky.xml: record 4 left out: "not-an-address" is not an IP address']);
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s, 'plain serializable data');
});

test('a report that arrives twice (ZIP and plain XML) counts once; the first read is kept', async () => {
  const once = await readAggregateReports([input(`google.com!acme.example!${RANGE}.zip`)]);
  const twice = await readAggregateReports([input(`google.com!acme.example!${RANGE}.zip`), input('google-resent.xml'), input('google-resent.xml')]);
  assert.equal(twice.totals.messages, once.totals.messages);
  assert.deepEqual(twice.duplicates.map((d) => [d.source, d.duplicateOf, d.identical]), [
    ['google-resent.xml', `google.com!acme.example!${RANGE}.zip › google.com!acme.example!${RANGE}.xml`, true],
    ['google-resent.xml', `google.com!acme.example!${RANGE}.zip › google.com!acme.example!${RANGE}.xml`, true],
  ]);
  assert.equal(twice.inputs.length, 3);
});

/** The Yahoo fixture with one field changed. */
function variant(replace: [string, string][]): { name: string; bytes: Uint8Array } {
  let xml = input('yahoo.xml').bytes.toString();
  for (const [from, to] of replace) {
    assert.ok(xml.includes(from), from);
    xml = xml.replace(from, to);
  }
  return { name: `variant-${replace.map((r) => r[1]).join('-').replace(/[^\w.-]/g, '')}.xml`, bytes: Buffer.from(xml) };
}

test('the dedupe key is reporter + Report-ID + policy domain + date range', async () => {
  const base = input('yahoo.xml');
  const cases: [string, [string, string][], number][] = [
    ['same everything (reporter name in another case)', [['<org_name>Yahoo</org_name>', '<org_name>YAHOO</org_name>']], 1],
    ['another reporter with the same Report-ID', [['<org_name>Yahoo</org_name>', '<org_name>AOL</org_name>']], 2],
    ['another Report-ID', [['1795564803.451273', '1795564803.999999']], 2],
    ['another policy domain', [['<domain>acme.example</domain>', '<domain>shop.acme.example</domain>']], 2],
    ['another date range', [['<end>1795564799</end>', '<end>1795564800</end>']], 2],
  ];
  for (const [what, replace, reports] of cases) {
    const s = await readAggregateReports([base, variant(replace)]);
    assert.equal(s.reports.length, reports, what);
    assert.equal(s.totals.messages, 117 * reports, what);
  }
});

test('a copy with different records is still counted once, and the disagreement is named', async () => {
  const s = await readAggregateReports([input('yahoo.xml'), variant([['<count>95</count>', '<count>96</count>']])]);
  assert.equal(s.totals.messages, 117);
  assert.equal(s.duplicates[0]!.identical, false);
  assert.match(s.problems.join('\n'), /same reporter, Report-ID, domain and period as yahoo\.xml but different records; the first was kept/);
});

test('--domain keeps the domain and its subdomains and names what was left out', async () => {
  const sub = variant([['<domain>acme.example</domain>', '<domain>shop.acme.example</domain>']]);
  const other = variant([['<domain>acme.example</domain>', '<domain>other.example</domain>']]);
  const s = await readAggregateReports([input('yahoo.xml'), sub, other], { domain: 'ACME.example.' });
  assert.equal(s.domain, 'acme.example');
  assert.deepEqual(s.domains, ['acme.example', 'shop.acme.example']);
  assert.equal(s.totals.messages, 234);
  assert.deepEqual(s.problems, ['1 report(s) about other domains left out (other.example)']);
});

test('unreadable inputs are named one line each and the rest is still read', async () => {
  const s = await readAggregateReports([input('malformed.xml'), input('bomb.zip'), input('yahoo.xml')]);
  assert.deepEqual(s.inputs.map((i) => [i.name, i.reports, i.error?.split(':')[0] ?? null]), [['malformed.xml', 0, 'malformed.xml'], ['bomb.zip', 0, 'bomb.zip'], ['yahoo.xml', 1, null]]);
  assert.equal(s.totals.messages, 117);
});

test('a source that mixes classes takes the class of most of its messages and shows the split', async () => {
  const mixed = variant([
    ['<source_ip>203.0.113.80</source_ip>', '<source_ip>40.107.22.51</source_ip>'],
    ['<count>22</count>', '<count>200</count>'],
  ]);
  const s = await readAggregateReports([mixed]);
  const row = source(s, '40.107.22.51');
  assert.equal(row.messages, 295);
  assert.equal(row.class, 'unauthorized');
  assert.deepEqual(row.classes, { aligned: 95, forwarded: 0, misconfigured: 0, unauthorized: 200 });
  assert.match(row.evidence[0]!, /^unauthorized: neither SPF nor DKIM .* \(200 messages\)$/);
  assert.match(row.evidence[1]!, /^aligned: SPF and DKIM both pass, aligned \(95 messages\)$/);
});

let lab: AuthLab;
before(async () => {
  lab = await startAuthLab([
    `$ORIGIN 113.0.203.in-addr.arpa.\n${SOA}\n80 PTR web1.acme.example.\n`,
    `$ORIGIN 22.107.40.in-addr.arpa.\n${SOA}\n51 PTR mail-am6eur05on2051.outbound.protection.outlook.com.\n`,
    `$ORIGIN acme.example.\n${SOA}\nweb1 A 203.0.113.80\n`,
    `$ORIGIN outbound.protection.outlook.com.\n${SOA}\nmail-am6eur05on2051 A 40.107.22.51\n`,
    `$ORIGIN 100.51.198.in-addr.arpa.\n${SOA}\n23 PTR mx2.improvmx.com.\n`,
    `$ORIGIN improvmx.com.\n${SOA}\nmx2 A 198.51.100.23\n`,
    // 2a01:111:f400::/48 exists but has no PTR for the source: NXDOMAIN, a real "no PTR".
    `$ORIGIN 0.0.4.f.1.1.1.0.1.0.a.2.ip6.arpa.\n${SOA}\n`,
  ]);
});
after(() => lab.close());

test('no resolver, no query: reverse DNS only through a given context', async () => {
  const before = lab.dns.queries;
  const s = await readAggregateReports([input('yahoo.xml')]);
  assert.equal(lab.dns.queries, before);
  assert.ok(s.sources.every((x) => !('reverseDns' in x)));
});

test('with a context, the sources get their reverse DNS (forward-confirmed), biggest first, capped', async () => {
  const ctx = lab.context();
  const s = await readAggregateReports([input('yahoo.xml'), input('rfc9990.xml')], { ctx });
  assert.deepEqual(source(s, '203.0.113.80').reverseDns, { name: 'web1.acme.example', ptr: ['web1.acme.example'], fcrdns: true, status: 'ok', dns: source(s, '203.0.113.80').reverseDns!.dns });
  assert.equal(source(s, '40.107.22.51').reverseDns?.name, 'mail-am6eur05on2051.outbound.protection.outlook.com');
  assert.equal(source(s, '2a01:111:f400:7e1b::201').reverseDns?.status, 'no-ptr');
  // A known forwarder found by its forward-confirmed name: the failing key there reads as relayed mail.
  assert.equal(source(s, '198.51.100.23').class, 'forwarded');
  assert.equal(source(s, '198.51.100.23').forwarder, 'ImprovMX (forwarding)');
  assert.ok(ctx.resolver.transcript.some((e) => e.name === reverseName('40.107.22.51') && e.type === 'PTR'));
  const capped = await readAggregateReports([input('yahoo.xml'), input('rfc9990.xml')], { ctx: lab.context(), maxReverseLookups: 1 });
  assert.deepEqual(capped.sources.filter((x) => x.reverseDns).map((x) => x.ip), ['40.107.22.51']);
});

test('a failed reverse lookup is "lookup-failed", never "no PTR"', async () => {
  lab.faults([{ name: '*.in-addr.arpa', type: 'PTR', action: 'servfail' }]);
  try {
    const s = await readAggregateReports([input('yahoo.xml')], { ctx: lab.context() });
    assert.deepEqual(s.sources.map((x) => x.reverseDns?.status), ['lookup-failed', 'lookup-failed']);
    assert.equal(source(s, '203.0.113.80').reverseDns?.fcrdns, null);
  } finally {
    lab.faults([]);
  }
});
