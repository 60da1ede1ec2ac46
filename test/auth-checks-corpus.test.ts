/**
 * DKIM keys written by others (ValiMail's ARC suite and the RFC 8463 example, see
 * ../shared/corpus/dkim-arc), served by the lab DNS and read by the DKIM check. The ARC suite names
 * its selectors after the key size, which gives an independent expectation for the weak-key rule.
 * Skips when ../shared is not there: the project never needs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from '../scripts/shared-dir.ts';
import { run } from '../src/checks/dkim/index.ts';
import { startAuthLab, txt, SOA } from './auth-checks-lab.ts';

const shared = sharedDir();

function corpusKeys(dir: string): Map<string, string> {
  const keys = new Map<string, string>();
  const arc = JSON.parse(readFileSync(join(dir, 'corpus/dkim-arc/arc-test-suite/arc-draft-validation-tests.json'), 'utf8')) as Record<string, { 'txt-records'?: Record<string, string> }> | { 'txt-records'?: Record<string, string> }[];
  for (const scenario of Object.values(arc)) for (const [name, value] of Object.entries(scenario['txt-records'] ?? {})) keys.set(name, value);
  const rfc8463 = JSON.parse(readFileSync(join(dir, 'corpus/dkim-arc/rfc8463-example/dns.json'), 'utf8')) as Record<string, { TXT: string[][] }>;
  for (const [name, rr] of Object.entries(rfc8463)) if (name.includes('._domainkey.')) keys.set(name, rr.TXT[0]!.join(''));
  return keys;
}

test('corpus DKIM keys: sizes, Ed25519 and a malformed record are read as their names say', { skip: shared ? false : 'no ../shared corpus' }, async () => {
  const keys = corpusKeys(shared!);
  const zones = new Map<string, string[]>();
  for (const [name, value] of keys) {
    const [selector, , ...rest] = name.split('.');
    const origin = rest.join('.');
    zones.set(origin, [...(zones.get(origin) ?? [`$ORIGIN ${origin}.`, SOA]), `${selector}._domainkey TXT ${txt(value)}`]);
  }
  const lab = await startAuthLab([...zones.values()].map((z) => z.join('\n') + '\n'));
  const figures = { keys: keys.size, read: 0, agree: 0 };
  try {
    for (const name of keys.keys()) {
      const [selector, , ...rest] = name.split('.');
      const r = await run(lab.context({ selectors: [selector!] }), rest.join('.'));
      const key = r.data.keys.find((k) => k.selector === selector);
      assert.ok(key, name);
      figures.read++;
      const ids = r.findings.filter((f) => f.data?.selector === selector).map((f) => `${f.id}:${f.severity}`);
      const bits = /^\d+$/.test(selector!) ? Number(selector) : null;
      let expected: string;
      if (selector === 'invalid') expected = 'dkim.malformed:error';
      else if (bits !== null && bits < 1024) expected = 'dkim.weak-key:error';
      else if (key.key?.keyType === 'ed25519' || (bits ?? key.key?.keyBits ?? 0) >= 2048) expected = 'dkim.key-found:ok';
      else expected = 'dkim.weak-key:warn';
      if (bits !== null) assert.equal(key.key?.keyBits, bits, `${name}: modulus length`);
      assert.ok(ids.includes(expected), `${name}: expected ${expected}, got ${ids.join(', ')}`);
      figures.agree++;
    }
  } finally {
    await lab.close();
  }
  console.log(`corpus DKIM keys: ${figures.keys} keys, ${figures.read} read, ${figures.agree} verdicts as expected`);
  assert.ok(figures.keys >= 9);
});
