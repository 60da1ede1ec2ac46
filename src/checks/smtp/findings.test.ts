import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smtpFindings } from './findings.ts';
import type { SmtpAddressResult, SmtpHostResult } from './host.ts';

function probe(address: string, over: Partial<SmtpAddressResult> = {}): SmtpAddressResult {
  return {
    address, port: 25, outcome: 'could-not-test', failure: null,
    timings: { connectMs: null, greetingMs: null, tlsMs: null, totalMs: 0 }, greeting: null, ehlo: null, heloOnly: false,
    starttlsReply: null, tls: null, injectedBeforeTls: 0, ehloAfterTls: null, relay: null, transcript: [],
    ptr: null, bannerPtr: null, dane: null, ...over,
  };
}

function host(name: string, probes: SmtpAddressResult[], over: Partial<SmtpHostResult> = {}): SmtpHostResult {
  return {
    name, preference: 10, implicit: false, addresses: probes.map((p) => p.address), notProbed: [],
    dane: { name: `_25._tcp.${name}`, state: 'none', outcome: 'nxdomain', ad: false, records: [], dns: 1 },
    mtaSts: null, probes, ...over,
  };
}

const timeout = (address: string) => probe(address, { failure: { step: 'connect', kind: 'timeout', message: `${address}:25 timed out` } });

test('every MX silent on port 25: one finding that blames outbound port 25 blocking, not each server', () => {
  const findings = smtpFindings([host('mx1.example.com', [timeout('192.0.2.1')]), host('mx2.example.com', [timeout('192.0.2.2')])]);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.id, 'smtp.could-not-test');
  assert.match(findings[0]!.title, /port 25/);
  assert.match(findings[0]!.detail, /blocked by most cloud providers/);
});

test('one MX silent and another answering: the silent one is reported on its own', () => {
  const ok = probe('192.0.2.2', { outcome: 'no-starttls', greeting: { code: 220, text: 'mx2', host: null } });
  const ids = smtpFindings([host('mx1.example.com', [timeout('192.0.2.1')]), host('mx2.example.com', [ok])]).map((f) => f.id);
  assert.deepEqual(ids, ['smtp.could-not-test', 'smtp.no-starttls']);
});

test('a greeting held back for seconds is noted as harmless; a 554 greeting is about the client', () => {
  const slow = probe('192.0.2.1', { outcome: 'no-starttls', timings: { connectMs: 1, greetingMs: 12000, tlsMs: null, totalMs: 12100 } });
  assert.ok(smtpFindings([host('mx.example.com', [slow])]).some((f) => f.id === 'smtp.greeting-delay' && f.severity === 'info'));
  const refused = probe('192.0.2.1', { failure: { step: 'greeting', kind: 'rejected', message: 'refused', reply: '554 5.7.1 your IP is listed' } });
  const [f] = smtpFindings([host('mx.example.com', [refused])]);
  assert.equal(f!.severity, 'info');
  assert.match(f!.detail, /554 5\.7\.1 your IP is listed/);
});

test('a policy in enforce mode that does not list the MX is an error; testing mode a warning', () => {
  const p = probe('192.0.2.1', { outcome: 'no-starttls' });
  const enforce = smtpFindings([host('mx.example.com', [p], { mtaSts: { mode: 'enforce', covered: false } })]);
  assert.equal(enforce.find((f) => f.id === 'smtp.mta-sts-mx-not-listed')?.severity, 'error');
  assert.equal(enforce.find((f) => f.id === 'smtp.no-starttls')?.severity, 'warn', 'the policy does not cover this host, so it does not make STARTTLS mandatory here');
  const testing = smtpFindings([host('mx.example.com', [p], { mtaSts: { mode: 'testing', covered: false } })]);
  assert.equal(testing.find((f) => f.id === 'smtp.mta-sts-mx-not-listed')?.severity, 'warn');
});

test('an inconclusive relay test (sender refused) is information, never "closed"', () => {
  const p = probe('192.0.2.1', { outcome: 'no-starttls', relay: { verdict: 'inconclusive', mailFrom: 'a@example.net', rcptTo: 'b@example.org', mailReply: '550 sender rejected', rcptReply: null, overTls: false, note: 'the server refused the test sender' } });
  const f = smtpFindings([host('mx.example.com', [p])]).find((x) => x.id.startsWith('smtp.relay'));
  assert.equal(f?.id, 'smtp.relay-inconclusive');
  assert.equal(f?.severity, 'info');
});

test('TLSA records without DNSSEC validation: DANE is said to be ignored', () => {
  const p = probe('192.0.2.1', { outcome: 'no-starttls' });
  const dane = { name: '_25._tcp.mx.example.com', state: 'ignored' as const, outcome: 'answer' as const, ad: false, records: [], dns: 4 };
  const f = smtpFindings([host('mx.example.com', [p], { dane })]).find((x) => x.id === 'smtp.dane-ignored');
  assert.equal(f?.severity, 'info');
  assert.equal(smtpFindings([host('mx.example.com', [p], { dane })]).find((x) => x.id === 'smtp.no-starttls')?.severity, 'warn');
});
