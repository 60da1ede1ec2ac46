import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAnswer, isValidCode, matchesCode, type AnswerInput } from './answer.ts';
import { catalog, findList, type Blocklist } from './catalog.ts';

function list(id: string): Blocklist {
  const l = findList(id);
  assert.ok(l, id);
  return l;
}

const a = (...addresses: string[]): AnswerInput => ({ outcome: 'answer', rcode: 'NOERROR', records: addresses.map((data) => ({ data })) });
const outcome = (o: AnswerInput['outcome'], rcode: AnswerInput['rcode']): AnswerInput => ({ outcome: o, rcode, records: [] });

test('code forms: address, range, x-pattern', () => {
  const table: [string, string, boolean][] = [
    ['127.0.0.2', '127.0.0.2', true],
    ['127.0.0.2', '127.0.0.3', false],
    ['127.0.0.5-127.0.0.7', '127.0.0.6', true],
    ['127.0.0.5-127.0.0.7', '127.0.0.8', false],
    ['127.0.x.0', '127.0.5.0', true],
    ['127.0.x.0', '127.0.5.1', false],
    ['127.255.255.0-127.255.255.255', '127.255.255.254', true],
    ['127.0.0.2', '2001:db8::1', false],
  ];
  for (const [code, address, want] of table) assert.equal(matchesCode(code, address), want, `${code} vs ${address}`);
  for (const bad of ['127.0.0', '127.0.0.256', '127.0.0.9-127.0.0.2', 'REFUSED', '127.0.0.y']) assert.equal(isValidCode(bad), false, bad);
});

test('every code and error code in the catalog is in a form the engine reads', () => {
  for (const l of catalog.lists) {
    for (const c of l.codes) assert.ok(isValidCode(c.code), `${l.id} ${c.code}`);
    for (const e of l.errors) assert.ok(e.rcode || (e.code && isValidCode(e.code)) || e.bit, `${l.id} ${JSON.stringify(e)}`);
    if (l.bitmask) for (const c of l.codes) assert.ok(c.bit, `${l.id} bitmask code ${c.code} has a bit`);
  }
});

test('ZEN: each documented code is a listing, decoded to its sub-list; PBL is policy, not abuse', () => {
  const zen = list('spamhaus-zen');
  const table: [string, string, string, boolean][] = [
    ['127.0.0.2', 'SBL', 'block', true],
    ['127.0.0.3', 'CSS', 'block', true],
    ['127.0.0.4', 'XBL', 'block', true],
    ['127.0.0.6', 'XBL', 'block', true],
    ['127.0.0.9', 'DROP', 'block', true],
    ['127.0.0.10', 'PBL', 'policy', false],
    ['127.0.0.11', 'PBL', 'policy', false],
  ];
  for (const [code, label, severity, abuse] of table) {
    const v = classifyAnswer(zen, a(code));
    assert.equal(v.status, 'listed', code);
    if (v.status !== 'listed') continue;
    assert.equal(v.matched[0]?.label, label);
    assert.equal(v.matched[0]?.severity, severity);
    assert.equal(v.matched[0]?.abuse, abuse);
  }
  const both = classifyAnswer(zen, a('127.0.0.4', '127.0.0.10'));
  assert.equal(both.status, 'listed');
  if (both.status === 'listed') assert.deepEqual(both.matched.map((c) => c.label), ['XBL', 'PBL']);
});

test('DBL codes: spam, phish, malware, abused-legit', () => {
  const dbl = list('spamhaus-dbl');
  for (const [code, label] of [['127.0.1.2', 'spam'], ['127.0.1.4', 'phish'], ['127.0.1.5', 'malware'], ['127.0.1.102', 'abused-legit spam'], ['127.0.1.104', 'abused-legit phish']]) {
    const v = classifyAnswer(dbl, a(code as string));
    assert.equal(v.status, 'listed');
    if (v.status === 'listed') assert.equal(v.matched[0]?.label, label);
  }
});

test('error answers are errors, never listings', () => {
  const table: [string, AnswerInput, string][] = [
    ['spamhaus-zen', a('127.255.255.254'), 'public-resolver'],
    ['spamhaus-zen', a('127.255.255.255'), 'excessive-volume'],
    ['spamhaus-zen', a('127.255.255.252'), 'zone-typo'],
    ['spamhaus-zen', a('127.255.255.250'), 'key-rejected'],
    ['spamhaus-zen', a('127.255.255.77'), 'query-error'],
    ['spamhaus-zen', a('127.0.0.2', '127.255.255.254'), 'public-resolver'],
    ['spamhaus-dbl', a('127.0.1.255'), 'ip-on-domain-list'],
    ['spamhaus-dbl', a('127.255.255.254'), 'public-resolver'],
    ['uribl-multi', a('127.0.0.1'), 'query-blocked'],
    ['surbl-multi', a('127.0.0.1'), 'query-blocked'],
    ['senderscore-rpbl', a('127.255.255.255'), 'resolver-not-registered'],
    ['abusix-combined', outcome('refused', 'REFUSED'), 'key-rejected'],
  ];
  for (const [id, answer, kind] of table) {
    const v = classifyAnswer(list(id), answer);
    assert.equal(v.status, 'error', `${id} ${JSON.stringify(answer)}`);
    if (v.status === 'error') assert.equal(v.kind, kind, `${id} ${JSON.stringify(answer)}`);
  }
});

test('answers outside 127/8 are a rewriting resolver, not a listing (RFC 5782 2.3)', () => {
  for (const id of ['spamhaus-zen', 'barracuda-brbl', 'spamhaus-dbl', 'uribl-multi']) {
    for (const answer of [a('198.51.100.7'), a('127.0.0.2', '198.51.100.7'), a('0.0.0.0')]) {
      const v = classifyAnswer(list(id), answer);
      assert.equal(v.status, 'error');
      if (v.status === 'error') assert.equal(v.kind, 'rewritten-nxdomain');
    }
  }
});

test('undocumented 127.x codes are unrecognised errors, not listings', () => {
  const table: [string, string][] = [['spamhaus-zen', '127.0.0.8'], ['barracuda-brbl', '127.0.0.3'], ['spamhaus-dbl', '127.0.1.3'], ['spamrats-all', '127.0.0.2'], ['uribl-multi', '127.0.0.16']];
  for (const [id, code] of table) {
    const v = classifyAnswer(list(id), a(code));
    assert.equal(v.status, 'error', `${id} ${code}`);
    if (v.status === 'error') assert.equal(v.kind, 'unrecognised');
  }
  // A documented code beside an undocumented one: the listing stands, the stray code is kept.
  const mixed = classifyAnswer(list('spamhaus-zen'), a('127.0.0.4', '127.0.0.8'));
  assert.equal(mixed.status, 'listed');
  if (mixed.status === 'listed') assert.deepEqual(mixed.unrecognised, ['127.0.0.8']);
});

test('bitmask lists decode every bit of the last octet', () => {
  const surbl = classifyAnswer(list('surbl-multi'), a('127.0.0.80'));
  assert.equal(surbl.status, 'listed');
  if (surbl.status === 'listed') assert.deepEqual(surbl.matched.map((c) => c.label).sort(), ['ABUSE', 'MW']);
  const uribl = classifyAnswer(list('uribl-multi'), a('127.0.0.6'));
  assert.equal(uribl.status, 'listed');
  if (uribl.status === 'listed') assert.deepEqual(uribl.matched.map((c) => c.label), ['black', 'grey']);
  const refused = classifyAnswer(list('uribl-multi'), a('127.0.0.3'));
  assert.equal(refused.status, 'error', 'bit 1 set means refused, whatever else is set');
});

test('NXDOMAIN is not listed; NODATA is not listed with a note; failures are errors', () => {
  const zen = list('spamhaus-zen');
  assert.deepEqual(classifyAnswer(zen, outcome('nxdomain', 'NXDOMAIN')), { status: 'not-listed', codes: [] });
  const nodata = classifyAnswer(zen, outcome('nodata', 'NOERROR'));
  assert.equal(nodata.status, 'not-listed');
  assert.ok(nodata.status === 'not-listed' && nodata.note?.includes('NODATA'));
  for (const [o, rcode, kind] of [['servfail', 'SERVFAIL', 'servfail'], ['refused', 'REFUSED', 'refused'], ['timeout', null, 'timeout'], ['error', null, 'network']] as const) {
    const v = classifyAnswer(zen, outcome(o, rcode));
    assert.equal(v.status, 'error');
    if (v.status === 'error') assert.equal(v.kind, kind);
  }
});
