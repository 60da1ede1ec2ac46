/** `mailsleuth blocklist` end to end: the real CLI process against the lab DNS server. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseZone, startDnsServer, type DnsServer, type Zone } from '../src/lab/dns/index.ts';

const bin = fileURLToPath(new URL('../bin/mailsleuth.js', import.meta.url));

function zone(origin: string, lines: string[]): Zone {
  return parseZone([`$ORIGIN ${origin}.`, `@ 60 IN SOA ns.${origin}. hostmaster.${origin}. 1 3600 600 86400 60`, ...lines].join('\n'), { origin });
}

let lab: DnsServer;
before(async () => {
  lab = await startDnsServer({
    zones: [
      zone('zen.spamhaus.org', ['80.113.0.203 A 127.0.0.4', '80.113.0.203 TXT "https://check.spamhaus.org/query/ip/203.0.113.80"', '10.2.0.192 A 127.0.0.10']),
      zone('b.barracudacentral.org', ['80.113.0.203 A 127.0.0.2']),
      zone('dbl.spamhaus.org', ['acme.example A 127.0.1.2']),
      zone('multi.uribl.com', []),
    ],
  });
});
after(async () => {
  await lab.close();
});

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'blocklist', ...args], { env: { ...process.env, MAILSLEUTH_OFFLINE: '1', NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const LISTS = ['--list', 'spamhaus-zen', '--list', 'barracuda-brbl', '--list', 'spamhaus-dbl', '--list', 'uribl-multi'];

test('--json follows the contract: { results: [{ target, list, zone, status, codes, meaning, txt, url }] }; exit 1 when listed', async () => {
  const { code, stdout } = await cli(['203.0.113.80', 'acme.example', '--json', '--resolver', lab.server, ...LISTS]);
  assert.equal(code, 1);
  const out = JSON.parse(stdout) as { results: Record<string, unknown>[]; skipped: unknown[] };
  for (const r of out.results) {
    for (const field of ['target', 'list', 'zone', 'status', 'codes', 'meaning', 'txt', 'url']) assert.ok(field in r, `${field} in ${JSON.stringify(r)}`);
    assert.ok(['listed', 'not-listed', 'error'].includes(r.status as string));
  }
  const zen = out.results.find((r) => r.target === '203.0.113.80' && r.list === 'spamhaus-zen');
  assert.equal(zen?.status, 'listed');
  assert.equal(zen?.zone, 'zen.spamhaus.org');
  assert.deepEqual(zen?.codes, ['127.0.0.4']);
  assert.match(String(zen?.meaning), /XBL/);
  assert.equal(zen?.txt, 'https://check.spamhaus.org/query/ip/203.0.113.80');
  assert.equal(zen?.url, 'https://check.spamhaus.org/');
  assert.deepEqual(out.results.map((r) => `${r.target} ${r.list} ${r.status}`), [
    '203.0.113.80 spamhaus-zen listed',
    '203.0.113.80 barracuda-brbl listed',
    'acme.example spamhaus-dbl listed',
    'acme.example uribl-multi not-listed',
  ]);
});

test('the table groups by target and shows list, result, meaning and the delist link', async () => {
  const { code, stdout } = await cli(['203.0.113.80', '192.0.2.10', '--resolver', lab.server, '--list', 'spamhaus-zen', '--list', 'barracuda-brbl']);
  assert.equal(code, 1);
  const [first, second] = stdout.split(/\n\n/);
  assert.match(first ?? '', /^203\.0\.113\.80 .*2 listed/);
  assert.match(first ?? '', /Spamhaus ZEN\s+LISTED\s+127\.0\.0\.4 · XBL.*https:\/\/check\.spamhaus\.org\//);
  assert.match(first ?? '', /Barracuda.*LISTED.*https:\/\/www\.barracudacentral\.org\/rbl\/removal-request/);
  assert.match(second ?? '', /^192\.0\.2\.10 .*1 listed/);
  assert.match(second ?? '', /Spamhaus ZEN\s+LISTED\s+127\.0\.0\.10 · policy, not abuse: PBL/);
  assert.match(second ?? '', /Barracuda.*not listed/);
});

test('exit 0 when every list answers "not listed"', async () => {
  const { code, stdout } = await cli(['192.0.2.77', '--json', '--resolver', lab.server, '--list', 'spamhaus-zen', '--list', 'barracuda-brbl']);
  assert.equal(code, 0);
  assert.ok((JSON.parse(stdout) as { results: { status: string }[] }).results.every((r) => r.status === 'not-listed'));
});

test('exit 3 when every lookup errored, and the table explains the resolver problem', async () => {
  lab.setFaults([{ action: 'refused' }]);
  try {
    const { code, stdout } = await cli(['192.0.2.77', '--resolver', lab.server, '--list', 'spamhaus-zen', '--list', 'barracuda-brbl', '--list', 'psbl']);
    assert.equal(code, 3);
    assert.match(stdout, /UNKNOWN/);
    assert.match(stdout, /not the same as "not listed"/);
    assert.match(stdout, /Fix: Run your own recursive resolver/);
    assert.match(stdout, /^  Spamhaus ZEN\s+UNKNOWN\s+REFUSED$/m);
    assert.match(stdout, /• Barracuda Reputation Block List \(BRBL\), PSBL \(Passive Spam Block List\): the query was answered REFUSED/, 'one refused resolver reads as one problem');
    assert.doesNotMatch(stdout, /^  [^•\s].*\s{2}not listed/m, 'no row may read "not listed"');
  } finally {
    lab.setFaults([]);
  }
});

test('exit 2 with one line for bad input, before any query', async () => {
  const before = lab.queries;
  for (const bad of ['300.1.2.3', 'not a domain', 'co.uk']) {
    const { code, stderr, stdout } = await cli([bad, '--resolver', lab.server]);
    assert.equal(code, 2, bad);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^mailsleuth: invalid/);
    assert.equal(stdout, '');
  }
  const { code, stderr } = await cli(['192.0.2.1', '--resolver', lab.server, '--list', 'no-such-list']);
  assert.equal(code, 2);
  assert.match(stderr, /unknown blocklist "no-such-list"/);
  const badKey = await cli(['192.0.2.1', '--resolver', lab.server, '--dqs-key', 'has.dots']);
  assert.equal(badKey.code, 2);
  assert.equal(lab.queries, before);
});

test('--dqs-key (or SPAMHAUS_DQS_KEY) moves Spamhaus queries to the DQS zone', async () => {
  const before = lab.log.length;
  const { stdout } = await cli(['192.0.2.77', '--json', '--resolver', lab.server, '--list', 'spamhaus-zen'], { SPAMHAUS_DQS_KEY: 'envkey' });
  const out = JSON.parse(stdout) as { results: { zone: string; query: string }[] };
  assert.equal(out.results[0]?.zone, '<key>.zen.dq.spamhaus.net');
  assert.ok(lab.log.slice(before).some((q) => q.name === '77.2.0.192.envkey.zen.dq.spamhaus.net'));
  assert.ok(!stdout.includes('envkey'), 'the key never appears in the output');
});
