import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blocklistTargets, isListableAddress, parseTarget } from './target.ts';
import { InputError } from '../../errors.ts';

test('targets: IPs, IPv4-mapped IPv6, domains with their registered domain (PSL)', () => {
  const table: [string, object][] = [
    ['203.0.113.80', { value: '203.0.113.80', kind: 'ip4' }],
    ['2001:DB8::1', { value: '2001:db8::1', kind: 'ip6' }],
    ['[2001:db8::1]', { value: '2001:db8::1', kind: 'ip6' }],
    ['::ffff:192.0.2.1', { value: '192.0.2.1', kind: 'ip4' }],
    ['Acme.Example.', { value: 'acme.example', kind: 'domain', registeredDomain: 'acme.example' }],
    ['www.shop.acme.co.uk', { value: 'www.shop.acme.co.uk', kind: 'domain', registeredDomain: 'acme.co.uk' }],
    ['bücher.de', { value: 'xn--bcher-kva.de', kind: 'domain', registeredDomain: 'xn--bcher-kva.de' }],
  ];
  for (const [text, want] of table) {
    const got = parseTarget(text);
    for (const [k, v] of Object.entries(want)) assert.deepEqual((got as unknown as Record<string, unknown>)[k], v, `${text}.${k}`);
  }
});

test('bad targets are one-line input errors', () => {
  for (const bad of ['', '1.2.3', '256.1.1.1', '2001:db8::zz', 'co.uk', 'localhost', 'exa mple.com', '-bad-.com', 'a..b.com', `${'a'.repeat(64)}.com`, 'fe80::1%eth0']) {
    assert.throws(() => parseTarget(bad), (err: unknown) => err instanceof InputError && !err.message.includes('\n'), bad);
  }
});

test('addresses no list can know are left out of a diagnosis', () => {
  for (const ip of ['10.1.2.3', '192.168.0.1', '172.20.0.1', '127.0.0.1', '100.64.0.1', '169.254.1.1', '::1', 'fd00::1', 'fe80::1']) assert.equal(isListableAddress(ip), false, ip);
  for (const ip of ['203.0.113.80', '198.51.100.7', '8.8.8.8', '2001:db8::1']) assert.equal(isListableAddress(ip), true, ip);
});

test('blocklistTargets: MX, domain, web host, single SPF addresses, bounce addresses and the domain, merged by address', () => {
  const targets = blocklistTargets({
    domain: 'acme.example',
    mx: [{ host: 'acme-example.mail.protection.outlook.com.', addresses: ['192.0.2.10', '192.0.2.11'] }],
    domainAddresses: ['203.0.113.80'],
    webAddresses: ['203.0.113.80', '2001:db8::80'],
    spf: ['ip4:198.51.100.5', '198.51.100.0/24', 'ip4:198.51.100.6/32', 'ip6:2001:db8::25/128', 'ip6:2001:db8::/64'],
    bounceAddresses: ['203.0.113.80', '10.0.0.5', '192.0.2.10'],
  });
  const byValue = Object.fromEntries(targets.map((t) => [t.value, t]));
  assert.deepEqual(Object.keys(byValue), ['192.0.2.10', '192.0.2.11', '203.0.113.80', '2001:db8::80', '198.51.100.5', '198.51.100.6', '2001:db8::25', 'acme.example']);
  assert.deepEqual(byValue['203.0.113.80']?.roles, ['domain-host', 'web-host', 'bounce']);
  assert.deepEqual(byValue['192.0.2.10']?.roles, ['mx', 'bounce']);
  assert.deepEqual(byValue['192.0.2.10']?.hosts, ['acme-example.mail.protection.outlook.com']);
  assert.equal(byValue['acme.example']?.kind, 'domain');
  assert.equal(byValue['10.0.0.5'], undefined, 'a private hop from a bounce is not checked');
});
