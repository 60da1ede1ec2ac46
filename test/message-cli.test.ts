/** `mailsleuth analyze`: the JSON contract, JSON Lines for several messages, stdin, exit codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/mailsleuth.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/messages/${name}`, import.meta.url));
const run = (args: string[], input?: Buffer) => spawnSync(process.execPath, [bin, 'analyze', ...args], { input, encoding: 'utf8', env: { ...process.env, MAILSLEUTH_OFFLINE: '1' } });

test('--json prints one object per file with the contract fields; a bounce exits 1', () => {
  const r = run(['--json', fixture('postfix-dsn.eml')]);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const o = JSON.parse(lines[0]!);
  for (const key of ['file', 'kind', 'bounce', 'hops', 'origin', 'authResults', 'dkimSignatures', 'original', 'problems']) assert.ok(key in o, key);
  assert.equal(o.bounce.recipients[0].reason, 'userunknown');
  assert.deepEqual(Object.keys(o.bounce.recipients[0]).filter((k) => ['address', 'status', 'statusMeaning', 'replyCode', 'diagnostic', 'reason', 'hard', 'remoteMta', 'blocklists'].includes(k)).length, 9);
});

test('several files and mbox messages come out as JSON Lines; a non-bounce alone exits 0', () => {
  const r = run(['--json', fixture('autoreply.eml'), fixture('two.mbox')]);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.deepEqual(lines.map((l) => l.kind), ['auto-reply', 'bounce', 'message']);
  assert.equal(lines[1].index, 1);
  assert.equal(run(['--json', fixture('autoreply.eml')]).status, 0);
});

test('"-" reads standard input, and the readable summary names the refusal', () => {
  const r = run(['-'], readFileSync(fixture('exim-blocked.eml')));
  assert.match(r.stdout, /dave@bigcorp\.example: blocked/);
  assert.match(r.stdout, /Spamhaus ZEN lists 203\.0\.113\.80/);
  assert.match(r.stdout, /web1\.acme\.example/);
});

test('an unreadable file is one line and exit 2; so is input above --max-size', () => {
  const missing = run(['/nonexistent/file.eml']);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  const big = run(['--max-size', '100', fixture('postfix-dsn.eml')]);
  assert.equal(big.status, 2);
  assert.match(big.stderr, /above the limit/);
});

test('an empty file and a file that is no message at all are input errors, not analyses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-analyze-'));
  writeFileSync(join(dir, 'empty.eml'), '');
  writeFileSync(join(dir, 'photo.eml'), Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 251)));
  const empty = run([join(dir, 'empty.eml')]);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /the file is empty/);
  const junk = run([join(dir, 'photo.eml')]);
  assert.equal(junk.status, 2);
  assert.match(junk.stderr, /does not look like an email message/);
  assert.equal(junk.stderr.trim().split('\n').length, 1);
});
