import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDmarcRecord, parseReportUri, isDmarcRecord, looksLikeDmarcAttempt, appliedPolicyTags } from './record.ts';
import { lintRecord } from './lint.ts';
import { explainTags } from './explain.ts';

const errors = (text: string) => parseDmarcRecord(text).problems.filter((p) => p.severity === 'error').map((p) => p.tag ?? '-');
const lint = (text: string) => lintRecord(parseDmarcRecord(text).record).map((i) => i.code).sort();

test('v=DMARC1 must come first (RFC 7489 6.4)', () => {
  assert.equal(isDmarcRecord('v=DMARC1; p=reject'), true);
  assert.equal(isDmarcRecord('v = DMARC1 ;p=reject'), true);
  assert.equal(isDmarcRecord('v=DMARC1'), true);
  assert.equal(isDmarcRecord('p=reject; v=DMARC1'), false);
  assert.equal(isDmarcRecord('v=DMARC1 p=reject'), false);
  assert.equal(isDmarcRecord('v=DMARC2; p=reject'), false);
  assert.equal(looksLikeDmarcAttempt('p=reject; v=DMARC1'), true);
  assert.equal(looksLikeDmarcAttempt('v=spf1 -all'), false);
  assert.equal(looksLikeDmarcAttempt('v=DMARC1; p=none'), false);
});

const errorTable: [string, string, string[]][] = [
  ['minimal valid record', 'v=DMARC1; p=reject', []],
  ['trailing semicolon and spaces', ' v=DMARC1 ; p = quarantine ; ', []],
  ['missing v first', 'p=reject; v=DMARC1', ['v']],
  ['missing p', 'v=DMARC1; rua=mailto:d@acme.example', ['p']],
  ['bad p', 'v=DMARC1; p=block', ['p']],
  ['bad sp', 'v=DMARC1; p=reject; sp=off', ['sp']],
  ['bad np', 'v=DMARC1; p=reject; np=maybe', ['np']],
  ['bad adkim', 'v=DMARC1; p=reject; adkim=x', ['adkim']],
  ['pct over 100', 'v=DMARC1; p=reject; pct=150', ['pct']],
  ['pct not a number', 'v=DMARC1; p=reject; pct=half', ['pct']],
  ['bare address in rua', 'v=DMARC1; p=reject; rua=dmarc@acme.example', ['rua']],
  ['unsupported scheme in ruf', 'v=DMARC1; p=reject; ruf=ftp://x.example/r', ['ruf']],
  ['bad t', 'v=DMARC1; p=reject; t=maybe', ['t']],
  ['bad psd', 'v=DMARC1; p=reject; psd=x', ['psd']],
  ['duplicate tag', 'v=DMARC1; p=reject; p=none', ['-']],
  ['empty rua', 'v=DMARC1; p=reject; rua=', ['rua']],
];
for (const [name, text, expected] of errorTable) {
  test(`DMARC record errors: ${name}`, () => assert.deepEqual(errors(text), expected));
}

test('tags are read with their defaults', () => {
  const { record } = parseDmarcRecord('v=DMARC1; p=Reject; sp=none; np=quarantine; adkim=s; pct=50; fo=1:d; rua=mailto:a@x.example,mailto:b@y.example!10m; ruf=mailto:f@x.example; t=y; psd=n; zz=1');
  assert.equal(record.p, 'reject');
  assert.equal(record.sp, 'none');
  assert.equal(record.np, 'quarantine');
  assert.equal(record.adkim, 's');
  assert.equal(record.aspf, 'r');
  assert.equal(record.pct, 50);
  assert.deepEqual(record.fo, ['1', 'd']);
  assert.deepEqual(record.rua.map((u) => [u.target, u.host, u.size]), [['a@x.example', 'x.example', null], ['b@y.example', 'y.example', '10m']]);
  assert.equal(record.t, 'y');
  assert.equal(record.psd, 'n');
  assert.deepEqual(record.unknownTags, ['zz']);
});

test('report URIs', () => {
  assert.equal(parseReportUri('mailto:dmarc@Reports.Example').host, 'reports.example');
  assert.equal(parseReportUri('mailto:dmarc%40x@r.example').valid, false);
  assert.equal(parseReportUri('https://r.example/dmarc').host, 'r.example');
  assert.equal(parseReportUri('mailto:no-at-sign').valid, false);
  assert.match(parseReportUri('dmarc@r.example').problem ?? '', /mailto:dmarc@r\.example/);
  assert.equal(parseReportUri('mailto:d@r.example!20k').size, '20k');
});

const lintTable: [string, string, string[]][] = [
  ['reject with reports is clean', 'v=DMARC1; p=reject; rua=mailto:d@acme.example', []],
  ['p=none warns', 'v=DMARC1; p=none; rua=mailto:d@acme.example', ['policy-none']],
  ['sp=none under p=reject is weaker, and not mistaken for p=none', 'v=DMARC1; p=reject; sp=none; rua=mailto:d@acme.example', ['sp-weaker']],
  ['sp=reject under p=quarantine is fine', 'v=DMARC1; p=quarantine; sp=reject; rua=mailto:d@acme.example', []],
  ['np weaker than sp', 'v=DMARC1; p=reject; np=none; rua=mailto:d@acme.example', ['np-weaker']],
  ['np stronger than p is fine', 'v=DMARC1; p=none; np=reject; rua=mailto:d@acme.example', ['policy-none']],
  ['pct below 100', 'v=DMARC1; p=quarantine; pct=25; rua=mailto:d@acme.example', ['pct-partial', 'removed-tags']],
  ['pct=100 is only the removed tag', 'v=DMARC1; p=reject; pct=100; rua=mailto:d@acme.example', ['removed-tags']],
  ['rf and ri removed by 9989', 'v=DMARC1; p=reject; rf=afrf; ri=86400; rua=mailto:d@acme.example', ['removed-tags']],
  ['t=y testing', 'v=DMARC1; p=reject; t=y; rua=mailto:d@acme.example', ['testing']],
  ['no rua', 'v=DMARC1; p=reject', ['no-reports']],
];
for (const [name, text, expected] of lintTable) {
  test(`DMARC lint: ${name}`, () => assert.deepEqual(lint(text), [...expected].sort()));
}

test('a record without a valid p acts as p=none only when it has a report address (RFC 7489 6.6.3)', () => {
  const withRua = parseDmarcRecord('v=DMARC1; p=block; rua=mailto:d@acme.example');
  assert.deepEqual(appliedPolicyTags(withRua.record, withRua.problems), { p: 'none', sp: null, np: null, fallback: true });
  const without = parseDmarcRecord('v=DMARC1; p=block');
  assert.equal(appliedPolicyTags(without.record, without.problems), null);
  const good = parseDmarcRecord('v=DMARC1; p=reject; sp=quarantine');
  assert.deepEqual(appliedPolicyTags(good.record, good.problems), { p: 'reject', sp: 'quarantine', np: null, fallback: false });
});

test('every tag gets an explanation', () => {
  const ex = explainTags(parseDmarcRecord('v=DMARC1; p=quarantine; sp=reject; np=reject; pct=100; rua=mailto:d@acme.example; t=y; psd=n').record);
  assert.equal(ex.length, 8);
  assert.match(ex.find((e) => e.tag === 'p')!.meaning, /suspicious/);
  assert.match(ex.find((e) => e.tag === 'np')!.meaning, /do not exist/);
  assert.match(ex.find((e) => e.tag === 'rua')!.meaning, /d@acme\.example/);
  assert.ok(ex.every((e) => e.meaning.length > 10));
});
