/** MX check against the lab DNS server: one scenario per finding, a healthy one, and DNS faults. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAuthLab, SOA, type AuthLab } from './auth-checks-lab.ts';
import { run as runMx } from '../src/checks/mx/index.ts';
import type { CheckResult } from '../src/checks/types.ts';

const ZONE = `$ORIGIN mx.test.
$TTL 300
${SOA}
ns A 192.0.2.53
; healthy: two hosts, distinct preferences
ok MX 10 mx1.ok
ok MX 20 mx2.ok
mx1.ok A 192.0.2.25
mx1.ok AAAA 2001:db8::25
mx2.ok A 198.51.100.25
equal MX 10 mx1.ok
equal MX 10 mx2.ok
null MX 0 .
nullmix MX 0 .
nullmix MX 10 mx1.ok
implicit A 203.0.113.80
nothing TXT "v=spf1 -all"
cname MX 10 alias.cname
alias.cname CNAME mx1.ok
literal MX 10 192.0.2.1.
ghost MX 10 nowhere.ghost
ghostok MX 10 nowhere.ghost
ghostok MX 20 mx1.ok
nodata MX 10 host.nodata
host.nodata TXT "no address here"
private MX 10 mx.private
mx.private A 10.1.2.3
privateok MX 10 mx.private
privateok MX 20 mx1.ok
loop MX 10 mx.loop
mx.loop A 127.0.0.1
mx.loop AAAA ::1
many MX 0 mx1.ok
many MX 1 h1.many
many MX 2 h2.many
many MX 3 h3.many
many MX 4 h4.many
many MX 5 h5.many
many MX 6 h6.many
many MX 7 h7.many
many MX 8 h8.many
many MX 9 h9.many
many MX 10 h10.many
many MX 11 h11.many
many MX 12 h12.many
many MX 13 h13.many
many MX 14 h14.many
many MX 15 h15.many
many MX 16 h16.many
many MX 17 h17.many
many MX 18 h18.many
many MX 19 h19.many
many MX 20 h20.many
many MX 21 h21.many
h1.many A 192.0.2.101
h2.many A 192.0.2.102
h3.many A 192.0.2.103
h4.many A 192.0.2.104
h5.many A 192.0.2.105
h6.many A 192.0.2.106
h7.many A 192.0.2.107
h8.many A 192.0.2.108
h9.many A 192.0.2.109
h10.many A 192.0.2.110
h11.many A 192.0.2.111
h12.many A 192.0.2.112
h13.many A 192.0.2.113
h14.many A 192.0.2.114
h15.many A 192.0.2.115
h16.many A 192.0.2.116
h17.many A 192.0.2.117
h18.many A 192.0.2.118
h19.many A 192.0.2.119
h20.many A 192.0.2.120
h21.many A 192.0.2.121
`;

let lab: AuthLab;
before(async () => { lab = await startAuthLab([ZONE], '127.0.0.1'); });
after(() => lab.close());

async function check(domain: string): Promise<CheckResult> {
  lab.faults([]);
  return runMx(lab.context(), domain);
}
const ids = (r: CheckResult) => r.findings.map((f) => f.id).sort();
const finding = (r: CheckResult, id: string) => r.findings.find((f) => f.id === id);

test('healthy MX: two hosts resolved with their addresses, ok', async () => {
  const r = await check('ok.mx.test');
  assert.equal(r.status, 'ok');
  assert.deepEqual(ids(r), ['mx.ok']);
  const data = r.data as { kind: string; hosts: Array<{ exchange: string; preference: number; addresses: Array<{ ip: string }> }> };
  assert.equal(data.kind, 'mx');
  assert.deepEqual(data.hosts.map((h) => [h.exchange, h.preference, h.addresses.map((a) => a.ip)]), [
    ['mx1.ok.mx.test', 10, ['192.0.2.25', '2001:db8::25']],
    ['mx2.ok.mx.test', 20, ['198.51.100.25']],
  ]);
  assert.ok(finding(r, 'mx.ok')!.dns!.length >= 3, 'the ok finding cites its lookups');
});

test('equal preferences are reported as information, the check stays ok', async () => {
  const r = await check('equal.mx.test');
  assert.deepEqual(ids(r), ['mx.equal-preference', 'mx.ok']);
  assert.equal(finding(r, 'mx.equal-preference')!.severity, 'info');
  assert.equal(r.status, 'ok');
});

test('null MX (RFC 7505): accepts no mail', async () => {
  const r = await check('null.mx.test');
  assert.deepEqual(ids(r), ['mx.null']);
  assert.equal((r.data as { kind: string }).kind, 'null');
  assert.equal((r.data as { hosts: unknown[] }).hosts.length, 0);
});

test('null MX mixed with other MX records is an error', async () => {
  const r = await check('nullmix.mx.test');
  assert.equal(finding(r, 'mx.null-mixed')!.severity, 'error');
  assert.equal(r.status, 'error');
  assert.equal((r.data as { hosts: unknown[] }).hosts.length, 1, 'the real host is still resolved');
});

test('no MX: the domain address is the implicit MX (RFC 5321 5.1)', async () => {
  const r = await check('implicit.mx.test');
  assert.deepEqual(ids(r), ['mx.none-implicit']);
  assert.equal(r.status, 'warn');
  const data = r.data as { kind: string; hosts: Array<{ exchange: string; implicit: boolean; addresses: Array<{ ip: string }> }> };
  assert.equal(data.kind, 'implicit');
  assert.deepEqual(data.hosts.map((h) => [h.exchange, h.implicit, h.addresses[0]?.ip]), [['implicit.mx.test', true, '203.0.113.80']]);
});

test('no MX and no address: cannot receive mail', async () => {
  const r = await check('nothing.mx.test');
  assert.deepEqual(ids(r), ['mx.no-mx-no-address']);
  assert.equal(r.status, 'error');
});

test('MX pointing at a CNAME', async () => {
  const r = await check('cname.mx.test');
  assert.deepEqual(ids(r), ['mx.cname', 'mx.ok']);
  assert.equal(finding(r, 'mx.cname')!.data!.cnames instanceof Array, true);
  assert.match(finding(r, 'mx.cname')!.fix!.text, /mx1\.ok\.mx\.test/);
});

test('MX naming an IP address', async () => {
  const r = await check('literal.mx.test');
  assert.deepEqual(ids(r), ['mx.ip-literal']);
  assert.equal(r.status, 'error');
});

test('MX host that does not exist: error when it is the only one, warning with a working backup', async () => {
  const only = await check('ghost.mx.test');
  assert.deepEqual(ids(only), ['mx.host-no-address']);
  assert.equal(finding(only, 'mx.host-no-address')!.severity, 'error');
  assert.match(finding(only, 'mx.host-no-address')!.title, /NXDOMAIN/);
  const backup = await check('ghostok.mx.test');
  assert.deepEqual(ids(backup), ['mx.host-no-address', 'mx.ok']);
  assert.equal(finding(backup, 'mx.host-no-address')!.severity, 'warn');
});

test('MX host with no address records (NODATA)', async () => {
  const r = await check('nodata.mx.test');
  assert.match(finding(r, 'mx.host-no-address')!.title, /NODATA/);
});

test('MX host on private or loopback addresses', async () => {
  const r = await check('private.mx.test');
  assert.deepEqual(ids(r), ['mx.private-address']);
  assert.equal(finding(r, 'mx.private-address')!.severity, 'error');
  assert.match(finding(r, 'mx.private-address')!.title, /10\.1\.2\.3 \(private/);
  const withBackup = await check('privateok.mx.test');
  assert.equal(finding(withBackup, 'mx.private-address')!.severity, 'warn');
  const loop = await check('loop.mx.test');
  assert.match(finding(loop, 'mx.private-address')!.title, /127\.0\.0\.1 \(loopback\).*::1 \(loopback\)/);
});

test('more MX hosts than the limit: the first 20 by preference are checked, the rest reported', async () => {
  const r = await check('many.mx.test');
  assert.equal(finding(r, 'mx.too-many')!.severity, 'info');
  assert.match(finding(r, 'mx.too-many')!.title, /22 MX hosts; only the first 20/);
  const hosts = (r.data as { hosts: Array<{ exchange: string }> }).hosts;
  assert.equal(hosts.length, 20);
  assert.equal(hosts[0]!.exchange, 'mx1.ok.mx.test', 'lowest preference first');
  assert.ok(!finding(await check('ok.mx.test'), 'mx.too-many'));
});

test('a domain that does not exist', async () => {
  const r = await check('missing.mx.test');
  assert.deepEqual(ids(r), ['mx.domain-not-found']);
  assert.equal(r.status, 'critical');
});

test('SERVFAIL on the MX lookup is unknown, never "no MX"', async () => {
  lab.faults([{ name: 'ok.mx.test', type: 'MX', action: 'servfail' }]);
  const r = await runMx(lab.context(), 'ok.mx.test');
  assert.equal(r.status, 'unknown');
  assert.deepEqual(ids(r), ['mx.lookup-failed']);
  assert.equal((r.data as { kind: string }).kind, 'failed');
});

test('a timeout on one MX host address lookup makes the check unknown', async () => {
  lab.faults([{ name: 'mx2.ok.mx.test', type: 'A', action: 'drop' }]);
  const r = await runMx(lab.context(), 'ok.mx.test');
  assert.equal(r.status, 'unknown');
  assert.ok(ids(r).includes('mx.host-lookup-failed'));
  assert.ok(!ids(r).includes('mx.host-no-address'), 'a timeout is not "no address"');
});

test('SERVFAIL on the implicit MX address lookup is unknown, not "no address"', async () => {
  lab.faults([{ name: 'nothing.mx.test', type: 'A', action: 'servfail' }]);
  const r = await runMx(lab.context(), 'nothing.mx.test');
  assert.equal(r.status, 'unknown');
  assert.deepEqual(ids(r), ['mx.host-lookup-failed']);
});
