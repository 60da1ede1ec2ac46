import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDomain, normalizeIp, reverseName } from './names.ts';

test('domains are lowercased, lose the trailing dot, and IDNs become punycode', () => {
  assert.equal(normalizeDomain('Acme.Example.'), 'acme.example');
  assert.equal(normalizeDomain('bücher.example'), 'xn--bcher-kva.example');
  assert.equal(normalizeDomain('_dmarc.acme.example'), '_dmarc.acme.example');
});

test('bad domains are one-line input errors that say what is wrong', () => {
  assert.throws(() => normalizeDomain(''), /empty domain/);
  assert.throws(() => normalizeDomain('a..b'), /empty label/);
  assert.throws(() => normalizeDomain(`${'a'.repeat(64)}.example`), /64 characters, the limit is 63/);
  assert.throws(() => normalizeDomain(`${'abcdefghi.'.repeat(26)}example`), /the limit is 253/);
  assert.throws(() => normalizeDomain('-bad.example'), /letters, digits/);
  assert.throws(() => normalizeDomain('user@acme.example'), /contains "@"/);
  assert.throws(() => normalizeDomain('https://acme.example/'), /contains/);
  assert.throws(() => normalizeDomain('192.0.2.1'), /got the IP address/);
});

test('IP addresses: canonical IPv6, refused junk', () => {
  assert.equal(normalizeIp('192.0.2.1'), '192.0.2.1');
  assert.equal(normalizeIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(normalizeIp('2001:db8:0:1:0:0:0:0'), '2001:db8:0:1::');
  assert.throws(() => normalizeIp('192.0.2.256'), /invalid IP/);
  assert.throws(() => normalizeIp('192.0.2.01'), /invalid IP/);
  assert.throws(() => normalizeIp('acme.example'), /invalid IP/);
});

test('reverse names: in-addr.arpa and the ip6.arpa nibble form', () => {
  assert.equal(reverseName('192.0.2.80'), '80.2.0.192.in-addr.arpa');
  assert.equal(reverseName('2001:db8::1'), '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  assert.equal(normalizeIp('::ffff:192.0.2.1'), '::ffff:c000:201');
});
