/** Received hops, the originating IP, Authentication-Results, Microsoft headers, input limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeMessage, parseReceived, buildHops, findOrigin, parseAuthenticationResults, parseReceivedSpf } from '../src/message/index.ts';
import { InputError } from '../src/errors.ts';
import { sharedDir } from '../scripts/shared-dir.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/messages/${name}`, import.meta.url));
const noHints = { submission: [], microsoftClientIp: null, originatingIp: null };

const receivedCases: [string, string, Partial<ReturnType<typeof parseReceived>>][] = [
  ['Postfix', 'from mail.acme.example (mail.acme.example [203.0.113.25]) by mx.partner.example (Postfix) with ESMTPS id 4QX0 for <bob@partner.example>; Tue, 3 Mar 2026 10:00:01 +0000 (UTC)',
    { from: 'mail.acme.example', fromRdns: 'mail.acme.example', fromIp: '203.0.113.25', by: 'mx.partner.example', with: 'ESMTPS', id: '4QX0', for: 'bob@partner.example', date: '2026-03-03T10:00:01.000Z', local: false }],
  ['Exim', 'from localhost ([127.0.0.1] helo=[192.168.0.2]) by relay.example with esmtp (Exim 4.96) id 1qAb-00 for a@b.example; Wed, 04 Mar 2026 09:15:00 +0100',
    { fromIp: '127.0.0.1', helo: '192.168.0.2', by: 'relay.example', with: 'esmtp', date: '2026-03-04T08:15:00.000Z' }],
  ['qmail', 'from unknown (HELO mail4.example.net) (192.0.2.12) by mx4.example.com with SMTP; 24 Apr 2013 00:00:00 +0900',
    { fromIp: '192.0.2.12', helo: 'mail4.example.net', by: 'mx4.example.com', date: '2013-04-23T15:00:00.000Z' }],
  ['qmail local', '(qmail 10000 invoked by uid 999); 24 Apr 2013 00:00:00 +0900', { local: true }],
  ['Postfix local submission', 'by web1.acme.example (Postfix, from userid 33) id 4AB; Wed, 4 Mar 2026 08:00:00 +0000', { by: 'web1.acme.example', local: true, fromIp: null }],
  ['Exchange IPv6 in parentheses', 'from BN8P.prod.outlook.com (2603:10b6:408:1::1) by DM6P.prod.outlook.com (2603:10b6:5:1::10) with Microsoft SMTP Server id 15.20.1; Thu, 5 Mar 2026 12:00:03 +0000',
    { from: 'BN8P.prod.outlook.com', fromIp: '2603:10b6:408:1::1', by: 'DM6P.prod.outlook.com' }],
];
for (const [name, value, expected] of receivedCases) {
  test(`Received (${name}) is read into its clauses`, () => {
    const hop = parseReceived(value);
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(hop[k as keyof typeof hop], v, k);
  });
}

test('hops are in travel order with delays, and a hop earlier than its predecessor is flagged as skew', () => {
  const hops = buildHops([
    'from b.example (b.example [192.0.2.2]) by c.example with ESMTP; Tue, 3 Mar 2026 10:00:00 +0000',
    'from a.example (a.example [192.0.2.1]) by b.example with ESMTP; Tue, 3 Mar 2026 10:00:30 +0000',
    'from x.example (x.example [192.0.2.9]) by a.example with ESMTP; Tue, 3 Mar 2026 09:59:00 +0000',
  ]);
  assert.deepEqual(hops.map((h) => h.by), ['a.example', 'b.example', 'c.example']);
  assert.deepEqual(hops.map((h) => h.delaySeconds), [null, 90, -30]);
  assert.deepEqual(hops.map((h) => h.skew), [false, false, true]);
});

test('origin: private and loopback hops are skipped; the first public address outside the receiver is the origin', () => {
  const hops = buildHops([
    'from filter.partner.example (unknown [10.0.0.5]) by store.partner.example with LMTP; Tue, 3 Mar 2026 10:00:02 +0000',
    'from mail.acme.example (mail.acme.example [203.0.113.25]) by mx.partner.example with ESMTPS; Tue, 3 Mar 2026 10:00:01 +0000',
    'from laptop (unknown [10.0.0.9]) by mail.acme.example with ESMTPSA; Tue, 3 Mar 2026 10:00:00 +0000',
  ]);
  const o = findOrigin(hops, noHints)!;
  assert.equal(o.ip, '203.0.113.25');
  assert.equal(o.kind, 'smtp');
  assert.ok(o.reasoning.some((r) => r.includes('10.0.0.5') && r.includes('private')));
});

test('origin: internal relays of the receiving organisation are skipped', () => {
  const hops = buildHops([
    'from relay2.partner.example (relay2.partner.example [198.51.100.2]) by store.partner.example with ESMTP; Tue, 3 Mar 2026 10:00:02 +0000',
    'from web1.acme.example (web1.acme.example [203.0.113.80]) by relay2.partner.example with ESMTP; Tue, 3 Mar 2026 10:00:01 +0000',
  ]);
  assert.equal(findOrigin(hops, noHints)?.ip, '203.0.113.80');
});

test('origin: a PHP script on a web host is a local submission, its public IP taken from the next hop', async () => {
  const message = Buffer.from([
    'Received: from web1.acme.example (web1.acme.example [203.0.113.80]) by mx.bigcorp.example with ESMTP id 9; Wed, 4 Mar 2026 08:00:02 +0000',
    'Received: by web1.acme.example (Postfix, from userid 33) id 4AB; Wed, 4 Mar 2026 08:00:00 +0000',
    'X-PHP-Originating-Script: 33:contact.php',
    'From: info@acme.example', 'To: x@bigcorp.example', 'Subject: hi', '', 'body', ''].join('\n'));
  const a = await analyzeMessage(message);
  assert.equal(a.origin?.kind, 'local-submission');
  assert.equal(a.origin?.host, 'web1.acme.example');
  assert.equal(a.origin?.ip, '203.0.113.80');
  assert.ok(a.origin?.reasoning.some((r) => r.includes('from userid 33')));
  assert.equal(a.submission[0]?.header, 'x-php-originating-script');
});

test('origin: a local submission with no later hop names the host and leaves the IP null', async () => {
  const a = await analyzeMessage(fixture('exim-blocked.eml'));
  assert.equal(a.original?.origin?.kind, 'local-submission');
  assert.equal(a.original?.origin?.host, 'web1.acme.example');
  assert.equal(a.original?.origin?.ip, null);
});

test('Microsoft-hosted chain: internal Exchange hops skipped, Forefront fields decoded, AR without authserv-id read', async () => {
  const a = await analyzeMessage(fixture('microsoft-headers.txt'));
  assert.equal(a.kind, 'headers');
  assert.equal(a.origin?.ip, '203.0.113.80');
  assert.equal(a.microsoft?.connectingIp, '203.0.113.80');
  assert.equal(a.microsoft?.antispam?.SFV?.value, 'SPM');
  assert.match(a.microsoft?.antispam?.SCL?.meaning ?? '', /spam/);
  assert.equal(a.microsoft?.organization['scl'], '5');
  assert.deepEqual(a.authResults[0]?.results.map((r) => `${r.method}=${r.result}`), ['spf=fail', 'dkim=none', 'dmarc=fail']);
  assert.equal(a.receivedSpf[0]?.result, 'fail');
  assert.equal(a.receivedSpf[0]?.properties['client-ip'], '203.0.113.80');
});

test('Authentication-Results: method, result, reason and properties (RFC 8601)', () => {
  const ar = parseAuthenticationResults('mx.example.org 1; spf=pass (sender ok) smtp.mailfrom=a.example; dkim=fail reason="bad signature" header.d=a.example header.s=sel; dmarc=none');
  assert.equal(ar.authservId, 'mx.example.org');
  assert.equal(ar.version, '1');
  assert.deepEqual(ar.results[1], { method: 'dkim', result: 'fail', reason: 'bad signature', properties: { 'header.d': 'a.example', 'header.s': 'sel' } });
  assert.equal(parseReceivedSpf('pass (mx: domain designates 192.0.2.1) client-ip=192.0.2.1; envelope-from="a@b.example";').properties['envelope-from'], 'a@b.example');
});

test('Authentication-Results conformance: every go-msgauth case parses as expected', (t) => {
  const shared = sharedDir();
  const file = shared && join(shared, 'corpus', 'authentication-results', 'go-msgauth-authres-cases.json');
  if (!file || !existsSync(file)) return t.skip('../shared not present');
  const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: { value: string; authservId: string; authresVersion?: string; results: { method: string; result: string; reason?: string; properties: Record<string, string> }[] }[] };
  assert.ok(cases.length >= 13);
  for (const c of cases) {
    const got = parseAuthenticationResults(c.value);
    assert.equal(got.authservId, c.authservId, c.value);
    assert.equal(got.version, c.authresVersion ?? null, c.value);
    assert.deepEqual(got.results.map((r) => ({ method: r.method, result: r.result, ...(r.reason ? { reason: r.reason } : {}), properties: r.properties })), c.results.map((r) => ({ method: r.method, result: r.result, ...(r.reason ? { reason: r.reason } : {}), properties: r.properties })), c.value);
  }
});

test('DKIM-Signature fields are exported with their selectors for DKIM discovery', async () => {
  const a = await analyzeMessage(readFileSync(new URL('./fixtures/messages/postfix-dsn.eml', import.meta.url)));
  assert.deepEqual(a.original?.dkimSelectors, [{ domain: 'acme.example', selector: 'mail2026' }]);
  assert.deepEqual(a.original?.dkimSignatures[0]?.h, ['from', 'to', 'subject', 'date']);
});

test('input above the size limit is refused with an InputError', async () => {
  await assert.rejects(analyzeMessage(Buffer.alloc(2048, 65), { maxSize: 1024 }), InputError);
});

test('truncated and malformed input never throws; the problems are said in words', async () => {
  const whole = readFileSync(new URL('./fixtures/messages/postfix-dsn.eml', import.meta.url));
  const cut = await analyzeMessage(whole.subarray(0, Math.floor(whole.length * 0.6)));
  assert.ok(cut.problems.some((p) => /truncated/.test(p)));
  for (const junk of [Buffer.from(''), Buffer.from('\x00\x01\x02 not a message'), Buffer.from('Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822;\n'), Buffer.from('Subject: =?utf-8?B?####?=\nFrom: a\n\nbody')]) {
    const a = await analyzeMessage(junk);
    assert.ok(Array.isArray(a.problems));
  }
});

test('a pasted header block with no body is analysed as headers', async () => {
  const a = await analyzeMessage(Buffer.from('Received: from a.example (a.example [192.0.2.1]) by b.example with ESMTP; Tue, 3 Mar 2026 10:00:00 +0000\nFrom: x@a.example\nSubject: pasted\n'));
  assert.equal(a.kind, 'headers');
  assert.equal(a.hops.length, 1);
  assert.equal(a.origin?.ip, '192.0.2.1');
});

test('a reverse-DNS name made of the address is not the address: the bracketed literal wins', () => {
  const hop = parseReceived('from bot.example (77.113.0.203.static.cablenet.example [203.0.113.77]) by mx.example.net (Postfix) with ESMTP id 1; Tue, 3 Mar 2026 10:00:00 +0000');
  assert.equal(hop.fromIp, '203.0.113.77');
  assert.equal(parseReceived('from host-1-2-3-4.example (1.2.3.4.in-addr.example) by mx; Tue, 3 Mar 2026 10:00:00 +0000').fromIp, null);
});
