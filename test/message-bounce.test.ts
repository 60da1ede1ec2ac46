/** Bounce reading: RFC 3464 reports, MTA text bounces, reasons and their precedence, line endings, mbox. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeMessage, analyzeMailbox, classifyReason, parseDeliveryStatus } from '../src/message/index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/messages/${name}`, import.meta.url));
const toCrlf = (b: Uint8Array) => Buffer.from(Buffer.from(b).toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
const toCr = (b: Uint8Array) => Buffer.from(Buffer.from(b).toString('latin1').replace(/\n/g, '\r'), 'latin1');

test('delivery-status fields: per-message group, one group per recipient, folded values unfolded (RFC 3464 2.1)', () => {
  const dsn = parseDeliveryStatus('Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1\n  user unknown\n\nFinal-Recipient: rfc822; b@example.org\nAction: delayed\nStatus: 4.4.1\n');
  assert.equal(dsn.message['reporting-mta'], 'dns; mx.example');
  assert.equal(dsn.recipients.length, 2);
  assert.equal(dsn.recipients[0]!['diagnostic-code'], 'smtp; 550 5.1.1 user unknown');
  assert.equal(dsn.recipients[1]!.action, 'delayed');
});

test('a Postfix DSN gives each recipient its status, meaning, reply code, remote MTA and reason', async () => {
  const a = await analyzeMessage(fixture('postfix-dsn.eml'));
  assert.equal(a.kind, 'bounce');
  assert.equal(a.bounce?.format, 'dsn');
  assert.equal(a.bounce?.reportingMta, 'mx.partner.example');
  const [bob, carol] = a.bounce!.recipients;
  assert.deepEqual([bob!.address, bob!.status, bob!.replyCode, bob!.reason, bob!.hard, bob!.remoteMta, bob!.command], ['bob@partner.example', '5.1.1', '550', 'userunknown', true, 'store.partner.example', 'RCPT']);
  assert.match(bob!.statusMeaning!, /mailbox does not exist/i);
  assert.equal(bob!.originalAddress, null, 'Original-Recipient differing only in case is the same address');
  assert.deepEqual([carol!.address, carol!.status, carol!.reason, carol!.hard], ['carol@partner.example', '5.2.2', 'mailboxfull', false]);
  assert.equal(a.original?.kind, 'headers', 'text/rfc822-headers is the returned original');
  assert.equal(a.original?.origin?.ip, '203.0.113.25');
});

test('CRLF, LF and bare CR line endings give the same analysis', async () => {
  const lf = await analyzeMessage(fixture('postfix-dsn.eml'));
  for (const variant of [toCrlf(fixture('postfix-dsn.eml')), toCr(fixture('postfix-dsn.eml'))]) {
    const other = await analyzeMessage(variant);
    assert.deepEqual(other.bounce, lf.bounce);
    assert.deepEqual(other.original?.hops, lf.original?.hops);
  }
});

test('an Exim text bounce: recipient from the report, blocklist named with listed IP, inline copy parsed', async () => {
  const a = await analyzeMessage(fixture('exim-blocked.eml'));
  assert.equal(a.bounce?.format, 'text');
  const r = a.bounce!.recipients[0]!;
  assert.equal(r.address, 'dave@bigcorp.example');
  assert.equal(r.reason, 'blocked');
  assert.equal(r.status, '5.7.1');
  assert.equal(r.replyCode, '554');
  assert.equal(r.remoteMta, 'mx1.bigcorp.example');
  assert.equal(r.blocklists[0]?.id, 'spamhaus-zen');
  assert.equal(r.blocklists[0]?.listed, '203.0.113.80');
  assert.equal(a.original?.subject, 'Special offer');
});

test('a feedback report (RFC 5965) and an auto-reply (RFC 3834) are recognised and are not bounces', async () => {
  const arf = await analyzeMessage(fixture('arf.eml'));
  assert.equal(arf.kind, 'feedback-report');
  assert.equal(arf.bounce, null);
  assert.equal(arf.feedback?.feedbackType, 'abuse');
  assert.equal(arf.feedback?.sourceIp, '203.0.113.80');
  const auto = await analyzeMessage(fixture('autoreply.eml'));
  assert.equal(auto.kind, 'auto-reply');
  assert.equal(auto.bounce, null);
});

test('an mbox file yields each message; ">From " quoting is undone', async () => {
  const all = await analyzeMailbox(fixture('two.mbox'));
  assert.equal(all.length, 2);
  assert.equal(all[0]!.kind, 'bounce');
  assert.equal(all[0]!.bounce?.recipients[0]?.address, 'frank@partner.example');
  assert.equal(all[0]!.bounce?.recipients[0]?.remoteMta, 'store.partner.example');
  assert.equal(all[1]!.kind, 'message');
});

const reasonCases: [string, Parameters<typeof classifyReason>[0], string, boolean][] = [
  ['unknown user words', { diagnostic: '550 5.1.1 <a@b.example>: Recipient address rejected: User unknown', status: '5.1.1', replyCode: '550', command: 'RCPT', context: null, action: 'failed' }, 'userunknown', true],
  ['text beats a bare status code: 5.1.1 that says disabled', { diagnostic: '550 5.1.1 account disabled', status: '5.1.1', replyCode: '550', command: null, context: null, action: 'failed' }, 'suspend', false],
  ['over quota', { diagnostic: '452 4.2.2 user is over quota', status: '4.2.2', replyCode: '452', command: null, context: null, action: 'delayed' }, 'mailboxfull', false],
  ['DNSBL', { diagnostic: '554 5.7.1 Client host [192.0.2.1] blocked using bl.spamcop.net', status: '5.7.1', replyCode: '554', command: 'RCPT', context: null, action: 'failed' }, 'blocked', false],
  ['Gmail DMARC', { diagnostic: "550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy", status: '5.7.26', replyCode: '550', command: 'DATA', context: null, action: 'failed' }, 'authfailure', false],
  ['missing PTR', { diagnostic: '550 5.7.25 The IP address sending this message does not have a PTR record setup', status: '5.7.25', replyCode: '550', command: null, context: null, action: 'failed' }, 'requireptr', false],
  ['unknown user in answer to DATA is a filter', { diagnostic: '550 User unknown', status: '5.0.0', replyCode: '550', command: 'DATA', context: null, action: 'failed' }, 'filtered', false],
  ['sender rejected', { diagnostic: '553 5.1.8 Domain of sender address nobody@nx.example does not exist', status: '5.1.8', replyCode: '553', command: 'MAIL', context: null, action: 'failed' }, 'rejected', false],
  ['status alone when the text says nothing', { diagnostic: 'see the log', status: '5.2.2', replyCode: null, command: null, context: null, action: 'failed' }, 'mailboxfull', false],
  ['delayed without words is expired', { diagnostic: null, status: null, replyCode: null, command: null, context: null, action: 'delayed' }, 'expired', false],
  ['an error text we cannot read is undefined, and soft', { diagnostic: '554 zzz qqq', status: null, replyCode: '554', command: null, context: null, action: 'failed' }, 'undefined', false],
  ['no words at all is onhold, and soft', { diagnostic: null, status: null, replyCode: null, command: null, context: null, action: 'failed' }, 'onhold', false],
  ['success DSN', { diagnostic: '250 2.0.0 OK', status: '2.0.0', replyCode: '250', command: null, context: null, action: 'delivered' }, 'delivered', false],
];
for (const [name, evidence, reason, hard] of reasonCases) {
  test(`reason: ${name} → ${reason}`, () => {
    const d = classifyReason(evidence);
    assert.equal(d.reason, reason);
    assert.equal(d.hard, hard);
  });
}
