import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../errors.ts';
import { mapDestination, parseConnectMap, parseConnectMapRule } from './connect-map.ts';

test('a rule parses into networks, prefixes and ports', () => {
  const cases: Array<[string, object]> = [
    ['203.0.113.80:25=127.0.1.80:2525', { from: { network: '203.0.113.80', prefix: 32, port: 25 }, to: { network: '127.0.1.80', prefix: 32, port: 2525 } }],
    ['203.0.113.0/24=127.0.1.0/24', { from: { network: '203.0.113.0', prefix: 24 }, to: { network: '127.0.1.0', prefix: 24 } }],
    ['203.0.113.0/24:443=127.0.0.1:8443', { from: { network: '203.0.113.0', prefix: 24, port: 443 }, to: { network: '127.0.0.1', prefix: 32, port: 8443 } }],
    ['[2001:db8::1]:25=127.0.0.1:2525', { from: { network: '2001:db8::1', prefix: 128, port: 25 }, to: { network: '127.0.0.1', prefix: 32, port: 2525 } }],
    ['2001:db8::/32=[::1]', { from: { network: '2001:db8::', prefix: 32 }, to: { network: '::1', prefix: 128 } }],
    ['[2001:db8::]/32:25=[::1]:2525', { from: { network: '2001:db8::', prefix: 32, port: 25 }, to: { network: '::1', prefix: 128, port: 2525 } }],
    ['[2001:DB8:0:0::]/48=[fd00::]/48', { from: { network: '2001:db8::', prefix: 48 }, to: { network: 'fd00::', prefix: 48 } }],
    ['203.0.113.77/24=127.0.1.0/24', { from: { network: '203.0.113.0', prefix: 24 }, to: { network: '127.0.1.0', prefix: 24 } }],
    ['::ffff:203.0.113.80=127.0.0.9', { from: { network: '203.0.113.80', prefix: 32 }, to: { network: '127.0.0.9', prefix: 32 } }],
  ];
  for (const [text, expected] of cases) {
    const rule = parseConnectMapRule(text);
    assert.deepEqual({ from: rule.from, to: rule.to }, expected, text);
    assert.equal(rule.text, text);
  }
});

test('a bad rule is an InputError that names the rule and the reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['203.0.113.80:25', /exactly one "="/],
    ['a=b=c', /exactly one "="/],
    ['=127.0.0.1', /a side is empty/],
    ['mail.example:25=127.0.0.1', /not an IP address/],
    ['203.0.113.80:0=127.0.0.1', /not a port/],
    ['203.0.113.80:65536=127.0.0.1', /not a port/],
    ['203.0.113.80:x=127.0.0.1', /not a port/],
    ['203.0.113.0/33=127.0.0.1', /not an IP address or CIDR/],
    ['203.0.113.0/24=127.0.0.0/28', /smaller than the source/],
    ['2001:db8::/64=127.0.0.0/8', /same IP version/],
    ['[2001:db8::1=127.0.0.1', /without "]"/],
    ['[2001:db8::1]x=127.0.0.1', /unexpected "x"/],
    ['300.1.1.1=127.0.0.1', /not an IP address/],
  ];
  for (const [text, reason] of cases) {
    assert.throws(() => parseConnectMapRule(text), (err: unknown) => {
      assert.ok(err instanceof InputError, text);
      assert.match(err.message, reason, text);
      assert.ok(err.message.includes(text), `message names the rule: ${text}`);
      return true;
    });
  }
});

test('several rules separated by commas, spaces or newlines; first match wins', () => {
  const rules = parseConnectMap('203.0.113.80:25=127.0.1.80:2525, 203.0.113.0/24=127.0.9.0/24\n[2001:db8::1]:25=127.0.0.1:2526');
  assert.equal(rules.length, 3);
  const cases: Array<[string, number, string, number] | [string, number, null]> = [
    ['203.0.113.80', 25, '127.0.1.80', 2525],
    ['203.0.113.80', 80, '127.0.9.80', 80],
    ['203.0.113.7', 25, '127.0.9.7', 25],
    ['203.0.114.7', 25, null],
    ['2001:db8::1', 25, '127.0.0.1', 2526],
    ['2001:db8::1', 80, null],
    ['::ffff:203.0.113.9', 443, '127.0.9.9', 443],
  ];
  for (const [host, port, toHost, toPort] of cases) {
    const mapped = mapDestination(rules, { host, port });
    if (toHost === null) assert.equal(mapped, null, `${host}:${port} unmapped`);
    else assert.deepEqual(mapped?.target, { host: toHost, port: toPort }, `${host}:${port}`);
  }
  assert.deepEqual(parseConnectMap('  '), []);
});

test('CIDR to CIDR keeps the host bits, also into a larger network and in IPv6', () => {
  const cases: Array<[string, string, string]> = [
    ['203.0.113.0/24=127.0.1.0/24', '203.0.113.255', '127.0.1.255'],
    ['203.0.113.0/24=127.1.0.0/16', '203.0.113.80', '127.1.113.80'],
    ['198.51.100.0/24=127.0.0.1', '198.51.100.42', '127.0.0.1'],
    ['2001:db8::/32=fd00:1::/32', '2001:db8:aa::5', 'fd00:1:aa::5'],
    ['2001:db8:1::/48=::1', '2001:db8:1:2::3', '::1'],
  ];
  for (const [text, host, expected] of cases) {
    assert.equal(mapDestination([parseConnectMapRule(text)], { host, port: 25 })?.target.host, expected, `${text} ${host}`);
  }
});
