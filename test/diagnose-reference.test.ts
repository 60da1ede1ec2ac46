/**
 * The reference case end to end (DESIGN.md): the lab serves webhost-spoof, the diagnosis reads its
 * bounces and the domain, and names the web host as the root cause with evidence and fixes — in
 * process, through the CLI, and again from a DNS recording with no network.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLab, type Lab } from '../src/lab/index.ts';
import { createResolver, createReplayResolver, transcriptFile } from '../src/net/dns/client.ts';
import { createDialer, parseConnectMap } from '../src/net/dialer/index.ts';
import { diagnose } from '../src/diagnose/index.ts';
import { CAUSE_IDS, type Diagnosis } from '../src/diagnose/types.ts';
import type { Context } from '../src/checks/types.ts';
import { renderMarkdown, renderHtml, renderText } from '../src/report/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The CLI in a child process; async, because the lab answering it lives in this process. */
function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/mailsleuth.js', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, MAILSLEUTH_OFFLINE: '1' } }, (err, stdout, stderr) => {
      resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const messagesDir = join(root, 'scenarios/webhost-spoof/messages');
const messages = readdirSync(messagesDir).filter((f) => f.endsWith('.eml')).map((f) => ({ name: f, bytes: readFileSync(join(messagesDir, f)) }));

let lab: Lab;
let result: Diagnosis;
let ctx: Context;

function labContext(lab: Lab, noProbe = false): Context {
  return {
    resolver: createResolver({ servers: [lab.dns], timeoutMs: 1000, retries: 0 }),
    dialer: createDialer({ connectMap: lab.connectMap.flatMap(parseConnectMap), ca: [lab.caPem], guard: 'offline', defaultTimeoutMs: 3000 }),
    options: { timeoutMs: 3000, noProbe, selectors: [], keys: {} },
    now: () => new Date(),
  };
}

before(async () => {
  lab = await startLab({ scenario: 'webhost-spoof', writeCaFile: true });
  ctx = labContext(lab);
  result = await diagnose(ctx, { domain: 'acme.example', messages });
});
after(() => lab?.close());

test('the root cause is the web host sending mail in the domain\'s name', () => {
  const top = result.causes[0]!;
  assert.equal(top.id, 'unauthorized-sender');
  assert.equal(top.data?.originIp, '203.0.113.80');
  assert.equal(top.data?.originRole, 'web-host');
  assert.equal(top.severity, 'critical');
  assert.match(top.summary, /203\.0\.113\.80/);
  assert.match(top.summary, /web site/);
  assert.match(top.summary, /Microsoft 365/);
  const evidence = top.evidence.join('\n');
  assert.match(evidence, /X-PHP-Originating-Script/i, 'the PHP script that wrote the mail is cited');
  assert.match(evidence, /SPF check_host\(203\.0\.113\.80, acme\.example\) = fail/);
  assert.match(evidence, /no DKIM signature of acme\.example/);
  const fixes = top.fixes.map((f) => f.text).join('\n');
  assert.match(fixes, /Stop 203\.0\.113\.80/);
  assert.match(fixes, /through Microsoft 365/);
  assert.match(fixes, /certificate on the web site does not stop spoofing/i);
  assert.match(result.headline, /^Root cause: .*Spamhaus ZEN \(XBL\).*Spamhaus DBL/);
});

test('the listings, the DMARC policy and the missing HTTPS follow, with their evidence and fixes', () => {
  const ids = result.causes.map((c) => c.id);
  for (const id of ['sender-blocklisted', 'domain-blocklisted', 'dmarc-not-enforced', 'web-no-https'] as const) assert.ok(ids.includes(id), `${id} in ${ids}`);
  assert.ok(ids.indexOf('sender-blocklisted') < ids.indexOf('dmarc-not-enforced'), 'listings rank above posture');
  const listed = result.causes.find((c) => c.id === 'sender-blocklisted')!;
  assert.match(listed.evidence.join('\n'), /80\.113\.0\.203\.zen\.spamhaus\.org A → 127\.0\.0\.4/, 'the DNS answer is cited from the transcript');
  assert.ok(listed.fixes.some((f) => f.links?.some((l) => l.includes('spamhaus'))), 'delisting link');
  const dmarc = result.causes.find((c) => c.id === 'dmarc-not-enforced')!;
  const records = dmarc.fixes.flatMap((f) => f.dns ?? []).map((r) => r.value);
  assert.deepEqual(records, ['v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.example', 'v=DMARC1; p=reject; rua=mailto:dmarc@acme.example'], 'rollout keeps the existing rua');
  assert.match(dmarc.fixes[0]!.text, /GoDaddy/, 'says where to click: the DNS host from NS');
  // The legitimate message sent through Microsoft 365 is not blamed on a rogue sender.
  assert.equal(result.causes.filter((c) => c.id === 'unauthorized-sender').length, 1);
  assert.ok(!ids.includes('spf-not-authorizing-sender'));
  assert.ok(!ids.includes('recipient-problem'));
});

test('the JSON contract: schema, verdict, causes with ids from the vocabulary, checks and messages', () => {
  const json = JSON.parse(JSON.stringify(result)) as Diagnosis;
  assert.equal(json.schema, 'mailsleuth/diagnosis@1');
  assert.equal(json.domain, 'acme.example');
  assert.equal(json.verdict, 'problems');
  assert.ok(json.durationMs >= 0);
  for (const c of json.causes) {
    assert.ok(CAUSE_IDS.includes(c.id), c.id);
    assert.ok(c.confidence > 0 && c.confidence <= 1);
    assert.ok(c.evidence.length > 0, `${c.id} has evidence`);
    assert.ok(c.fixes.length > 0, `${c.id} has fixes`);
  }
  for (const id of ['mx', 'spf', 'dkim', 'dmarc', 'smtp', 'web', 'blocklists']) assert.ok(json.checks[id], `check ${id}`);
  assert.equal(json.messages.length, 2);
  assert.ok(json.dns.transcript.length > 0);
});

test('the renderers: text, Markdown and HTML carry the verdict and escape what came from outside', () => {
  assert.match(renderText(result), /Root cause/);
  const md = renderMarkdown(result);
  assert.match(md, /^# Mail delivery diagnosis: acme\.example/);
  assert.match(md, /unauthorized-sender/);
  const html = renderHtml(result);
  assert.match(html, /<!doctype html>/);
  assert.doesNotMatch(html, /<script/i);
  const hostile: Diagnosis = { ...result, headline: '<img src=x onerror=alert(1)>' };
  assert.doesNotMatch(renderHtml(hostile), /<img/);
});

test('a recorded run replays with no network and reaches the same causes', async () => {
  const replayCtx: Context = { ...labContext(lab, true), resolver: createReplayResolver(transcriptFile(ctx.resolver).entries) };
  const before = lab.dnsServer.queries;
  const replayed = await diagnose(replayCtx, { domain: 'acme.example', messages });
  assert.equal(lab.dnsServer.queries, before, 'no DNS query reached the lab');
  const ids = replayed.causes.map((c) => c.id);
  assert.equal(ids[0], 'unauthorized-sender');
  for (const id of ['sender-blocklisted', 'domain-blocklisted', 'dmarc-not-enforced'] as const) assert.ok(ids.includes(id), id);
});

test('with --no-probe no connection is made: the web check is skipped, the rest stands', async () => {
  const quiet = await diagnose(labContext(lab, true), { domain: 'acme.example', messages });
  assert.equal(quiet.checks.web?.status, 'skipped');
  assert.equal(quiet.checks.smtp?.status, 'skipped');
  assert.equal(quiet.causes[0]?.id, 'unauthorized-sender');
  assert.ok(!quiet.causes.some((c) => c.id === 'web-no-https'));
});

test('the CLI: diagnose --json prints the contract, exits 1 on problems; --format md and --dns-record work', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-diag-'));
  const recording = join(dir, 'dns.json');
  const args = ['diagnose', 'acme.example', '--resolver', lab.dns, '--connect-map', lab.connectMap.join(','), '--ca', lab.caFile!, '--timeout', '3000',
    ...messages.flatMap((m) => ['--bounce', join(messagesDir, m.name)])];
  const json = await cli([...args, '--json', '--dns-record', recording]);
  assert.equal(json.status, 1, json.stderr);
  const parsed = JSON.parse(json.stdout) as Diagnosis;
  assert.equal(parsed.causes[0]?.id, 'unauthorized-sender');
  assert.ok(existsSync(recording));
  const replay = await cli(['diagnose', 'acme.example', '--dns-replay', recording, '--no-probe', '--format', 'md', ...messages.flatMap((m) => ['--bounce', join(messagesDir, m.name)])]);
  assert.equal(replay.status, 1, replay.stderr);
  assert.match(replay.stdout, /unauthorized-sender/);
  const bad = await cli(['diagnose', 'acme..example']);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  const missing = await cli(['diagnose', 'acme.example', '--bounce', join(dir, 'nope.eml'), '--resolver', lab.dns]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read .*nope\.eml: no such file/);
});

test('a resolver that cannot be reached: incomplete, exit 3, the DNS error named, no invented causes', async () => {
  const out = await cli(['diagnose', 'acme.example', '--resolver', '127.0.0.1:9', '--no-probe', '--json']);
  assert.equal(out.status, 3, out.stderr);
  const parsed = JSON.parse(out.stdout) as Diagnosis;
  assert.equal(parsed.verdict, 'incomplete');
  assert.match(parsed.headline, /no DNS answer at all .*127\.0\.0\.1:9 refused the connection/);
  assert.deepEqual(parsed.causes, []);
});

test('DMARC aggregate reports join the evidence: the web host measured as a forger, the services that need fixing named', async () => {
  const reports = ['google.xml', 'microsoft.xml'].map((f) => ({ name: f, bytes: readFileSync(join(root, 'test/fixtures/dmarc', f)) }));
  const withReports = await diagnose(labContext(lab, true), { domain: 'acme.example', messages, dmarcReports: reports });
  const top = withReports.causes[0]!;
  assert.equal(top.id, 'unauthorized-sender');
  assert.ok(top.evidence.some((e) => /DMARC aggregate reports: \d+ message\(s\) from 203\.0\.113\.80/.test(e)), top.evidence.join('\n'));
  assert.ok(withReports.causes.some((c) => c.id === 'dkim-missing' && c.evidence.some((e) => /192\.0\.2\.99/.test(e))), 'the sender without DKIM the reports show');
  assert.equal((withReports.aggregate as { totals: { messages: number } }).totals.messages, 778, 'messages are the sum of count');
});
