/** `mailsleuth dmarc-report` end to end: the real CLI process, its table, --json, and its exit codes. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOA, startAuthLab, type AuthLab } from './auth-checks-lab.ts';

const bin = fileURLToPath(new URL('../bin/mailsleuth.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/dmarc/${name}`, import.meta.url));
const RANGE = '1795478400!1795564799';
const GOOGLE = fixture(`google.com!acme.example!${RANGE}.zip`);
const OUTLOOK = fixture(`outlook.com!acme.example!${RANGE}.xml.gz`);

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'dmarc-report', ...args], { env: { ...process.env, MAILSLEUTH_OFFLINE: '1', NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'dmarc-cli-'));
/** The Yahoo report without its spoofed row: every source aligned. */
const CLEAN = join(dir, 'clean.xml');
writeFileSync(CLEAN, readFileSync(fixture('yahoo.xml'), 'utf8').replace(/<record>(?:(?!<\/record>)[\s\S])*203\.0\.113\.80[\s\S]*?<\/record>/, ''));

test('exit 0 when every source aligns', async () => {
  const { code, stdout, stderr } = await cli([CLEAN]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^40\.107\.22\.51\s+95\s+pass\s+pass\s+pass\s+aligned\s+Yahoo$/m);
  assert.doesNotMatch(stdout, /203\.0\.113\.80/);
});

test('forwarded sources alone do not make a problem: exit 0', async () => {
  const forwarded = join(dir, 'forwarded.xml');
  writeFileSync(forwarded, readFileSync(fixture('yahoo.xml'), 'utf8').replace('<disposition>quarantine</disposition>', '<disposition>none</disposition><reason><type>mailing_list</type></reason>'));
  const { code, stdout } = await cli([forwarded, '--json']);
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout).sources.map((s: { class: string }) => s.class), ['aligned', 'forwarded']);
});

test('exit 1 and the table: source, messages, SPF/DKIM aligned, DMARC, class, reporters; then why and the fix', async () => {
  const { code, stdout, stderr } = await cli([GOOGLE, OUTLOOK, fixture('yahoo-report.eml'), fixture('rfc9990.xml'), fixture('google-resent.xml')]);
  assert.equal(code, 1, stderr);
  assert.equal(stderr, '');
  assert.match(stdout, /^DMARC aggregate reports for acme\.example: 4 report\(s\) from google\.com, Outlook\.com, Yahoo, Example Receiver, 2026-11-24 → 2026-11-25$/m);
  assert.match(stdout, /^Messages: 914 — DMARC pass 795 \(87\.0%\), fail 119 \(both aligned SPF and aligned DKIM failed\)$/m);
  assert.match(stdout, /^1 duplicate report\(s\) counted once: .*google-resent\.xml$/m);
  assert.match(stdout, /^SOURCE\s+MESSAGES\s+SPF ALGN\s+DKIM ALGN\s+DMARC\s+CLASS\s+REPORTERS$/m);
  assert.match(stdout, /^40\.107\.22\.51\s+625\s+pass\s+pass\s+pass\s+aligned\s+google\.com, Outlook\.com, Yahoo$/m);
  assert.match(stdout, /^167\.89\.20\.4\s+150\s+fail\s+pass\s+pass\s+aligned\s+google\.com$/m);
  assert.match(stdout, /^203\.0\.113\.80\s+100\s+fail\s+fail\s+fail\s+unauthorized\s+google\.com, Outlook\.com, Yahoo, Example Receiver$/m);
  assert.match(stdout, /^192\.0\.2\.99\s+8\s+pass\s+fail\s+pass\s+misconfigured\s+Outlook\.com$/m);
  assert.match(stdout, /^UNAUTHORIZED 203\.0\.113\.80 — 100 message\(s\)$/m);
  assert.match(stdout, /^ {2}Fix: If this is a service you use, authorize it/m);
  assert.match(stdout, /^FORWARDED 209\.85\.220\.73 — 9 message\(s\), Google Groups \(mailing list\)$/m);
});

test('--json prints the summary object', async () => {
  const { code, stdout } = await cli([GOOGLE, '--json']);
  assert.equal(code, 1);
  const s = JSON.parse(stdout);
  assert.equal(s.schema, 'mailsleuth/dmarc-aggregate@1');
  for (const key of ['domain', 'domains', 'inputs', 'reports', 'duplicates', 'period', 'policies', 'sources', 'totals', 'tolerated', 'problems']) assert.ok(key in s, key);
  assert.equal(s.totals.messages, 530);
  for (const key of ['ip', 'messages', 'class', 'classes', 'dmarc', 'spfAligned', 'dkimAligned', 'headerFrom', 'envelopeFrom', 'dispositions', 'spf', 'dkim', 'reporters', 'issues', 'evidence', 'fix']) assert.ok(key in s.sources[0], key);
});

const UNREADABLE: [string, string[], RegExp][] = [
  ['malformed XML', [fixture('malformed.xml')], /^mailsleuth: .*malformed\.xml: malformed XML at line 8, column 1: <report_id> is never closed\n$/],
  ['a zip bomb', [fixture('bomb.zip')], /^mailsleuth: .*bomb\.zip: "report\.xml" in the ZIP archive decompresses to more than 67108864 bytes: refused as a possible zip bomb/],
  ['a missing file', [join(dir, 'nope.xml')], /^mailsleuth: .*nope\.xml: cannot read \(ENOENT\)\n$/],
  ['no report about the domain', [CLEAN, '--domain', 'other.example'], /^mailsleuth: no aggregate report about other\.example in .*clean\.xml \(1 report\(s\) about other domains left out \(acme\.example\)\)\n$/],
  ['an invalid --domain', [CLEAN, '--domain', 'not a domain'], /^mailsleuth: invalid domain name "not a domain"/],
  ['an invalid --max-size', [CLEAN, '--max-size', 'lots'], /^mailsleuth: --max-size must be a positive number of bytes, not "lots"\n$/],
  ['a limit the report exceeds', [GOOGLE, '--max-size', '1000'], /decompresses to more than 1000 bytes/],
];

for (const [what, args, message] of UNREADABLE) {
  test(`exit 2 with one line: ${what}`, async () => {
    const { code, stdout, stderr } = await cli(args);
    assert.equal(code, 2);
    assert.match(stderr, message);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.equal(stdout, '');
  });
}

test('a bad file among good ones: the good ones are reported, the bad one named, exit 2', async () => {
  const { code, stdout, stderr } = await cli([CLEAN, fixture('malformed.xml')]);
  assert.equal(code, 2);
  assert.match(stdout, /40\.107\.22\.51\s+95/);
  assert.match(stderr, /^mailsleuth: .*malformed\.xml: malformed XML/);
});

let lab: AuthLab;
before(async () => {
  lab = await startAuthLab([
    `$ORIGIN 22.107.40.in-addr.arpa.\n${SOA}\n51 PTR mail-am6eur05on2051.outbound.protection.outlook.com.\n`,
    `$ORIGIN outbound.protection.outlook.com.\n${SOA}\nmail-am6eur05on2051 A 40.107.22.51\n`,
  ], '127.0.0.1');
});
after(() => lab.close());

test('--resolver adds the reverse DNS names of the sources', async () => {
  const { code, stdout } = await cli([CLEAN, '--resolver', lab.dns.server]);
  assert.equal(code, 0);
  assert.match(stdout, /^40\.107\.22\.51 \(….*\.protection\.outlook\.com\)\s+95\s+pass/m);
  const json = JSON.parse((await cli([CLEAN, '--resolver', lab.dns.server, '--json'])).stdout);
  assert.equal(json.sources[0].reverseDns.name, 'mail-am6eur05on2051.outbound.protection.outlook.com');
  assert.equal(json.sources[0].reverseDns.fcrdns, true);
});
