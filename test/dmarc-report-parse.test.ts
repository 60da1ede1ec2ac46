/**
 * Reading aggregate reports: both schemas, every container (XML, gzip, ZIP, email), the known
 * reporter bugs read through and named, and inputs that must be refused (malformed XML, not a
 * report, zip bombs) with one clear line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateRawSync, gzipSync, crc32 } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { readInput } from '../src/reports/dmarc/read.ts';
import { DEFAULT_SIZE_LIMITS, type SizeLimits } from '../src/reports/dmarc/budget.ts';
import { RFC9990_NAMESPACE } from '../src/reports/dmarc/feedback.ts';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/dmarc/${name}`, import.meta.url)));
const read = (name: string, bytes: Uint8Array = fixture(name), limits: SizeLimits = DEFAULT_SIZE_LIMITS) => readInput(name, bytes, limits);
const RANGE = '1795478400!1795564799';

interface Expected {
  file: string;
  kind: string;
  schema: string;
  reporter: string;
  reportId: string;
  records: number;
  messages: number;
  quirks: string[];
}

const FIXTURES: Expected[] = [
  { file: `google.com!acme.example!${RANGE}.zip`, kind: 'zip', schema: 'rfc7489', reporter: 'google.com', reportId: '7481930015524930771', records: 6, messages: 530, quirks: [] },
  { file: `outlook.com!acme.example!${RANGE}.xml.gz`, kind: 'gzip', schema: 'rfc7489', reporter: 'Outlook.com', reportId: '4c1f0e7a2b9d4f3c8e6a5d2b1c0f9e8d', records: 3, messages: 248, quirks: [] },
  { file: 'yahoo-report.eml', kind: 'eml', schema: 'rfc7489', reporter: 'Yahoo', reportId: '1795564803.451273', records: 2, messages: 117, quirks: [] },
  { file: 'rfc9990.xml', kind: 'xml', schema: 'rfc9990', reporter: 'Example Receiver', reportId: '20261124.acme.example@receiver.example', records: 3, messages: 19, quirks: [] },
  {
    file: 'quirky.xml', kind: 'xml', schema: 'rfc7489', reporter: 'Mail & More GmbH', reportId: 'mm-acme.example-20261124', records: 3, messages: 11,
    quirks: ['byte-order-mark', 'leading-whitespace', 'padded-value', 'iso-date', 'value-case', 'missing-sp', 'empty-pct', 'duplicate-record'],
  },
];

for (const f of FIXTURES) {
  test(`${f.file}: ${f.kind}, ${f.schema}, ${f.records} records summing to ${f.messages} messages`, async () => {
    const r = await read(f.file);
    assert.equal(r.summary.error, undefined, r.summary.error);
    assert.equal(r.summary.kind, f.kind);
    assert.equal(r.reports.length, 1);
    const { report } = r.reports[0]!;
    assert.equal(report.schema, f.schema);
    assert.equal(report.orgName, f.reporter);
    assert.equal(report.reportId, f.reportId);
    assert.equal(report.policy.domain, 'acme.example');
    assert.equal(report.records.length, f.records);
    assert.equal(report.records.reduce((s, x) => s + x.count, 0), f.messages);
    assert.deepEqual(report.quirks.map((q) => q.code).sort(), [...f.quirks].sort());
  });
}

test('the container path names the XML inside a ZIP and an email', async () => {
  assert.equal((await read(`google.com!acme.example!${RANGE}.zip`)).reports[0]!.source, `google.com!acme.example!${RANGE}.zip › google.com!acme.example!${RANGE}.xml`);
  const eml = await read('yahoo-report.eml');
  assert.equal(eml.reports[0]!.source, `yahoo-report.eml › yahoo.com!acme.example!${RANGE}.xml`);
  assert.deepEqual(eml.problems, [], 'the text/plain body is the message, not a skipped attachment');
});

test('RFC 9990: namespace, np, testing, discovery_method, generator, error, disposition pass, selectors, human_result', async () => {
  const { report } = (await read('rfc9990.xml')).reports[0]!;
  assert.equal(report.namespace, RFC9990_NAMESPACE);
  assert.deepEqual(report.policy, { domain: 'acme.example', p: 'quarantine', sp: 'quarantine', np: 'reject', adkim: 'r', aspf: 'r', pct: null, fo: null, testing: false, discoveryMethod: 'treewalk' });
  assert.equal(report.generator, 'Example Receiver DMARC reporter 2.1');
  assert.deepEqual(report.errors, ['rua=mailto:dmarc@reports.example is not authorized by reports.example']);
  const [first, second, third] = report.records;
  assert.equal(first!.sourceIp, '2a01:111:f400:7e1b::201');
  assert.equal(first!.disposition, 'pass');
  assert.deepEqual(first!.authDkim, [{ domain: 'acme.example', selector: 'selector2', result: 'pass', humanResult: null }]);
  assert.equal(second!.authSpf[0]!.humanResult, '203.0.113.80 is not in the SPF record of acme.example');
  assert.deepEqual(third!.authDkim[0], { domain: 'acme.example', selector: 'mail2024', result: 'permerror', humanResult: 'no key for signature' });
});

test('RFC 7489: envelope identifiers, SPF scope, override reasons and policy_published as written', async () => {
  const ms = (await read(`outlook.com!acme.example!${RANGE}.xml.gz`)).reports[0]!.report;
  assert.deepEqual(ms.policy, { domain: 'acme.example', p: 'quarantine', sp: 'quarantine', np: null, adkim: 'r', aspf: 'r', pct: 100, fo: '0', testing: null, discoveryMethod: null });
  assert.equal(ms.records[0]!.envelopeTo, 'outlook.com');
  assert.equal(ms.records[0]!.envelopeFrom, 'acme.example');
  assert.equal(ms.records[0]!.authSpf[0]!.scope, 'mfrom');
  const google = (await read(`google.com!acme.example!${RANGE}.zip`)).reports[0]!.report;
  assert.deepEqual(google.records.find((r) => r.sourceIp === '209.85.220.69')!.reasons, [{ type: 'local_policy', comment: 'arc=pass' }]);
});

test('quirky report: values normalised, the unusable record named and left out', async () => {
  const r = await read('quirky.xml');
  const { report } = r.reports[0]!;
  assert.equal(report.begin, 1795478400);
  assert.equal(report.end, 1795564799);
  assert.equal(report.policy.p, 'quarantine');
  assert.equal(report.policy.sp, null);
  assert.equal(report.policy.pct, 100);
  assert.equal(report.records[0]!.sourceIp, '40.107.22.51');
  assert.equal(report.records[0]!.count, 7);
  assert.equal(report.records[0]!.dkim, 'pass');
  assert.deepEqual(r.problems, ['quirky.xml: record 4 left out: "not-an-address" is not an IP address']);
});

/** A minimal report, for the quirks the fixtures do not carry. */
function report(parts: { begin?: string; end?: string; row?: string; auth?: string; policy?: string; root?: string } = {}): Uint8Array {
  return Buffer.from(`<feedback${parts.root ?? ''}><report_metadata><org_name>r.example</org_name><email>a@r.example</email><report_id>id-1</report_id>
<date_range><begin>${parts.begin ?? '1795478400'}</begin><end>${parts.end ?? '1795564799'}</end></date_range></report_metadata>
<policy_published><domain>acme.example</domain>${parts.policy ?? '<p>none</p><sp>none</sp><pct>100</pct>'}</policy_published>
<record><row>${parts.row ?? '<source_ip>192.0.2.1</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated>'}</row>
<identifiers><header_from>acme.example</header_from></identifiers><auth_results>${parts.auth ?? ''}</auth_results></record></feedback>`);
}

const QUIRKS: [string, Parameters<typeof report>[0], string, (r: import('../src/reports/dmarc/types.ts').AggregateReport) => void][] = [
  ['milliseconds', { begin: '1795478400000', end: '1795564799000' }, 'millisecond-timestamp', (r) => assert.equal(r.begin, 1795478400)],
  ['swapped range', { begin: '1795564799', end: '1795478400' }, 'swapped-date-range', (r) => assert.ok(r.begin < r.end)],
  ['ISO date without zone', { begin: '2026-11-24T00:00:00', end: '2026-11-24T23:59:59' }, 'iso-date', (r) => assert.equal(r.begin, 1795478400)],
  ['IPv4-mapped IPv6 source', { row: '<source_ip>::ffff:192.0.2.7</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated>' }, 'mapped-ipv6', (r) => assert.equal(r.records[0]!.sourceIp, '192.0.2.7')],
  ['no policy_evaluated results', { row: '<source_ip>192.0.2.1</source_ip><count>2</count>', auth: '<dkim><domain>mail.acme.example</domain><selector>s</selector><result>pass</result></dkim><spf><domain>other.example</domain><result>pass</result></spf>' }, 'missing-policy-evaluated',
    (r) => { assert.equal(r.records[0]!.dkim, 'pass'); assert.equal(r.records[0]!.spf, 'fail'); }],
  ['strict alignment when computing', { policy: '<adkim>s</adkim><p>none</p><sp>none</sp><pct>100</pct>', row: '<source_ip>192.0.2.1</source_ip><count>2</count>', auth: '<dkim><domain>mail.acme.example</domain><result>pass</result></dkim>' }, 'missing-policy-evaluated',
    (r) => assert.equal(r.records[0]!.dkim, 'fail')],
  ['a non-standard aligned result', { row: '<source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>softfail</dkim><spf>pass</spf></policy_evaluated>' }, 'nonstandard-alignment-result', (r) => assert.equal(r.records[0]!.dkim, 'fail')],
  ['namespace-less RFC 9990', { policy: '<p>reject</p><np>reject</np><testing>y</testing>' }, '', (r) => { assert.equal(r.schema, 'rfc9990'); assert.equal(r.policy.testing, true); }],
  ['prefixed namespace', { root: ' xmlns:d="urn:ietf:params:xml:ns:dmarc-2.0"' }, '', (r) => assert.equal(r.records.length, 1)],
];

for (const [what, parts, code, check] of QUIRKS) {
  test(`reporter quirk: ${what}${code ? ` (${code})` : ''}`, async () => {
    const r = await read('quirk.xml', report(parts));
    assert.equal(r.summary.error, undefined, r.summary.error);
    const rep = r.reports[0]!.report;
    if (code) assert.ok(rep.quirks.some((q) => q.code === code), JSON.stringify(rep.quirks));
    check(rep);
  });
}

const REFUSED: [string, Uint8Array, RegExp][] = [
  ['malformed XML', fixture('malformed.xml'), /^malformed\.xml: malformed XML at line 8, column 1: <report_id> is never closed$/],
  ['XML that is not a report', Buffer.from('<?xml version="1.0"?><rss><channel/></rss>'), /not a DMARC aggregate report: the root element is <rss>/],
  ['a report without report_id', Buffer.from('<feedback><report_metadata><org_name>x</org_name></report_metadata></feedback>'), /no <report_id>/],
  ['a report without a date range', Buffer.from('<feedback><report_metadata><org_name>x</org_name><report_id>1</report_id></report_metadata></feedback>'), /no <date_range><begin>/],
  ['a begin that is no time', report({ begin: 'yesterday' }), /<begin> is "yesterday", not a time/],
  ['a PDF', Buffer.from('%PDF-1.7\n...'), /neither XML, gzip, ZIP nor an email message/],
  ['an empty file', new Uint8Array(0), /the file is empty/],
  ['truncated gzip', gzipSync(fixture('yahoo.xml')).subarray(0, 200), /corrupt gzip data/],
  ['an email without a report', Buffer.from('From: a@b.example\r\nSubject: hi\r\n\r\nno attachment\r\n'), /no DMARC report attached to this email/],
];

for (const [what, bytes, message] of REFUSED) {
  test(`refused: ${what}`, async () => {
    const r = await read(what === 'malformed XML' ? 'malformed.xml' : 'input', bytes);
    assert.equal(r.reports.length, 0);
    assert.match(r.summary.error ?? '', message);
    assert.ok(!r.summary.error!.includes('\n'), 'one line');
  });
}

/** A ZIP written here, byte by byte (APPNOTE 4.3), so each field can be made to lie. */
function zip(entries: { name: string; data: Uint8Array; method?: 0 | 8; size?: number; crc?: number; flags?: number }[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(e.data) : Buffer.from(e.data);
    const name = Buffer.from(e.name);
    const crc = e.crc ?? crc32(e.data);
    const size = e.size ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(e.flags ?? 0, 6); local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(body.length, 18); local.writeUInt32LE(size, 22); local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(e.flags ?? 0, 8); central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(body.length, 20); central.writeUInt32LE(size, 24); central.writeUInt16LE(name.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0); eocd.writeUInt16LE(entries.length, 8); eocd.writeUInt16LE(entries.length, 10); eocd.writeUInt32LE(cd.length, 12); eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

test('ZIP: stored and deflated entries, nested gzip, directories and non-report files skipped', async () => {
  const xml = fixture('yahoo.xml');
  const bytes = zip([
    { name: 'reports/', data: new Uint8Array(0), method: 0 },
    { name: 'reports/a.xml', data: xml, method: 0 },
    { name: 'reports/b.xml.gz', data: gzipSync(fixture('rfc9990.xml')) },
    { name: 'README.txt', data: Buffer.from('hello') },
  ]);
  const r = await read('bundle.zip', bytes);
  assert.equal(r.summary.error, undefined);
  assert.deepEqual(r.reports.map((x) => x.source), ['bundle.zip › reports/a.xml', 'bundle.zip › reports/b.xml']);
  assert.deepEqual(r.problems, ['bundle.zip › README.txt: not XML, gzip or ZIP']);
});

const BAD_ZIPS: [string, Uint8Array, RegExp][] = [
  ['a CRC-32 that does not match', zip([{ name: 'a.xml', data: fixture('yahoo.xml'), crc: 1234 }]), /fails its CRC-32 check/],
  ['an encrypted entry', zip([{ name: 'a.xml', data: fixture('yahoo.xml'), flags: 1 }]), /encrypted/],
  ['a size that does not match', zip([{ name: 'a.xml', data: fixture('yahoo.xml'), size: 10 }]), /is 1557 bytes, the directory says 10/],
  ['a truncated archive', zip([{ name: 'a.xml', data: fixture('yahoo.xml') }]).subarray(0, 300), /no end-of-central-directory record/],
  ['an unsupported method', (() => { const z = Buffer.from(zip([{ name: 'a.xml', data: fixture('yahoo.xml'), method: 0 }])); z.writeUInt16LE(12, z.indexOf(Buffer.from([0x50, 0x4b, 1, 2])) + 10); return z; })(), /compression method 12/],
];

for (const [what, bytes, message] of BAD_ZIPS) {
  test(`ZIP refused: ${what}`, async () => {
    const r = await read('bad.zip', bytes);
    assert.match(r.summary.error ?? '', message);
  });
}

test('zip bomb: an entry that inflates past the limit while its headers claim 1 KiB is refused', async () => {
  const started = process.hrtime.bigint();
  const r = await read('bomb.zip');
  assert.match(r.summary.error ?? '', /^bomb\.zip: "report\.xml" in the ZIP archive decompresses to more than 67108864 bytes: refused as a possible zip bomb/);
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 5000);
});

test('zip bomb: a declared size above the limit is refused before inflating; the limit is configurable', async () => {
  const small: SizeLimits = { ...DEFAULT_SIZE_LIMITS, maxUncompressedBytes: 1000 };
  const r = await read('a.zip', zip([{ name: 'a.xml', data: fixture('yahoo.xml') }]), small);
  assert.match(r.summary.error ?? '', /"a\.xml" in the ZIP archive \(declares 1557 bytes\) decompresses to more than 1000 bytes/);
});

test('zip bomb: many overlapping entries share one budget', async () => {
  const xml = fixture('yahoo.xml');
  const entries = Array.from({ length: 50 }, (_, i) => ({ name: `r${i}.xml`, data: xml }));
  const r = await read('many.zip', zip(entries), { ...DEFAULT_SIZE_LIMITS, maxUncompressedBytes: 20_000 });
  assert.match(r.summary.error ?? '', /decompresses to more than 20000 bytes/);
  const tooMany = await read('many.zip', zip(entries), { ...DEFAULT_SIZE_LIMITS, maxEntries: 10 });
  assert.match(tooMany.summary.error ?? '', /50 entries, above the limit of 10/);
});

test('gzip bomb: refused at the limit, not inflated whole', async () => {
  const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024), { level: 9 });
  const r = await read('bomb.xml.gz', bomb, { ...DEFAULT_SIZE_LIMITS, maxUncompressedBytes: 1024 * 1024 });
  assert.match(r.summary.error ?? '', /the gzip data of bomb\.xml\.gz decompresses to more than 1048576 bytes/);
});

test('compressed input above maxInputBytes is refused before unpacking', async () => {
  const r = await read('big.xml', fixture('google.xml'), { ...DEFAULT_SIZE_LIMITS, maxInputBytes: 100 });
  assert.match(r.summary.error ?? '', /4\d{3} bytes, above the limit of 100 bytes/);
});

test('containers nest only so deep (gzip in gzip in gzip…)', async () => {
  let bytes: Uint8Array = fixture('yahoo.xml');
  for (let i = 0; i < 6; i++) bytes = gzipSync(bytes);
  const r = await read('deep.gz', bytes);
  assert.match(r.summary.error ?? '', /nested deeper than 4 levels/);
});

test('one bad document inside an archive is a problem, not a failure of the whole input', async () => {
  const r = await read('mixed.zip', zip([{ name: 'good.xml', data: fixture('yahoo.xml') }, { name: 'bad.xml', data: fixture('malformed.xml') }]));
  assert.equal(r.summary.error, undefined);
  assert.equal(r.reports.length, 1);
  assert.match(r.problems.join('\n'), /mixed\.zip › bad\.xml: malformed XML at line 8/);
});
