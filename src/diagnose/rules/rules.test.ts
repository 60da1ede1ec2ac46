import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Facts, OriginFact, BounceFact } from '../facts.ts';
import type { BounceRecipient } from '../../message/types.ts';
import { runRules, mergeCauses, rankCauses } from './index.ts';
import { spfWithInclude, spfLookupTerms } from '../fixes.ts';
import type { Cause } from '../types.ts';

function facts(over: Partial<Facts> = {}): Facts {
  return {
    domain: 'example.test', checks: {}, findings: [], messages: [], mx: [], web: [],
    spfRecord: 'v=spf1 include:spf.protection.outlook.com -all', spfOutcome: 'found', nameservers: ['ns1.example.net'], dmarcEnforced: false, dmarcSubdomainsEnforced: false,
    mailProvider: { id: 'microsoft365', name: 'Microsoft 365', spfInclude: 'spf.protection.outlook.com', docs: {}, evidence: ['MX of example.test points at Microsoft 365'] },
    dnsProvider: null, origins: [], messageAddresses: [], bounces: [], blocklists: [], aggregate: null, cite: (id) => `dns#${id}`,
    ...over,
  };
}

function origin(over: Partial<OriginFact>): OriginFact {
  return { message: 'b.eml', ip: '198.51.100.9', host: null, role: 'unknown', spfResult: 'fail', spfDomain: 'example.test', providerAuthorizes: false, ptr: null, reasoning: ['first hop outside'], submissionSigns: [], domainDkim: 'none', fromDomain: true, fromName: 'example.test', service: null, relays: [], ...over };
}

function bounce(reason: string, diagnostic: string, over: Partial<BounceFact> = {}): BounceFact {
  const recipient: BounceRecipient = { address: 'x@partner.test', originalAddress: null, action: 'failed', status: '5.0.0', statusMeaning: null, replyCode: '550', diagnostic, command: null, reason, reasonSource: 'text', hard: true, remoteMta: null, blocklists: [] };
  return { message: 'b.eml', recipient, reportingMta: null, legitimate: true, ...over };
}

const ids = (f: Facts) => runRules(f).map((c) => c.id);

test('an origin outside provider, SPF and MX is an unauthorized sender; its role is kept', () => {
  const causes = runRules(facts({ origins: [origin({ role: 'web-host', submissionSigns: ['X-PHP-Originating-Script: 33:form.php'] })] }));
  assert.equal(causes[0]?.id, 'unauthorized-sender');
  assert.equal(causes[0]?.data?.originRole, 'web-host');
  assert.match(causes[0]!.summary, /SPF does not authorize that host/);
});

test('the provider\'s own address and an SPF-authorized one are never unauthorized', () => {
  assert.deepEqual(ids(facts({ origins: [origin({ role: 'mail-provider', providerAuthorizes: true, spfResult: 'pass' })] })), []);
  assert.deepEqual(ids(facts({ origins: [origin({ role: 'spf-authorized', spfResult: 'pass' })] })), []);
});

test('mail the domain DKIM-signed from an address SPF forgot is a missing SPF entry, not spoofing', () => {
  const causes = runRules(facts({ origins: [origin({ domainDkim: 'present' })] }));
  assert.deepEqual(causes.map((c) => c.id), ['spf-not-authorizing-sender']);
  assert.equal(causes[0]!.fixes[0]!.dns?.[0]?.value, 'v=spf1 include:spf.protection.outlook.com ip4:198.51.100.9 -all');
});

test('an authenticated submission (ESMTPSA) is the domain\'s own user, not a forger', () => {
  assert.deepEqual(ids(facts({ origins: [origin({ role: 'authenticated-user', spfResult: 'none' })] })), []);
});

test('a bot\'s address without PTR is not the domain\'s reverse-DNS problem', () => {
  const ptr = { id: 'ptr.missing', severity: 'error' as const, title: 'no PTR', detail: '', data: { ip: '198.51.100.9' } };
  const checks = { ptr: { id: 'ptr', status: 'error' as const, findings: [ptr], data: {} } };
  assert.deepEqual(ids(facts({ checks, origins: [origin({ role: 'unknown' })], messageAddresses: ['198.51.100.9'] })).filter((i) => i === 'no-reverse-dns'), []);
  assert.deepEqual(ids(facts({ checks })), ['no-reverse-dns']);
});

test('throttling texts are rate-limited even when the reason says spam (Gmail 4.7.28)', () => {
  assert.deepEqual(ids(facts({ bounces: [bounce('spamdetected', '421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited.')] })), ['rate-limited']);
});

test('backscatter of forged mail is the forger\'s: no recipient problem, no listing of the bot, and no DNS to change when DMARC already rejects', () => {
  const bot = origin({ role: 'unknown', ip: '203.0.113.188' });
  const listing = { target: '203.0.113.188', list: 'spamhaus-zen', listName: 'Spamhaus ZEN', zone: 'zen.spamhaus.org', kind: 'ip' as const, status: 'listed' as const, codes: ['127.0.0.4'], labels: ['XBL'], meaning: 'XBL', nature: 'abuse' as const, txt: null, url: null, delistUrl: null, delistNote: null, errorKind: null, dns: 1 };
  const causes = runRules(facts({ dmarcEnforced: true, origins: [bot], bounces: [bounce('userunknown', '550 5.1.1 no such user', { legitimate: false })], blocklists: [listing] }));
  assert.deepEqual(causes.map((c) => [c.id, c.severity]), [['unauthorized-sender', 'warn']]);
  assert.match(causes[0]!.fixes[0]!.text, /Nothing to change/);
});

test('a pass that only +all gave is no authorization: the forger is still unauthorized, and the fix is -all', () => {
  const causes = runRules(facts({ dmarcEnforced: true, spfRecord: 'v=spf1 include:spf.protection.outlook.com +all', origins: [origin({ role: 'unknown', spfResult: 'pass (+all)' })] }));
  assert.equal(causes[0]?.id, 'unauthorized-sender');
  assert.equal(causes[0]?.severity, 'critical');
  assert.equal(causes[0]!.fixes[0]!.dns?.[0]?.value, 'v=spf1 include:spf.protection.outlook.com -all');
});

test('a DMARC refusal ranks below the SPF/DKIM fault that causes it, and corroborates it', () => {
  const ptrless = { id: 'dkim.weak-key', severity: 'error' as const, title: 'Weak DKIM key', detail: '512 bits', fix: { text: 'Rotate to a 2048-bit RSA key' } };
  const checks = { dkim: { id: 'dkim', status: 'error' as const, findings: [ptrless], data: {} } };
  const causes = runRules(facts({ checks, bounces: [bounce('authfailure', '550 5.7.26 Unauthenticated email from example.test is not accepted due to domain\'s DMARC policy')] }));
  assert.deepEqual(causes.map((c) => c.id), ['dkim-failing', 'dmarc-failing']);
  assert.match(causes[0]!.fixes[0]!.text, /Rotate to a 2048-bit/);
  assert.ok(causes[0]!.evidence.some((e) => /failing DMARC/.test(e)));
});

test('a null MX on a domain that sends is an MX problem, and the 5.7.27 refusal is not a DMARC failure', () => {
  const nullMx = { id: 'mx.null', severity: 'info' as const, title: 'Null MX', detail: 'MX 0 .' };
  const checks = { mx: { id: 'mx', status: 'info' as const, findings: [nullMx], data: {} } };
  const causes = runRules(facts({ checks, bounces: [bounce('authfailure', '550 5.7.27 <noreply@example.test>: Sender address rejected: Domain example.test does not accept mail (nullMX)')] }));
  assert.deepEqual(causes.map((c) => c.id), ['mx-problem']);
});

test('greylisting that outlasted the retries is the recipient\'s side, not throttling', () => {
  assert.deepEqual(ids(facts({ bounces: [bounce('expired', '450 4.2.0 <x@partner.test>: Recipient address rejected: Greylisted, see https://postgrey.example')] })), ['recipient-problem']);
});

test('the recipient\'s size limit and an unreachable recipient server are the recipient\'s side; an SPF refusal is not', () => {
  assert.deepEqual(ids(facts({ bounces: [bounce('mesgtoobig', '552 5.3.4 Message size exceeds fixed maximum message size')] })), ['recipient-problem']);
  assert.deepEqual(ids(facts({ bounces: [bounce('expired', 'connect to mx.partner.test[192.0.2.9]:25: Connection timed out')] })), ['recipient-problem']);
  assert.deepEqual(ids(facts({ bounces: [bounce('networkerror', '550 5.7.24 SPF Permanent Error: Too many DNS lookups')] })).filter((i) => i === 'recipient-problem'), []);
});

test('a spam refusal of a signed-in user\'s mail is content; only the provider\'s restriction makes it a compromised account', () => {
  const user = origin({ role: 'authenticated-user', message: 'b.eml' });
  const spam = runRules(facts({ origins: [user], bounces: [bounce('spamdetected', '550 5.7.1 likely unsolicited mail')] }))[0]!;
  assert.equal(spam.id, 'content-rejected');
  assert.doesNotMatch(spam.summary, /compromised/);
  const restricted = runRules(facts({ origins: [user], bounces: [bounce('spamdetected', '550 5.7.1 likely unsolicited mail'), bounce('rejected', '550 5.1.8 Access denied, bad outbound sender')] }))[0]!;
  assert.match(restricted.summary, /compromised/);
});

test('a message not claiming the domain is not blamed on it', () => {
  assert.deepEqual(ids(facts({ origins: [origin({ fromDomain: false })] })), []);
});

test('provider migration: MX at Microsoft 365, SPF for Google only → the corrected record keeps the old include', () => {
  const causes = runRules(facts({ spfRecord: 'v=spf1 include:_spf.google.com ~all' }));
  assert.equal(causes[0]?.id, 'spf-not-authorizing-sender');
  assert.equal(causes[0]!.fixes[0]!.dns?.[0]?.value, 'v=spf1 include:_spf.google.com include:spf.protection.outlook.com ~all');
});

test('recipient problems are the recipient\'s: info severity, never a cause against the domain', () => {
  const causes = runRules(facts({ bounces: [bounce('userunknown', '550 5.1.1 user unknown'), bounce('mailboxfull', '552 5.2.2 mailbox full')] }));
  assert.deepEqual(causes.map((c) => [c.id, c.severity]), [['recipient-problem', 'info']]);
});

test('a bounce for mail to the diagnosed domain itself is never "the recipient\'s side"', () => {
  const inbound = bounce('hostunknown', 'Host or domain name not found', { recipient: { ...bounce('hostunknown', 'x').recipient, address: 'orders@example.test', diagnostic: 'Host or domain name not found' } });
  assert.deepEqual(ids(facts({ bounces: [inbound] })), []);
});

test('receiver DMARC texts (Gmail 5.7.26, Microsoft 5.7.509) give dmarc-failing and say which check failed', () => {
  const gmail = runRules(facts({ bounces: [bounce('policyviolation', '550 5.7.26 Unauthenticated email from example.test is not accepted due to domain\'s DMARC policy')] }));
  assert.equal(gmail[0]?.id, 'dmarc-failing');
  const ms = runRules(facts({ bounces: [bounce('securityerror', '550 5.7.509 Access denied, sending domain example.test does not pass DMARC verification: SPF did not pass and DKIM did not pass')] }));
  assert.equal(ms[0]?.id, 'dmarc-failing');
  assert.match(ms[0]!.summary, /both SPF and DKIM failed/);
});

test('a filtering gateway\'s "user unknown" (Sisimai: filtered) is the recipient\'s side, other filtering is content', () => {
  assert.deepEqual(ids(facts({ bounces: [bounce('filtered', '550 5.0.0 <x@partner.test>... User unknown')] })), ['recipient-problem']);
  assert.deepEqual(ids(facts({ bounces: [bounce('filtered', '550 Message blocked by content filter')] })), ['content-rejected']);
});

test('content and rate refusals are their own causes', () => {
  assert.deepEqual(ids(facts({ bounces: [bounce('spamdetected', '550 5.7.1 Message rejected as spam')] })), ['content-rejected']);
  assert.deepEqual(ids(facts({ bounces: [bounce('ratelimited', '421 4.7.28 rate limited')] })), ['rate-limited']);
});

test('a refused blocklist query is unknown, never clean or listed', () => {
  const causes = runRules(facts({ blocklists: [{ target: '192.0.2.1', list: 'spamhaus-zen', listName: 'Spamhaus ZEN', zone: 'zen.spamhaus.org', kind: 'ip', status: 'error', codes: ['127.255.255.254'], labels: [], meaning: 'public resolver', nature: 'unknown', txt: null, url: null, delistUrl: null, delistNote: null, errorKind: 'public-resolver', dns: 3 }] }));
  assert.deepEqual(causes.map((c) => c.id), ['blocklist-query-refused']);
});

test('a PBL listing is policy: a warning with less confidence than an abuse listing', () => {
  const hit = { target: '192.0.2.1', list: 'spamhaus-zen', listName: 'Spamhaus ZEN', zone: 'zen.spamhaus.org', kind: 'ip' as const, status: 'listed' as const, codes: ['127.0.0.10'], labels: ['PBL'], meaning: 'PBL', txt: null, url: null, delistUrl: null, delistNote: null, errorKind: null, dns: 1 };
  const pbl = runRules(facts({ blocklists: [{ ...hit, nature: 'policy' }] }))[0]!;
  const xbl = runRules(facts({ blocklists: [{ ...hit, nature: 'abuse', codes: ['127.0.0.4'] }] }))[0]!;
  assert.equal(pbl.severity, 'warn');
  assert.equal(xbl.severity, 'error');
  assert.ok(pbl.confidence < xbl.confidence);
});

test('causes of one id merge; ranking puts the sender before listings and posture', () => {
  const mk = (id: Cause['id'], severity: Cause['severity'], evidence: string): Cause => ({ id, severity, confidence: 0.9, summary: id, evidence: [evidence], fixes: [{ text: `fix ${evidence}` }] });
  const merged = mergeCauses([mk('sender-blocklisted', 'error', 'a'), mk('sender-blocklisted', 'error', 'b')]);
  assert.equal(merged.length, 1);
  assert.deepEqual(merged[0]!.evidence, ['a', 'b']);
  const ranked = rankCauses([mk('web-no-https', 'warn', 'w'), mk('dmarc-not-enforced', 'warn', 'd'), mk('sender-blocklisted', 'error', 's'), mk('unauthorized-sender', 'critical', 'u')]);
  assert.deepEqual(ranked.map((c) => c.id), ['unauthorized-sender', 'sender-blocklisted', 'dmarc-not-enforced', 'web-no-https']);
});

test('SPF fix: the include goes before the terminal all and the lookup count is shown', () => {
  assert.equal(spfWithInclude('v=spf1 mx -all', 'spf.protection.outlook.com'), 'v=spf1 mx include:spf.protection.outlook.com -all');
  assert.equal(spfWithInclude('v=spf1 redirect=_spf.example.net', 'x.test'), 'v=spf1 include:x.test redirect=_spf.example.net');
  assert.equal(spfWithInclude(null, 'x.test'), 'v=spf1 include:x.test -all');
  assert.equal(spfWithInclude('v=spf1 include:x.test -all', 'x.test'), 'v=spf1 include:x.test -all');
  assert.equal(spfLookupTerms('v=spf1 a mx include:a.test ip4:192.0.2.0/24 exists:%{i}.x.test redirect=b.test'), 5);
});
