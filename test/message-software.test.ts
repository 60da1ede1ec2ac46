/**
 * Who wrote the bounce and at which SMTP stage it was refused: MTA fingerprints and their own
 * verdicts, local delivery agents, providers' documented codes, the stage rule for unknown-user
 * words, and the bounce shapes that hid recipients (a bounce returned inside another, SNS-wrapped
 * SES events, X-Failed-Recipients against a greeting).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeMessage, classifyReason } from '../src/message/index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/messages/${name}`, import.meta.url));

async function recipients(name: string) {
  const a = await analyzeMessage(fixture(name));
  assert.equal(a.kind, 'bounce', `${name} is read as a bounce`);
  return a.bounce!.recipients.map((r) => ({ address: r.address, reason: r.reason, source: r.reasonSource, command: r.command, hard: r.hard }));
}

type Evidence = Parameters<typeof classifyReason>[0];
const base: Evidence = { diagnostic: null, status: null, replyCode: null, command: null, context: null, action: 'failed' };

const stageCases: [string, Partial<Evidence>, string][] = [
  ['unknown-user words at an unknown stage are a filter refusal', { diagnostic: '550 User unknown', replyCode: '550' }, 'filtered'],
  ['the same words in answer to RCPT TO are a missing mailbox', { diagnostic: '550 User unknown', replyCode: '550', command: 'RCPT' }, 'userunknown'],
  ['an addressing status (X.1.1) proves the address, whatever the stage', { diagnostic: '550 5.1.1 User unknown', status: '5.1.1', replyCode: '550' }, 'userunknown'],
  ['X.2.1 (mailbox disabled) with unknown-user words and no RCPT stage', { diagnostic: '550 5.2.1 <a@b.example>... User Unknown', status: '5.2.1', replyCode: '550' }, 'filtered'],
  ["a mail system's own directory lookup is the address, not a filter", { diagnostic: 'The recipient name is not recognized' }, 'userunknown'],
  ['a permanent DNS failure is an unknown domain', { diagnostic: 'Domain name not found: nx.example', status: '5.1.2' }, 'hostunknown'],
  ['a DNS failure reported as temporary is a network problem', { diagnostic: "DNS type 'mx' lookup of nx.example responded with code NXDOMAIN Domain name not found", status: '4.0.0' }, 'networkerror'],
  ["the writer's explicit verdict beats the words", { diagnostic: '550 User unknown', command: 'RCPT', explicit: { reason: 'filtered', retryable: false } }, 'filtered'],
  ["a coarse class gives way to a precise cause in the words", { diagnostic: '550 5.2.1 user unknown mailbox disabled', status: '5.2.1', explicit: { reason: 'userunknown', retryable: true } }, 'suspend'],
  ['a coarse class stands when the words only repeat it', { diagnostic: '550 no such mailbox here', status: '5.0.0', explicit: { reason: 'userunknown', retryable: true } }, 'userunknown'],
  ['Outlook.com SC-004 is a block placed after complaints', { diagnostic: '550 SC-004 Unfortunately, messages from 192.0.2.1 weren\'t sent.', replyCode: '550', command: 'MAIL' }, 'blocked'],
];
for (const [name, evidence, reason] of stageCases) {
  test(`reason: ${name} → ${reason}`, () => {
    assert.equal(classifyReason({ ...base, ...evidence }).reason, reason);
  });
}

test('PowerMTA: its per-recipient BounceCategory decides, a status comment naming a precise cause overrides it', async () => {
  const [dana, erik] = await recipients('powermta-category.eml');
  assert.deepEqual([dana!.address, dana!.reason, dana!.source, dana!.hard], ['dana@store.example', 'userunknown', 'mta', true]);
  assert.deepEqual([erik!.address, erik!.reason], ['erik@store.example', 'suspend']);
});

test('au (EZweb): X-SPASIGN: NG marks a message the recipient filter refused', async () => {
  assert.deepEqual(await recipients('au-filtered.eml'), [{ address: 'gina.phone@ezweb.ne.jp', reason: 'filtered', source: 'mta', command: null, hard: false }]);
});

test("Orange: the documented code closing the reply names the cause (OFR_506: spam)", async () => {
  const [henri] = await recipients('orange-code.eml');
  assert.deepEqual([henri!.address, henri!.reason, henri!.command], ['henri@wanadoo.fr', 'spamdetected', 'DATA']);
});

test("IMail: 'Unknown user:' is the server's own verdict, not a relayed reply", async () => {
  const [jack] = await recipients('imail-unknown.eml');
  assert.deepEqual([jack!.address, jack!.reason, jack!.source], ['jack@old.example', 'userunknown', 'mta']);
});

test('a local delivery agent failing (procmail) is a mailer error', async () => {
  const [leo] = await recipients('procmail-failure.eml');
  assert.deepEqual([leo!.address, leo!.reason], ['leo@home.example', 'mailererror']);
});

test('qmail names the stage by its object: "does not like recipient" is RCPT TO', async () => {
  const [pia] = await recipients('qmail-stages.eml');
  assert.deepEqual([pia!.address, pia!.command, pia!.reason], ['pia@remote.example', 'RCPT', 'userunknown']);
});

test('a Sendmail transcript dates each refusal: RCPT TO for one recipient, DATA for the other', async () => {
  const [rosa, sam] = await recipients('sendmail-transcript.eml');
  assert.deepEqual([rosa!.address, rosa!.command, rosa!.reason], ['rosa@first.example', 'RCPT', 'userunknown']);
  assert.deepEqual([sam!.address, sam!.reason], ['sam@second.example', 'filtered']);
});

test("Gmail's legacy '(state 6)' is the TLS negotiation: the refusal is a STARTTLS failure", async () => {
  const [uma] = await recipients('gmail-state.eml');
  assert.deepEqual([uma!.address, uma!.reason, uma!.source], ['uma@partner.example', 'failedstarttls', 'mta']);
});

test('a Diagnostic-Code in 7-bit ISO-2022-JP is decoded and read (Domino: not in the directory)', async () => {
  const a = await analyzeMessage(fixture('domino-jis.eml'));
  const walt = a.bounce!.recipients[0]!;
  assert.match(walt.diagnostic!, /Domino ディレクトリには見つかりません/);
  assert.equal(walt.reason, 'userunknown');
});

test('a bounce returned whole inside another bounce is read for its recipients', async () => {
  const [mia] = await recipients('nested-bounce.eml');
  assert.deepEqual([mia!.address, mia!.reason], ['mia@corp.example', 'userunknown']);
});

test('an SES bounce event inside an SNS envelope (escaped JSON) is read', async () => {
  const [yuri] = await recipients('ses-sns.eml');
  assert.deepEqual([yuri!.address, yuri!.reason], ['yuri@partner.example', 'userunknown']);
});

test('X-Failed-Recipients wins over an address the words only greet', async () => {
  const [group] = await recipients('group-greeting.eml');
  assert.equal(group!.address, 'helpdesk-team@googlegroups.com');
  assert.equal(group!.reason, 'rejected');
});

const auBounce = (reply: string) => Buffer.from(`Return-Path: <>
From: MAILER-DAEMON@mx.shop.example (Mail Delivery System)
To: zoe@shop.example
Subject: Undelivered Mail Returned to Sender
Date: Mon, 16 Mar 2026 10:00:00 +0000

This is the mail system at host mx.shop.example.

<amy.k@ezweb.ne.jp>: host lsean.ezweb.ne.jp[192.0.2.77] said: ${reply} (in reply to end of DATA command)
`);

test('au (KDDI): "550 : User unknown" (address left out) is its filter, "550 <addr>: User unknown" the mailbox', async () => {
  const filtered = await analyzeMessage(auBounce('550 : User unknown'));
  assert.equal(filtered.bounce?.recipients[0]?.reason, 'filtered');
  const unknown = await analyzeMessage(auBounce('550 <amy.k@ezweb.ne.jp>: User unknown'));
  assert.equal(unknown.bounce?.recipients[0]?.reason, 'userunknown');
});
