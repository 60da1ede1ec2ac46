/**
 * The SMTP check against lab hosts on loopback: the zones hold TEST-NET addresses and the connect
 * map sends each one to a local server, so every certificate variant, delay and failure is a real
 * SMTP/TLS conversation.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { Lab, SOA } from './probe-lab.ts';
import { run as runSmtp, type SmtpData } from '../src/checks/smtp/index.ts';
import type { CheckResult, Context, Finding } from '../src/checks/types.ts';
import type { DnsServer } from '../src/lab/dns/index.ts';

const lab = new Lab();
let dns: DnsServer;
let ctx: Context;
let leafSpki = '';
let caSpki = '';

const HOSTS: Record<string, number> = {
  valid: 1, expired: 2, selfsigned: 3, wrongname: 4, delayed: 5, tarpit: 6, closed: 7, plain: 8,
  tls454: 9, tlsbreak: 10, openrelay: 11, closedrelay: 12, untrusted: 13, enforced: 14, banner: 15, hostile: 16, notlisted: 17,
};
const SIGNED: Record<string, number> = { danematch: 21, danemismatch: 22, danenotls: 23, danetamatch: 24 };

function spki(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

before(async () => {
  await lab.init();
  const leaf = await lab.ca.issue('valid', ['spki.lab.test']);
  leafSpki = spki(leaf!.certPem);
  caSpki = spki(lab.ca.certPem);
  const mxName = (d: string, zone: string) => `mx.${d}.${zone}`;
  const port = {
    valid: await lab.smtp({ names: [mxName('valid', 'lab.test')] }),
    expired: await lab.smtp({ names: [mxName('expired', 'lab.test')], certificate: 'expired' }),
    selfsigned: await lab.smtp({ names: [mxName('selfsigned', 'lab.test')], certificate: 'self-signed' }),
    wrongname: await lab.smtp({ names: [mxName('wrongname', 'lab.test')], certificate: 'wrong-name' }),
    delayed: await lab.smtp({ names: [mxName('delayed', 'lab.test')], greetingDelayMs: 800 }),
    tarpit: await lab.smtp({ names: [mxName('tarpit', 'lab.test')], tarpit: true }),
    closed: await lab.closedPort(),
    plain: await lab.smtp({ names: [mxName('plain', 'lab.test')], starttls: false }),
    tls454: await lab.brokenStarttls('454'),
    tlsbreak: await lab.brokenStarttls('break'),
    openrelay: await lab.smtp({ names: [mxName('openrelay', 'lab.test')], relay: 'open' }),
    closedrelay: await lab.smtp({ names: [mxName('closedrelay', 'lab.test')], relay: 'closed' }),
    untrusted: await lab.smtp({ names: [mxName('untrusted', 'lab.test')] }),
    enforced: await lab.smtp({ names: [mxName('enforced', 'lab.test')], certificate: 'expired' }),
    banner: await lab.smtp({ names: ['smtp.elsewhere.test'] }),
    hostile: await lab.raw('220-hello\r\n'.repeat(5000)),
    notlisted: await lab.smtp({ names: [mxName('notlisted', 'lab.test')] }),
    danematch: await lab.smtp({ names: [mxName('danematch', 'signed.test')] }),
    danemismatch: await lab.smtp({ names: [mxName('danemismatch', 'signed.test')] }),
    danenotls: await lab.smtp({ names: [mxName('danenotls', 'signed.test')], starttls: false }),
    danetamatch: await lab.smtp({ names: [mxName('danetamatch', 'signed.test')] }),
  } as Record<string, number>;
  const plainZone = [`$ORIGIN lab.test.`, SOA];
  const reverse = [`$ORIGIN 2.0.192.in-addr.arpa.`, SOA];
  for (const [name, octet] of Object.entries(HOSTS)) {
    plainZone.push(`${name} MX 10 mx.${name}`, `mx.${name} A 192.0.2.${octet}`);
    reverse.push(`${octet} PTR ${name === 'banner' ? 'mx.banner.lab.test.' : `mx.${name}.lab.test.`}`);
    lab.route(`192.0.2.${octet}:25`, port[name]!);
  }
  plainZone.push(`_25._tcp.mx.valid TLSA 3 1 1 ${leafSpki}`);
  const signedZone = ['; lab: signed', `$ORIGIN signed.test.`, SOA];
  for (const [name, octet] of Object.entries(SIGNED)) {
    signedZone.push(`${name} MX 10 mx.${name}`, `mx.${name} A 192.0.2.${octet}`);
    reverse.push(`${octet} PTR mx.${name}.signed.test.`);
    lab.route(`192.0.2.${octet}:25`, port[name]!);
  }
  signedZone.push(`_25._tcp.mx.danematch TLSA 3 1 1 ${leafSpki}`, `_25._tcp.mx.danenotls TLSA 3 1 1 ${leafSpki}`);
  signedZone.push(`_25._tcp.mx.danemismatch TLSA 3 1 1 ${caSpki}`, `_25._tcp.mx.danetamatch TLSA 2 1 1 ${caSpki}`);
  dns = await lab.dns([plainZone.join('\n'), signedZone.join('\n'), reverse.join('\n')]);
  ctx = lab.context(dns, { timeoutMs: 1500 });
});

after(() => lab.close());

const ids = (r: CheckResult<SmtpData>) => r.findings.map((f) => f.id);
const find = (r: CheckResult<SmtpData>, id: string): Finding => {
  const f = r.findings.find((x) => x.id === id);
  assert.ok(f, `expected ${id} among ${ids(r).join(', ')}`);
  return f;
};
const probe = (r: CheckResult<SmtpData>) => r.data.hosts[0]!.probes[0]!;

test('a valid certificate from the trusted lab CA: STARTTLS ok, EHLO before and after TLS', async () => {
  const r = await runSmtp(ctx, 'valid.lab.test');
  assert.equal(r.status, 'ok', JSON.stringify(r.findings, null, 1));
  const p = probe(r);
  assert.equal(p.outcome, 'ok');
  assert.equal(p.greeting?.code, 220);
  assert.equal(p.ehlo?.capabilities.starttls, true);
  assert.equal(p.ehloAfterTls?.capabilities.starttls, false, 'STARTTLS is not offered again over TLS');
  assert.equal(p.tls?.authorized, true);
  assert.equal(p.tls?.nameMatch, 'mx.valid.lab.test');
  assert.ok(p.tls!.daysLeft! > 80);
  assert.equal(p.bannerPtr, 'match');
  assert.ok(p.timings.connectMs !== null && p.timings.greetingMs !== null && p.timings.tlsMs !== null);
  assert.deepEqual(ids(r).sort(), ['smtp.dane-ignored', 'smtp.ok'], 'unsigned TLSA records are ignored, not judged');
  assert.ok(p.transcript.some((l) => l.from === 'C' && l.text === 'QUIT'), 'the probe says QUIT');
  assert.ok(!p.transcript.some((l) => /^(MAIL|RCPT|DATA)/.test(l.text)), 'no MAIL, RCPT or DATA without --relay-test');
});

test('an expired certificate is information for SMTP without MTA-STS or DANE', async () => {
  const r = await runSmtp(ctx, 'expired.lab.test');
  const f = find(r, 'smtp.cert-expired');
  assert.equal(f.severity, 'info');
  assert.equal(probe(r).outcome, 'ok');
  assert.ok(probe(r).tls!.daysLeft! < 0);
  assert.equal(probe(r).tls!.trusted, true, 'the date error does not hide that the chain reaches the lab CA');
  assert.ok(!ids(r).includes('smtp.cert-untrusted'));
});

test('a self-signed certificate is information, reported once (not also "untrusted")', async () => {
  const r = await runSmtp(ctx, 'selfsigned.lab.test');
  assert.equal(find(r, 'smtp.cert-self-signed').severity, 'info');
  assert.ok(!ids(r).includes('smtp.cert-untrusted'));
});

test('a certificate for another name is information, checked against the MX name', async () => {
  const r = await runSmtp(ctx, 'wrongname.lab.test');
  const f = find(r, 'smtp.cert-name-mismatch');
  assert.equal(f.severity, 'info');
  assert.match(f.title, /localhost\.localdomain/);
  assert.equal(probe(r).tls?.nameMatch, null);
});

test('a certificate from a CA the run does not trust is "untrusted"', async () => {
  const r = await runSmtp(lab.context(dns, { timeoutMs: 1500, trustLabCa: false }), 'untrusted.lab.test');
  assert.equal(find(r, 'smtp.cert-untrusted').severity, 'info');
  assert.equal(probe(r).tls?.trusted, false);
});

test('with MTA-STS enforce covering the MX, an expired certificate is an error', async () => {
  const r = await runSmtp(ctx, 'enforced.lab.test', { mtaSts: Promise.resolve({ mode: 'enforce', mx: ['*.enforced.lab.test'] }) });
  assert.equal(find(r, 'smtp.cert-expired').severity, 'error');
  assert.equal(r.status, 'error');
});

test('MTA-STS enforce that does not list the MX: an error, and the host\'s certificate stays information', async () => {
  const r = await runSmtp(ctx, 'notlisted.lab.test', { mtaSts: Promise.resolve({ mode: 'enforce', mx: ['mail.other.test'] }) });
  assert.equal(find(r, 'smtp.mta-sts-mx-not-listed').severity, 'error');
  assert.equal(r.data.hosts[0]!.mtaSts?.covered, false);
});

test('a hostile server sending an endless multi-line reply is cut off at 100 lines', async () => {
  const r = await runSmtp(ctx, 'hostile.lab.test');
  const p = probe(r);
  assert.equal(p.outcome, 'could-not-test');
  assert.equal(p.failure?.kind, 'protocol');
  assert.match(p.failure?.message ?? '', /longer than 100 lines/);
  assert.equal(find(r, 'smtp.could-not-test').severity, 'warn');
});

test('the probe waits for a delayed greeting longer than the step timeout', async () => {
  const quick = lab.context(dns, { timeoutMs: 300 });
  const r = await runSmtp(quick, 'delayed.lab.test');
  const p = probe(r);
  assert.equal(p.outcome, 'ok', JSON.stringify(p.failure));
  assert.ok(p.timings.greetingMs! >= 800, `greeting after ${p.timings.greetingMs} ms`);
  assert.equal(r.data.greetingTimeoutMs, 1800);
});

test('a tarpit that never greets is "could not test" after the greeting timeout', async () => {
  const r = await runSmtp(ctx, 'tarpit.lab.test', { greetingTimeoutMs: 400 });
  const p = probe(r);
  assert.equal(p.outcome, 'could-not-test');
  assert.equal(p.failure?.step, 'greeting');
  assert.equal(p.failure?.kind, 'timeout');
  assert.ok(p.timings.totalMs >= 400 && p.timings.totalMs < 3000);
  assert.equal(r.status, 'unknown');
  assert.match(find(r, 'smtp.could-not-test').title, /never greeted/);
  assert.ok(!p.transcript.some((l) => l.from === 'C'), 'nothing is said before a greeting (talking early marks a bot)');
});

test('a closed port is "could not test": connection refused, said plainly', async () => {
  const r = await runSmtp(ctx, 'closed.lab.test');
  const f = find(r, 'smtp.could-not-test');
  assert.equal(f.severity, 'warn');
  assert.match(f.title, /connection refused/);
  assert.match(f.detail, /port 25 is blocked/);
  assert.equal(r.status, 'unknown');
});

test('a server without STARTTLS is "no STARTTLS", not a TLS failure', async () => {
  const r = await runSmtp(ctx, 'plain.lab.test');
  assert.equal(probe(r).outcome, 'no-starttls');
  assert.equal(find(r, 'smtp.no-starttls').severity, 'warn');
  assert.ok(!ids(r).includes('smtp.tls-failed'));
});

test('STARTTLS answered with 454 is a TLS failure', async () => {
  const r = await runSmtp(ctx, 'tls454.lab.test');
  const p = probe(r);
  assert.equal(p.outcome, 'tls-failed');
  assert.equal(p.failure?.step, 'starttls');
  assert.match(p.starttlsReply ?? '', /^454/);
  assert.equal(find(r, 'smtp.tls-failed').severity, 'error');
});

test('STARTTLS answered 220 then a broken handshake is a TLS failure', async () => {
  const r = await runSmtp(ctx, 'tlsbreak.lab.test');
  const p = probe(r);
  assert.equal(p.outcome, 'tls-failed');
  assert.equal(p.failure?.step, 'tls');
  assert.ok(ids(r).includes('smtp.tls-failed'));
});

test('DANE: a signed TLSA 3 1 1 record built from the certificate matches', async () => {
  const r = await runSmtp(ctx, 'danematch.signed.test');
  assert.equal(r.data.hosts[0]!.dane.state, 'applies');
  assert.equal(find(r, 'smtp.dane-match').severity, 'ok');
  assert.equal(r.status, 'ok');
});

test('DANE: a signed TLSA record for another key is a mismatch (error) with the record to publish', async () => {
  const r = await runSmtp(ctx, 'danemismatch.signed.test');
  const f = find(r, 'smtp.dane-mismatch');
  assert.equal(f.severity, 'error');
  assert.equal(f.fix?.dns?.[0]?.value, `3 1 1 ${leafSpki}`);
});

test('DANE: a signed 2 1 1 record for the issuing CA matches through the chain', async () => {
  const r = await runSmtp(ctx, 'danetamatch.signed.test');
  assert.equal(find(r, 'smtp.dane-match').severity, 'ok', JSON.stringify(r.findings));
});

test('DANE: no STARTTLS on a host with signed TLSA records is an error', async () => {
  const r = await runSmtp(ctx, 'danenotls.signed.test');
  assert.equal(find(r, 'smtp.no-starttls').severity, 'error');
});

test('relay test: an open relay is critical, and the test quits before DATA', async () => {
  const r = await runSmtp(ctx, 'openrelay.lab.test', { relayTest: true });
  const f = find(r, 'smtp.open-relay');
  assert.equal(f.severity, 'critical');
  const p = probe(r);
  assert.equal(p.relay?.verdict, 'open');
  assert.equal(p.relay?.overTls, true);
  assert.ok(!p.transcript.some((l) => l.from === 'C' && l.text === 'DATA'));
});

test('relay test: a closed relay refuses the outside recipient', async () => {
  const r = await runSmtp(ctx, 'closedrelay.lab.test', { relayTest: true });
  assert.equal(find(r, 'smtp.relay-closed').severity, 'ok');
  assert.match(probe(r).relay?.rcptReply ?? '', /^554/);
});

test('the greeting host name is compared with the PTR of the address', async () => {
  const r = await runSmtp(ctx, 'banner.lab.test');
  const f = find(r, 'smtp.banner-ptr-mismatch');
  assert.equal(f.severity, 'info');
  assert.equal(probe(r).greeting?.host, 'smtp.elsewhere.test');
});

test('--no-probe: skipped, and no connection is opened', async () => {
  const skipped = lab.context(dns, { noProbe: true });
  let dialed = 0;
  const dialer = { ...skipped.dialer, connect: (...args: Parameters<typeof skipped.dialer.connect>) => { dialed++; return skipped.dialer.connect(...args); } };
  const r = await runSmtp({ ...skipped, dialer }, 'valid.lab.test');
  assert.equal(r.status, 'skipped');
  assert.equal(dialed, 0);
  assert.equal(r.data.hosts.length, 0);
});
