import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reviewPtrName, type PtrKind } from './generic.ts';

const cases: Array<[ptr: string, ip: string, kind: PtrKind]> = [
  // Named mail hosts.
  ['mail.example.com', '203.0.113.25', 'specific'],
  ['mx1.mail.acme.example.net', '198.51.100.7', 'specific'],
  ['mail-io1-f54.google.com', '209.85.166.54', 'specific'],
  ['smtp25.example.org', '192.0.2.25', 'specific'],
  ['outbound.dynamics-crm.com', '192.0.2.9', 'specific'], // keyword only inside the registrable domain
  ['mail.poolside.example.com', '192.0.2.9', 'specific'], // whole tokens only: "poolside" is not "pool"
  // The address spelled out.
  ['203-0-113-25.example.net', '203.0.113.25', 'generic'],
  ['host203.0.113.25.example.net', '203.0.113.25', 'generic'],
  ['25.113.0.203.in-addr.example.net', '203.0.113.25', 'generic'],
  ['ec2-3-120-45-67.eu-central-1.compute.amazonaws.com', '3.120.45.67', 'generic'],
  ['static.203.0.113.25.clients.example.com', '203.0.113.25', 'dynamic'],
  ['ip203000113025.example.net', '203.0.113.25', 'generic'],
  ['c-113-5-77.example.net', '203.113.5.77', 'generic'],
  ['cb00710f.example.net', '203.0.113.15', 'generic'],
  // ISP pool keywords.
  ['1-2-3-4.dyn.pool.example.net', '1.2.3.4', 'dynamic'],
  ['dsl-203-0-113-9.isp.example.com', '203.0.113.9', 'dynamic'],
  ['cpe-98-1-2-3.res.example.com', '98.1.2.3', 'dynamic'],
  ['dynamic-host.example.com', '192.0.2.9', 'dynamic'],
  ['ppp-91.example.net', '192.0.2.91', 'dynamic'],
  // IPv6.
  ['mail.example.com', '2001:db8::25', 'specific'],
  ['2001-db8-0-0-1a2b-3c4d-5e6f-7a8b.ip6.example.net', '2001:db8::1a2b:3c4d:5e6f:7a8b', 'generic'],
  ['host-1a2b3c4d5e6f7a8b.example.net', '2001:db8::1a2b:3c4d:5e6f:7a8b', 'generic'],
  ['dynamic-2001db8.example.net', '2001:db8::1', 'dynamic'],
];

for (const [ptr, ip, kind] of cases) {
  test(`PTR ${ptr} for ${ip} is ${kind}`, () => {
    const review = reviewPtrName(ptr, ip);
    assert.equal(review.kind, kind, review.reasons.join('; '));
    assert.equal(review.reasons.length > 0, kind !== 'specific');
  });
}

test('a trailing dot and upper case do not change the verdict', () => {
  assert.equal(reviewPtrName('1-2-3-4.DYN.Example.NET.', '1.2.3.4').kind, 'dynamic');
});
