/** Reverse DNS and FCrDNS against the lab: each finding, IPv6 nibble names, and DNS faults. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAuthLab, SOA, type AuthLab } from './auth-checks-lab.ts';
import { checkReverseDns, run as runPtr } from '../src/checks/ptr/index.ts';
import { reverseName } from '../src/net/names.ts';

const V4 = `$ORIGIN 2.0.192.in-addr.arpa.
${SOA}
25 PTR mx1.ptr.test.
27 PTR other.ptr.test.
28 PTR 28-2-0-192.dyn.pool.isp.test.
29 PTR 192-0-2-29.hosting.isp.test.
30 PTR a.ptr.test.
30 PTR b.ptr.test.
31 PTR mx1.ptr.test.
`;
const V6 = `$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.
${SOA}
${reverseName('2001:db8::25')}. PTR mx1.ptr.test.
${reverseName('2001:db8::26')}. PTR other.ptr.test.
`;
const NAMES = `$ORIGIN ptr.test.
${SOA}
mx1 A 192.0.2.25
mx1 A 192.0.2.31
mx1 AAAA 2001:0db8:0000::25
other A 192.0.2.99
other AAAA 2001:db8::99
a A 192.0.2.30
b A 192.0.2.30
; a domain whose MX host has a forward-confirmed PTR
@ MX 10 mx1
nullmx MX 0 .
`;
const ISP = `$ORIGIN isp.test.
${SOA}
28-2-0-192.dyn.pool A 192.0.2.28
192-0-2-29.hosting A 192.0.2.29
`;

let lab: AuthLab;
before(async () => { lab = await startAuthLab([V4, V6, NAMES, ISP], '127.0.0.1'); });
after(() => lab.close());

async function rdns(ip: string, role: 'mx' | 'sender' = 'sender') {
  lab.faults([]);
  return checkReverseDns(lab.context(), ip, { role });
}
const ids = (r: { findings: Array<{ id: string }> }) => r.findings.map((f) => f.id).sort();

test('forward-confirmed PTR: no findings', async () => {
  const r = await rdns('192.0.2.25');
  assert.equal(r.status, 'ok');
  assert.equal(r.fcrdns, true);
  assert.equal(r.name, 'mx1.ptr.test');
  assert.deepEqual(ids(r), []);
});

test('no PTR: error for a sending address, warning for an MX address', async () => {
  const sender = await rdns('192.0.2.26');
  assert.equal(sender.status, 'no-ptr');
  assert.deepEqual(ids(sender), ['ptr.missing']);
  assert.equal(sender.findings[0]!.severity, 'error');
  assert.equal((await rdns('192.0.2.26', 'mx')).findings[0]!.severity, 'warn');
});

test('PTR whose name does not resolve back: not forward-confirmed', async () => {
  const r = await rdns('192.0.2.27');
  assert.equal(r.fcrdns, false);
  assert.deepEqual(ids(r), ['ptr.not-confirmed']);
  assert.match(r.findings[0]!.detail, /other\.ptr\.test → 192\.0\.2\.99/);
});

test('dynamic-looking and generic PTR names', async () => {
  const dyn = await rdns('192.0.2.28');
  assert.deepEqual(ids(dyn), ['ptr.dynamic']);
  assert.equal(dyn.findings[0]!.severity, 'warn');
  const generic = await rdns('192.0.2.29');
  assert.deepEqual(ids(generic), ['ptr.generic']);
  assert.equal(generic.findings[0]!.severity, 'info');
});

test('several PTR records', async () => {
  const r = await rdns('192.0.2.30');
  assert.deepEqual(ids(r), ['ptr.multiple']);
  assert.equal(r.fcrdns, true);
});

test('IPv6: ip6.arpa nibble name, confirmation compares addresses, not text', async () => {
  const ok = await rdns('2001:db8::25');
  assert.equal(ok.reverseName, '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  assert.equal(ok.status, 'ok');
  const bad = await rdns('2001:db8::26');
  assert.deepEqual(ids(bad), ['ptr.not-confirmed']);
});

test('SERVFAIL on the PTR lookup is unknown, never "no PTR"', async () => {
  lab.faults([{ name: '25.2.0.192.in-addr.arpa', action: 'servfail' }]);
  const r = await checkReverseDns(lab.context(), '192.0.2.25');
  assert.equal(r.status, 'lookup-failed');
  assert.equal(r.fcrdns, null);
  assert.deepEqual(ids(r), ['ptr.lookup-failed']);
});

test('a timeout on the forward lookup is unknown, never "not confirmed"', async () => {
  lab.faults([{ name: 'other.ptr.test', type: 'A', action: 'drop' }]);
  const r = await checkReverseDns(lab.context(), '192.0.2.27');
  assert.equal(r.status, 'lookup-failed');
  assert.deepEqual(ids(r), ['ptr.lookup-failed']);
});

test('the check over a domain: every MX address, with an ok summary', async () => {
  lab.faults([]);
  const r = await runPtr(lab.context(), 'ptr.test');
  assert.equal(r.status, 'ok');
  assert.deepEqual(r.data.addresses.map((a) => a.ip).sort(), ['192.0.2.25', '192.0.2.31', '2001:db8::25']);
  assert.deepEqual(ids(r), ['ptr.ok']);
});

test('the check is unknown when an MX address lookup fails, and skipped for a null MX', async () => {
  lab.faults([{ name: 'mx1.ptr.test', type: 'AAAA', action: 'servfail' }]);
  const failed = await runPtr(lab.context(), 'ptr.test');
  assert.equal(failed.status, 'unknown');
  lab.faults([{ name: '31.2.0.192.in-addr.arpa', action: 'drop' }]);
  assert.equal((await runPtr(lab.context(), 'ptr.test')).status, 'unknown');
  lab.faults([]);
  const nullMx = await runPtr(lab.context(), 'nullmx.ptr.test');
  assert.equal(nullMx.status, 'skipped');
  assert.match(nullMx.data.skipped ?? '', /null MX/);
});
