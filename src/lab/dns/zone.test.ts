import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseZone, ZoneError } from './zone.ts';

const ZONE = `; lab: signed
$ORIGIN example.test.
$TTL 1h
@   IN SOA ns1 hostmaster ( 2026112801 ; serial
        7200 3600 1209600 300 )
    IN NS  ns1
    MX  10 mx1
    MX  20 mx2.other.test.
    TXT "v=spf1 ip4:192.0.2.0/24 " "include:_spf.other.test -all"
ns1 300 IN A 192.0.2.53
mx1 A 192.0.2.25
    AAAA 2001:DB8::25
www CNAME @
*.wild TXT "wild \\"quoted\\" \\059 semi"
_25._tcp.mx1 TLSA 3 1 1 ( 0123456789abcdef
   0123456789ABCDEF )
@ CAA 0 issue "letsencrypt.org"
_sip._tcp SRV 10 5 5060 sip
`;

test('master-file format: $ORIGIN, $TTL, @, relative names, blank owner, parentheses', () => {
  const zone = parseZone(ZONE);
  assert.equal(zone.origin, 'example.test');
  assert.equal(zone.signed, true);
  const soa = zone.records.find((r) => r.type === 'SOA');
  assert.deepEqual(soa?.data, { mname: 'ns1.example.test', rname: 'hostmaster.example.test', serial: 2026112801, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 });
  assert.equal(soa?.ttl, 3600);
  const mx = zone.records.filter((r) => r.type === 'MX').map((r) => r.data);
  assert.deepEqual(mx, [{ preference: 10, exchange: 'mx1.example.test' }, { preference: 20, exchange: 'mx2.other.test' }]);
  assert.equal(zone.records.find((r) => r.type === 'A' && r.name === 'ns1.example.test')?.ttl, 300);
  assert.equal(zone.records.find((r) => r.type === 'AAAA')?.name, 'mx1.example.test');
  assert.equal(zone.records.find((r) => r.type === 'CNAME')?.data, 'example.test');
});

test('TXT keeps its separate strings and decodes escapes', () => {
  const zone = parseZone(ZONE);
  const txt = zone.records.filter((r) => r.type === 'TXT');
  assert.deepEqual(txt[0]?.data, ['v=spf1 ip4:192.0.2.0/24 ', 'include:_spf.other.test -all']);
  assert.deepEqual(txt[1]?.data, ['wild "quoted" ; semi']);
  assert.equal(txt[1]?.name, '*.wild.example.test');
});

test('TLSA data may span lines; CAA and SRV parse', () => {
  const zone = parseZone(ZONE);
  assert.deepEqual(zone.records.find((r) => r.type === 'TLSA')?.data, { usage: 3, selector: 1, matchingType: 1, certificate: '0123456789abcdef0123456789abcdef' });
  assert.deepEqual(zone.records.find((r) => r.type === 'CAA')?.data, { flags: 0, tag: 'issue', value: 'letsencrypt.org' });
  assert.deepEqual(zone.records.find((r) => r.type === 'SRV')?.data, { priority: 10, weight: 5, port: 5060, target: 'sip.example.test' });
});

test('errors name the file and line', () => {
  assert.throws(() => parseZone('$ORIGIN a.test.\n@ A 1.2.3\n', { file: 'bad.zone' }), (e: unknown) => e instanceof ZoneError && /bad\.zone:2: bad IPv4/.test(e.message));
  assert.throws(() => parseZone('$ORIGIN a.test.\n@ TXT "' + 'x'.repeat(256) + '"\n'), /at most 255/);
  assert.throws(() => parseZone('$ORIGIN a.test.\n@ FOO bar\n'), /unsupported record type/);
  assert.throws(() => parseZone('$ORIGIN a.test.\n@ SOA ( a b 1 2 3 4 5\n'), /unbalanced/);
});
