/**
 * The probes against the lab's own virtual hosts (src/lab/hosts, configured by a hosts file as a
 * scenario would be) and against the reference scenario: the same servers `mailsleuth lab` and the
 * demo run, reached through the connect map the lab hands out.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostsFile, startHosts, type RunningHosts } from '../src/lab/hosts/index.ts';
import { startLab, type Lab as ScenarioLab } from '../src/lab/index.ts';
import { createLabCa } from '../src/lab/tls.ts';
import { parseZone, startDnsServer, type DnsServer } from '../src/lab/dns/index.ts';
import { createResolver } from '../src/net/dns/client.ts';
import { createDialer, parseConnectMapRule } from '../src/net/dialer/index.ts';
import { run as runSmtp } from '../src/checks/smtp/index.ts';
import { run as runWeb } from '../src/checks/web/index.ts';
import { probeDomain, exitCodeOf } from '../src/cli/commands/probe.ts';
import type { Context } from '../src/checks/types.ts';
import { SOA } from './probe-lab.ts';

/** One virtual host per case: 192.0.2.1xx runs SMTP, 198.51.100.1xx runs the web site. */
const SMTP_CASES: Record<string, Record<string, unknown>> = {
  valid: {},
  expired: { certificate: 'expired' },
  selfsigned: { certificate: 'self-signed' },
  wrongname: { certificate: 'wrong-name' },
  delayed: { greetingDelayMs: 700 },
  tarpit: { tarpit: true },
  plain: { starttls: false },
  openrelay: { relay: true },
};
const WEB_CASES: Record<string, Record<string, unknown>> = {
  valid: { hsts: 'max-age=31536000' },
  expired: { certificate: 'expired', hsts: 'max-age=31536000' },
  selfsigned: { certificate: 'self-signed', hsts: 'max-age=31536000' },
  wrongname: { certificate: 'wrong-name', hsts: 'max-age=31536000' },
};

let hosts: RunningHosts;
let dns: DnsServer;
let ctx: Context;
let scenario: ScenarioLab;

function hostsFile(): string {
  const list: unknown[] = [];
  Object.entries(SMTP_CASES).forEach(([name, spec], i) => {
    list.push({ ip: `192.0.2.${101 + i}`, names: [`mx.${name}.hosts.test`], services: { 25: { type: 'smtp', localDomains: [`${name}.hosts.test`], ...spec } } });
  });
  Object.entries(WEB_CASES).forEach(([name, spec], i) => {
    list.push({ ip: `198.51.100.${101 + i}`, names: [`${name}.hosts.test`], services: { 443: { type: 'https', ...spec }, 80: { type: 'http', redirectToHttps: true } } });
  });
  list.push({ ip: '192.0.2.120', names: ['mx.closed.hosts.test'], services: { 25: { type: 'closed' }, 443: { type: 'closed' }, 80: { type: 'http' } } });
  return JSON.stringify({ hosts: list });
}

before(async () => {
  const ca = await createLabCa();
  hosts = await startHosts({ hosts: parseHostsFile(hostsFile(), 'probe hosts'), ca });
  const zone = ['$ORIGIN hosts.test.', SOA];
  Object.keys(SMTP_CASES).forEach((name, i) => zone.push(`${name} MX 10 mx.${name}`, `mx.${name} A 192.0.2.${101 + i}`));
  Object.keys(WEB_CASES).forEach((name, i) => zone.push(`${name} A 198.51.100.${101 + i}`));
  zone.push('closed MX 10 mx.closed', 'mx.closed A 192.0.2.120', 'closed A 192.0.2.120');
  dns = await startDnsServer({ zones: [parseZone(zone.join('\n'))], address: '127.0.0.1', port: 0 });
  ctx = {
    resolver: createResolver({ servers: [dns.server], timeoutMs: 1000, retries: 0 }),
    dialer: createDialer({ connectMap: hosts.rules.map(parseConnectMapRule), ca: [ca.certPem], guard: 'offline' }),
    options: { timeoutMs: 400, noProbe: false, selectors: [], keys: {} },
    now: () => new Date(),
  };
  scenario = await startLab();
});

after(async () => {
  await hosts?.close();
  await dns?.close();
  await scenario?.close();
});

const firstProbe = async (domain: string) => (await runSmtp(ctx, domain)).data.hosts[0]!.probes[0]!;
const smtpIds = async (domain: string, input = {}) => (await runSmtp(ctx, domain, input)).findings.map((f) => `${f.id}:${f.severity}`);

test('lab SMTP hosts: each certificate variant gives its own outcome', async () => {
  assert.ok((await smtpIds('valid.hosts.test')).includes('smtp.ok:ok'));
  assert.ok((await smtpIds('expired.hosts.test')).includes('smtp.cert-expired:info'));
  assert.ok((await smtpIds('selfsigned.hosts.test')).includes('smtp.cert-self-signed:info'));
  assert.ok((await smtpIds('wrongname.hosts.test')).includes('smtp.cert-name-mismatch:info'));
});

test('lab SMTP hosts: greet-pause waited out, tarpit given up on, no STARTTLS, closed port', async () => {
  const delayed = await firstProbe('delayed.hosts.test');
  assert.equal(delayed.outcome, 'ok', 'a 700 ms greet-pause is waited out although each step has 400 ms');
  assert.ok(delayed.timings.greetingMs! >= 700);
  const tarpit = await firstProbe('tarpit.hosts.test');
  assert.deepEqual([tarpit.outcome, tarpit.failure?.step, tarpit.failure?.kind], ['could-not-test', 'greeting', 'timeout']);
  assert.equal((await firstProbe('plain.hosts.test')).outcome, 'no-starttls');
  const closed = await firstProbe('closed.hosts.test');
  assert.deepEqual([closed.outcome, closed.failure?.kind], ['could-not-test', 'connection-refused']);
});

test('lab SMTP hosts: relay test tells an open relay from a closed one', async () => {
  assert.ok((await smtpIds('openrelay.hosts.test', { relayTest: true })).includes('smtp.open-relay:critical'));
  assert.ok((await smtpIds('valid.hosts.test', { relayTest: true })).includes('smtp.relay-closed:ok'));
});

test('lab web hosts: each certificate variant, redirect to HTTPS, and no HTTPS at all', async () => {
  const ids = async (d: string) => (await runWeb(ctx, d)).findings.map((f) => `${f.id}:${f.severity}`);
  assert.deepEqual(await ids('valid.hosts.test'), ['web.ok:ok']);
  assert.deepEqual(await ids('expired.hosts.test'), ['web.cert-expired:error']);
  assert.deepEqual(await ids('selfsigned.hosts.test'), ['web.cert-self-signed:error']);
  assert.deepEqual(await ids('wrongname.hosts.test'), ['web.cert-name-mismatch:error']);
  assert.deepEqual(await ids('closed.hosts.test'), ['web.no-https:warn']);
});

test('reference scenario: Microsoft 365 MX fine, the web host has no HTTPS, and its address is in the data', async () => {
  const labCtx: Context = {
    resolver: createResolver({ servers: [scenario.dns], timeoutMs: 1000, retries: 0 }),
    dialer: createDialer({ connectMap: scenario.connectMap.map(parseConnectMapRule), ca: [scenario.caPem], guard: 'offline' }),
    options: { timeoutMs: 2000, noProbe: false, selectors: [], keys: {} },
    now: () => new Date(),
  };
  const report = await probeDomain(labCtx, 'acme.example');
  const mx = report.smtp.data.hosts[0]!;
  assert.equal(mx.name, 'acme-example.mail.protection.outlook.com');
  assert.deepEqual(mx.probes.map((p) => p.outcome), ['ok', 'ok']);
  assert.ok(mx.probes.every((p) => p.tls?.nameMatch === '*.mail.protection.outlook.com'), 'the wildcard certificate covers the tenant MX name');
  assert.ok(!report.smtp.findings.some((f) => f.severity === 'warn' || f.severity === 'error'));
  assert.deepEqual(report.web.data.hosts.map((h) => ({ name: h.name, addresses: h.addresses })), [
    { name: 'acme.example', addresses: ['203.0.113.80'] },
    { name: 'www.acme.example', addresses: ['203.0.113.80'] },
  ]);
  assert.ok(report.web.findings.some((f) => f.id === 'web.no-https' && f.data?.host === 'acme.example'));
  assert.equal(exitCodeOf(report), 1);
});
