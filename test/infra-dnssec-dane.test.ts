/** DNSSEC status and DANE TLSA against the lab (signed zones get the AD flag), with DNS faults. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAuthLab, SOA, type AuthLab } from './auth-checks-lab.ts';
import { run as runDnssec } from '../src/checks/dnssec/index.ts';
import { run as runDane } from '../src/checks/dane/index.ts';
import type { CheckResult } from '../src/checks/types.ts';

const H32 = 'a1'.repeat(32);
const SIGNED = `; lab: signed
$ORIGIN signed.test.
$TTL 300
${SOA}
@ MX 10 mx1
mx1 A 192.0.2.25
_25._tcp.mx1 TLSA 3 1 1 ${H32}
_25._tcp.mx1 TLSA 2 1 1 ${'b2'.repeat(32)}
bad MX 10 mx2
mx2 A 192.0.2.26
_25._tcp.mx2 TLSA 1 1 1 ${H32}
_25._tcp.mx2 TLSA 3 1 1 ${'c3'.repeat(31)}
mixed MX 10 mx3
mx3 A 192.0.2.27
_25._tcp.mx3 TLSA 3 1 1 ${H32}
_25._tcp.mx3 TLSA 3 2 1 ${H32}
_25._tcp.mx3 TLSA 3 1 3 ${H32}
_25._tcp.mx3 TLSA 4 1 1 ${H32}
_25._tcp.mx3 TLSA 3 0 0 ${H32}
partial MX 10 mx1
partial MX 20 mx4
mx4 A 192.0.2.28
plain MX 10 mx4
aliased MX 10 mx5
mx5 CNAME mx.unsigned.test.
_25._tcp.mx5 TLSA 3 1 1 ${H32}
bogus MX 10 mx1
nullmx MX 0 .
`;
const UNSIGNED = `$ORIGIN unsigned.test.
$TTL 300
${SOA}
@ MX 10 mx
mx A 198.51.100.25
_25._tcp.mx TLSA 3 1 1 ${H32}
`;

let lab: AuthLab;
before(async () => { lab = await startAuthLab([SIGNED, UNSIGNED], '127.0.0.1'); });
after(() => lab.close());

const ids = (r: CheckResult) => r.findings.map((f) => f.id).sort();
async function dane(domain: string, faults = [] as Parameters<AuthLab['faults']>[0]) {
  lab.faults(faults);
  return runDane(lab.context(), domain);
}
async function dnssec(domain: string, faults = [] as Parameters<AuthLab['faults']>[0]) {
  lab.faults(faults);
  return runDnssec(lab.context(), domain);
}

test('DNSSEC: AD from the resolver means signed and validated', async () => {
  const r = await dnssec('signed.test');
  assert.deepEqual(ids(r), ['dnssec.signed']);
  assert.equal(r.status, 'ok');
  assert.equal(r.data.status, 'signed');
  assert.equal(r.data.validatedBy, 'resolver');
  assert.equal((await dnssec('bogus.signed.test')).data.status, 'signed', 'a name below the apex (SOA NODATA) still carries AD');
});

test('DNSSEC: no AD means unsigned, stated with the resolver limits', async () => {
  const r = await dnssec('unsigned.test');
  assert.deepEqual(ids(r), ['dnssec.unsigned']);
  assert.equal(r.data.status, 'unsigned');
  assert.match(r.findings[0]!.detail, /does not validate/);
});

test('DNSSEC: SERVFAIL on every lookup is the classic validation failure, reported but unknown', async () => {
  const r = await dnssec('bogus.signed.test', [{ name: 'bogus.signed.test', action: 'servfail' }]);
  assert.equal(r.data.status, 'failed');
  assert.deepEqual(ids(r), ['dnssec.failed']);
  assert.equal(r.status, 'unknown');
});

test('DNSSEC: a timeout is unknown, and one failed lookup is enough to withhold ok', async () => {
  const r = await dnssec('signed.test', [{ name: 'signed.test', action: 'drop' }]);
  assert.deepEqual(ids(r), ['dnssec.lookup-failed']);
  assert.equal(r.status, 'unknown');
  const half = await dnssec('signed.test', [{ name: 'signed.test', type: 'SOA', action: 'servfail' }]);
  assert.equal(half.status, 'unknown');
});

test('DANE: validated, usable TLSA records are in effect', async () => {
  const r = await dane('signed.test');
  assert.deepEqual(ids(r), ['dane.ok']);
  assert.equal(r.status, 'ok');
  assert.equal(r.data.hosts[0]!.state, 'active');
  assert.equal(r.data.hosts[0]!.tlsaName, '_25._tcp.mx1.signed.test');
  assert.deepEqual(r.data.hosts[0]!.records.map((x) => x.label).sort(), ['DANE-EE SPKI SHA2-256', 'DANE-TA SPKI SHA2-256']);
});

test('DANE: PKIX usage and a short digest leave no usable record: errors', async () => {
  const r = await dane('bad.signed.test');
  assert.deepEqual(ids(r), ['dane.bad-digest-length', 'dane.pkix-usage']);
  assert.ok(r.findings.every((f) => f.severity === 'error'));
  assert.equal(r.data.hosts[0]!.state, 'unusable');
});

test('DANE: bad usage, selector, matching type and full data next to a usable record are warnings', async () => {
  const r = await dane('mixed.signed.test');
  assert.deepEqual(ids(r), ['dane.bad-full-data', 'dane.ok', 'dane.unknown-matching-type', 'dane.unknown-selector', 'dane.unknown-usage']);
  assert.ok(r.findings.filter((f) => f.id !== 'dane.ok').every((f) => f.severity === 'warn'));
});

test('DANE: TLSA without DNSSEC validation is ignored by senders', async () => {
  const r = await dane('unsigned.test');
  assert.deepEqual(ids(r), ['dane.not-validated']);
  assert.equal(r.data.hosts[0]!.state, 'ignored-insecure');
});

test('DANE: validated TLSA on a host whose addresses are not validated is ignored (RFC 7672 2.2.2)', async () => {
  const r = await dane('aliased.signed.test');
  assert.deepEqual(ids(r), ['dane.not-validated']);
  assert.match(r.findings[0]!.title, /address records/);
});

test('DANE: some hosts covered, some not; none at all', async () => {
  assert.deepEqual(ids(await dane('partial.signed.test')), ['dane.ok', 'dane.partial']);
  const none = await dane('plain.signed.test');
  assert.deepEqual(ids(none), ['dane.none']);
  assert.equal(none.status, 'info');
});

test('DANE: a failed TLSA lookup is unknown, never "no DANE"', async () => {
  const r = await dane('signed.test', [{ name: '_25._tcp.mx1.signed.test', action: 'servfail' }]);
  assert.equal(r.status, 'unknown');
  assert.deepEqual(ids(r), ['dane.lookup-failed']);
  assert.match(r.findings[0]!.detail, /hold mail/);
  const mxFailed = await dane('signed.test', [{ name: 'signed.test', type: 'MX', action: 'drop' }]);
  assert.equal(mxFailed.status, 'unknown');
});

test('DANE: skipped for a null MX', async () => {
  const r = await dane('nullmx.signed.test');
  assert.equal(r.status, 'skipped');
});
