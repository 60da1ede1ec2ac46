/**
 * `mailsleuth spf` as a user runs it: the real binary in a child process, DNS from the lab server.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseZone, startDnsServer, type DnsServer } from '../src/lab/dns/index.ts';

const BIN = fileURLToPath(new URL('../bin/mailsleuth.js', import.meta.url));

const ZONE = `
$ORIGIN acme.example.
@     SOA ns hostmaster 1 7200 3600 1209600 300
@     TXT "v=spf1 include:spf.protection.outlook.example -all exp=why.acme.example"
why   TXT "%{i} may not send as %{d}"
www   A 203.0.113.80
www   TXT "v=spf1 a -all"
`;

const PROVIDER = `
$ORIGIN outlook.example.
@              SOA ns hostmaster 1 7200 3600 1209600 300
spf.protection TXT "v=spf1 ip4:40.92.0.0/15 -all"
`;

let dns: DnsServer;
before(async () => { dns = await startDnsServer({ zones: [parseZone(ZONE), parseZone(PROVIDER)] }); });
after(() => dns.close());

function mailsleuth(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args, '--resolver', dns.server], { env: { ...process.env, MAILSLEUTH_OFFLINE: '1', NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('spf --ip --sender --json prints exactly result, explanation, trace, lookups, voidLookups', async () => {
  const { code, stdout } = await mailsleuth('spf', '--ip', '203.0.113.80', '--sender', 'billing@acme.example', '--json');
  const out = JSON.parse(stdout);
  assert.deepEqual(Object.keys(out), ['result', 'explanation', 'trace', 'lookups', 'voidLookups']);
  assert.equal(out.result, 'fail');
  assert.equal(out.explanation, '203.0.113.80 may not send as acme.example');
  assert.equal(out.lookups, 1);
  assert.equal(out.trace.terms[0].record.domain, 'spf.protection.outlook.example');
  assert.equal(code, 1, 'fail is a problem');
});

test('a pass exits 0, and with an empty MAIL FROM the HELO identity is checked (RFC 7208 2.4)', async () => {
  const pass = await mailsleuth('spf', '--ip', '40.93.1.2', '--sender', 'a@acme.example', '--json');
  assert.equal(JSON.parse(pass.stdout).result, 'pass');
  assert.equal(pass.code, 0);
  const helo = await mailsleuth('spf', '--ip', '203.0.113.80', '--sender', '', '--helo', 'www.acme.example', '--json');
  const out = JSON.parse(helo.stdout);
  assert.equal(out.result, 'pass');
  assert.equal(out.trace.domain, 'www.acme.example');
});

test('the text form shows the trace with each term, lookup and answer', async () => {
  const { stdout } = await mailsleuth('spf', '--ip', '203.0.113.80', '--sender', 'billing@acme.example');
  assert.match(stdout, /SPF fail for 203\.0\.113\.80 sending as billing@acme\.example/);
  assert.match(stdout, /include:spf\.protection\.outlook\.example \[lookup 1\]\s+no match/);
  assert.match(stdout, /-all\s+match → fail/);
  assert.match(stdout, /DNS lookups: 1 of 10/);
});

test('spf DOMAIN shows the record, the include tree with lookup counts, findings and networks', async () => {
  const { code, stdout } = await mailsleuth('spf', 'acme.example');
  assert.match(stdout, /Record: "v=spf1 include:spf\.protection\.outlook\.example -all exp=why\.acme\.example"/);
  assert.match(stdout, /include:spf\.protection\.outlook\.example → spf\.protection\.outlook\.example\s+1 lookup/);
  assert.match(stdout, /\+ 40\.92\.0\.0\/15\s+acme\.example → include:spf\.protection\.outlook\.example → ip4:40\.92\.0\.0\/15/);
  assert.equal(code, 0);
  const json = JSON.parse((await mailsleuth('spf', 'acme.example', '--json')).stdout);
  assert.equal(json.id, 'spf');
  assert.equal(json.data.lookups.total, 1);
});

test('bad input is one line on stderr and exit 2', async () => {
  for (const args of [['spf', '--ip', '203.0.113.300', '--sender', 'a@acme.example'], ['spf', '--ip', '203.0.113.80', '--sender', 'a@acme..example'], ['spf', 'not a domain'], ['spf']]) {
    const { code, stdout, stderr } = await mailsleuth(...args);
    assert.equal(code, 2, args.join(' '));
    assert.equal(stdout, '');
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
  }
});
