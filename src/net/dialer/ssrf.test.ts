import { test } from 'node:test';
import assert from 'node:assert/strict';
import { specialRange } from './ssrf.ts';

test('special-purpose destinations are recognised with the range that caught them', () => {
  const cases: Array<[string, string | null]> = [
    ['10.1.2.3', '10.0.0.0/8'],
    ['172.31.255.255', '172.16.0.0/12'],
    ['172.32.0.1', null],
    ['192.168.0.1', '192.168.0.0/16'],
    ['127.0.0.1', '127.0.0.0/8'],
    ['169.254.169.254', '169.254.0.0/16'],
    ['100.64.0.1', '100.64.0.0/10'],
    ['100.128.0.1', null],
    ['0.0.0.0', '0.0.0.0/8'],
    ['224.0.0.251', '224.0.0.0/4'],
    ['255.255.255.255', '240.0.0.0/4'],
    ['8.8.8.8', null],
    ['203.0.113.80', null],
    ['::1', '::1/128'],
    ['::', '::/128'],
    ['fd12:3456::1', 'fc00::/7'],
    ['fe80::1', 'fe80::/10'],
    ['ff02::1', 'ff00::/8'],
    ['::ffff:10.0.0.1', '10.0.0.0/8'],
    ['::ffff:127.0.0.1', '127.0.0.0/8'],
    ['64:ff9b::a9fe:a9fe', '169.254.0.0/16'],
    ['64:ff9b::808:808', null],
    ['2a01:111:f400::1', null],
  ];
  for (const [ip, range] of cases) assert.equal(specialRange(ip)?.range ?? null, range, ip);
});
