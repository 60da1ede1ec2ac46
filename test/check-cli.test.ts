/** `mailsleuth check` end to end: the real CLI process against the lab DNS server. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DnsServer } from '../src/lab/dns/index.ts';
import { startCheckLab } from './check-lab.ts';

const bin = fileURLToPath(new URL('../bin/mailsleuth.js', import.meta.url));

let lab: DnsServer;
before(async () => { lab = await startCheckLab(); });
after(() => lab.close());

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // No NO_COLOR here: the output is piped, so it must come out plain on its own (even under CI=true).
    const env: NodeJS.ProcessEnv = { ...process.env, MAILSLEUTH_OFFLINE: '1', CI: 'true' };
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    const child = spawn(process.execPath, [bin, 'check', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('healthy domain: exit 0, a one-line headline, checks grouped with marks, plain when piped', async () => {
  lab.setFaults([]);
  const { code, stdout, stderr } = await cli(['healthy.test', '--resolver', lab.server, '--no-probe']);
  assert.equal(code, 0, stderr + stdout);
  const lines = stdout.split('\n');
  assert.match(lines[0]!, /^✔ healthy\.test looks healthy: \d+ checks passed$/);
  assert.ok(!stdout.includes('\x1b['), 'no colour escapes when piped');
  for (const heading of ['MX', 'SPF', 'DKIM', 'DMARC', 'DNSSEC', 'DANE', 'Reverse DNS', 'Blocklists', 'Providers']) {
    assert.match(stdout, new RegExp(`^  [✔ℹ] ${heading}\\s`, 'm'), heading);
  }
});

test('problems: exit 1; --json carries findings and per-check data', async () => {
  lab.setFaults([]);
  const { code, stdout } = await cli(['BROKEN.test.', '--resolver', lab.server, '--no-probe', '--json']);
  assert.equal(code, 1);
  const out = JSON.parse(stdout) as { schema: string; domain: string; verdict: string; headline: string; findings: Array<{ id: string; severity: string }>; checks: Record<string, { id: string; status: string; data: Record<string, unknown> }>; dns: { queriesSent: number } };
  assert.equal(out.schema, 'mailsleuth/check@1');
  assert.equal(out.domain, 'broken.test', 'the domain is normalised');
  assert.equal(out.verdict, 'problems');
  assert.match(out.headline, /broken\.test has problems: .*error/);
  assert.ok(out.findings.some((f) => f.id === 'mx.null-mixed' && f.severity === 'error'));
  assert.equal(out.checks.mx!.status, 'error');
  assert.ok(Array.isArray((out.checks.mx!.data as { hosts: unknown[] }).hosts));
  assert.ok(out.dns.queriesSent > 0);
});

test('a bad domain: exit 2 with a one-line message, before any query', async () => {
  const before = lab.queries;
  const { code, stderr, stdout } = await cli(['not a domain', '--resolver', lab.server]);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.equal(stderr.trim().split('\n').length, 1);
  assert.match(stderr, /^mailsleuth: invalid domain name/);
  assert.equal(lab.queries, before);
});

test('an IDN is checked under its punycode name', async () => {
  lab.setFaults([]);
  const { stdout } = await cli(['bücher.test', '--resolver', lab.server, '--no-probe', '--json']);
  assert.equal((JSON.parse(stdout) as { domain: string }).domain, 'xn--bcher-kva.test');
});

test('DNS that never answers: exit 3, incomplete', async () => {
  lab.setFaults([{ action: 'drop' }]);
  const { code, stdout } = await cli(['healthy.test', '--resolver', lab.server, '--no-probe', '--timeout', '400']);
  lab.setFaults([]);
  assert.equal(code, 3);
  assert.match(stdout.split('\n')[0]!, /could not complete — no DNS answer at all/);
});
