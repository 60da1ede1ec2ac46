/** `mailsleuth probe` end to end: the real CLI process against lab DNS, SMTP and HTTPS hosts. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, SOA } from './probe-lab.ts';
import type { DnsServer } from '../src/lab/dns/index.ts';

const bin = fileURLToPath(new URL('../bin/mailsleuth.js', import.meta.url));
const lab = new Lab();
let dns: DnsServer;
let caFile = '';
let dir = '';

before(async () => {
  await lab.init();
  dir = mkdtempSync(join(tmpdir(), 'mailsleuth-probe-'));
  caFile = join(dir, 'lab-ca.pem');
  writeFileSync(caFile, lab.ca.certPem);
  const hsts = { 'strict-transport-security': 'max-age=31536000' };
  lab.route('192.0.2.61:25', await lab.smtp({ names: ['mx.good.test'] }));
  lab.route('198.51.100.61:443', await lab.https({ names: ['good.test', 'www.good.test'], headers: hsts }));
  lab.route('198.51.100.61:80', await lab.http({ status: 301, headers: { location: 'https://good.test/' } }));
  lab.route('192.0.2.62:25', await lab.brokenStarttls('454'));
  lab.route('198.51.100.62:443', await lab.closedPort());
  lab.route('198.51.100.62:80', await lab.http({ status: 200 }));
  dns = await lab.dns([
    ['$ORIGIN good.test.', SOA, '@ MX 10 mx', 'mx A 192.0.2.61', '@ A 198.51.100.61', 'www A 198.51.100.61'].join('\n'),
    ['$ORIGIN bad.test.', SOA, '@ MX 10 mx', 'mx A 192.0.2.62', '@ A 198.51.100.62'].join('\n'),
    // 192.0.2.63 is in no connect-map rule: the dialer refuses it, so nothing can be tested.
    ['$ORIGIN untestable.test.', SOA, '@ MX 10 mx', 'mx A 192.0.2.63'].join('\n'),
  ]);
});

after(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const network = ['--resolver', dns.server, '--ca', caFile, '--timeout', '1500', ...lab.map.flatMap((rule) => ['--connect-map', rule])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'probe', ...args, ...network], { env: { ...process.env, MAILSLEUTH_OFFLINE: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a healthy domain: exit 0, readable per MX address and per web host', async () => {
  const { code, stdout, stderr } = await cli(['good.test']);
  assert.equal(code, 0, stderr + stdout);
  assert.match(stdout, /^✔ SMTP — good\.test ok/m);
  assert.match(stdout, /^  mx\.good\.test .*→ 192\.0\.2\.61/m);
  assert.match(stdout, /^    192\.0\.2\.61  STARTTLS ok/m);
  assert.match(stdout, /certificate: mx\.good\.test — issuer mailsleuth lab CA/);
  assert.match(stdout, /^✔ Web — good\.test ok/m);
  assert.match(stdout, /^    HTTP  198\.51\.100\.61:80   301 → https:\/\/good\.test\/  \(reaches HTTPS\)/m);
  assert.ok(!stdout.includes('\x1b['), 'plain when piped');
});

test('--json prints { smtp, web } check results; problems exit 1', async () => {
  const { code, stdout, stderr } = await cli(['bad.test', '--json']);
  assert.equal(code, 1, stderr);
  const out = JSON.parse(stdout) as { smtp: { id: string; status: string; findings: Array<{ id: string }>; data: { hosts: Array<{ probes: Array<{ outcome: string }> }> } }; web: { id: string; findings: Array<{ id: string }>; data: { hosts: Array<{ name: string; addresses: string[] }> } } };
  assert.equal(out.smtp.id, 'smtp');
  assert.equal(out.smtp.data.hosts[0]!.probes[0]!.outcome, 'tls-failed');
  assert.ok(out.smtp.findings.some((f) => f.id === 'smtp.tls-failed'));
  assert.ok(out.web.findings.some((f) => f.id === 'web.no-https'));
  assert.deepEqual(out.web.data.hosts[0], { ...out.web.data.hosts[0], name: 'bad.test', addresses: ['198.51.100.62'] });
});

test('nothing testable: exit 3', async () => {
  const { code, stdout } = await cli(['untestable.test']);
  assert.equal(code, 3, stdout);
  assert.match(stdout, /could not test/i);
});

test('--relay-test runs the relay test; a bad domain exits 2 with one line', async () => {
  const relay = await cli(['good.test', '--json', '--relay-test']);
  const out = JSON.parse(relay.stdout) as { smtp: { data: { relayTest: boolean; hosts: Array<{ probes: Array<{ relay: { verdict: string } | null }> }> } } };
  assert.equal(out.smtp.data.relayTest, true);
  assert.equal(out.smtp.data.hosts[0]!.probes[0]!.relay?.verdict, 'closed');
  const bad = await cli(['not a domain']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});
