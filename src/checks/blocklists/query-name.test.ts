import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nibbleIp6, queryName, reverseIp4 } from './query-name.ts';
import { findList, selectLists, type PlannedList } from './catalog.ts';
import { parseTarget } from './target.ts';

function planned(id: string, keys: Record<string, string> = {}): PlannedList {
  const p = selectLists({ lists: [id], keys }).queried[0];
  assert.ok(p, `${id} should be queryable`);
  return p;
}

test('IPv4 query names reverse the octets (RFC 5782 2.1)', () => {
  for (const [ip, want] of [['192.0.2.99', '99.2.0.192'], ['127.0.0.2', '2.0.0.127'], ['203.0.113.80', '80.113.0.203'], ['1.2.3.4', '4.3.2.1']]) {
    assert.equal(reverseIp4(ip as string), want);
  }
});

test('IPv6 query names are the 32 nibbles reversed (RFC 5782 2.4)', () => {
  const table: [string, string][] = [
    ['2001:db8::1', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2'],
    ['2001:DB8:1:2:3:4:5:6', '6.0.0.0.5.0.0.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2'],
    ['::1', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0'],
    ['::ffff:127.0.0.2', '2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0'],
    ['fe80::', '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f'],
  ];
  for (const [ip, want] of table) {
    const got = nibbleIp6(ip);
    assert.equal(got, want, ip);
    assert.equal(got.split('.').length, 32);
  }
  assert.equal(nibbleIp6('2001:db8::8:800:200c:417a'), 'a.7.1.4.c.0.0.2.0.0.8.0.8.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2');
  assert.equal(nibbleIp6('::ffff:192.0.2.1'), '1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0');
});

test('query names per list kind: IP lists take addresses, domain lists domains', () => {
  const zen = planned('spamhaus-zen');
  const dbl = planned('spamhaus-dbl');
  const uribl = planned('uribl-multi');
  assert.equal(queryName(zen, parseTarget('203.0.113.80')), '80.113.0.203.zen.spamhaus.org');
  assert.equal(queryName(zen, parseTarget('2001:db8::1')), `${nibbleIp6('2001:db8::1')}.zen.spamhaus.org`);
  assert.equal(queryName(zen, parseTarget('acme.example')), null, 'a domain is never sent to an IP-only list');
  assert.equal(queryName(dbl, parseTarget('203.0.113.80')), null, 'an IP is never sent to a domain-only list (DBL would answer 127.0.1.255)');
  assert.equal(queryName(uribl, parseTarget('www.shop.acme.co.uk')), 'acme.co.uk.multi.uribl.com', 'URIBL gets the registered domain');
  assert.equal(queryName(dbl, parseTarget('www.shop.acme.co.uk')), 'www.shop.acme.co.uk.dbl.spamhaus.org', 'DBL lists host names: it gets the full host');
  assert.equal(queryName(planned('barracuda-brbl'), parseTarget('2001:db8::1')), null, 'IPv4-only lists get no IPv6 query');
});

test('keys change the query name: DQS and Abusix', () => {
  const key = 'abcdefghijklmnopqrstuvwxyz';
  const zen = planned('spamhaus-zen', { spamhausDqs: key });
  assert.equal(queryName(zen, parseTarget('192.0.2.1')), `1.2.0.192.${key}.zen.dq.spamhaus.net`);
  assert.equal(zen.displayZone, '<key>.zen.dq.spamhaus.net');
  const dbl = planned('spamhaus-dbl', { spamhausDqs: key });
  assert.equal(queryName(dbl, parseTarget('acme.example')), `acme.example.${key}.dbl.dq.spamhaus.net`);
  const abusix = planned('abusix-combined', { abusix: 'k3y' });
  assert.equal(queryName(abusix, parseTarget('192.0.2.1')), '1.2.0.192.k3y.combined.mail.abusix.zone');
  assert.ok(findList('abusix-combined')?.access.keyRequired);
});
