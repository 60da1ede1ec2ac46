import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecord, lintSpf } from './lint.ts';
import { parseRecord } from './parse.ts';
import type { SpfNode } from './tree.ts';

function ids(record: string, root = true): string[] {
  const parsed = parseRecord(record);
  assert.ok(parsed.ok, record);
  return lintRecord('example.test', parsed.record, root).map((f) => f.id).sort();
}

test('the final all decides the policy: +all, ?all, ~all, -all, none (RFC 7208 5.1, 4.7)', () => {
  const table: [string, string[]][] = [
    ['v=spf1 +all', ['spf.plus-all']],
    ['v=spf1 all', ['spf.plus-all']],
    ['v=spf1 mx ?all', ['spf.neutral-all']],
    ['v=spf1 mx ~all', ['spf.softfail-all']],
    ['v=spf1 mx -all', []],
    ['v=spf1 ip4:192.0.2.1', ['spf.no-all']],
    ['v=spf1 ip4:192.0.2.1 redirect=_spf.example.test', []],
  ];
  for (const [record, want] of table) assert.deepEqual(ids(record), want, record);
});

test('in an included record only +all matters: it authorizes the world for every includer', () => {
  assert.deepEqual(ids('v=spf1 ip4:192.0.2.0/24 ?all', false), []);
  assert.deepEqual(ids('v=spf1 ip4:192.0.2.0/24', false), []);
  assert.deepEqual(ids('v=spf1 ip4:192.0.2.0/24 +all', false), ['spf.plus-all']);
});

test('redirect beside all, terms after all, ptr and unknown modifiers are flagged (RFC 7208 6.1, 5.5, 6)', () => {
  const table: [string, string[]][] = [
    ['v=spf1 -all redirect=_spf.example.test', ['spf.redirect-with-all']],
    ['v=spf1 ~all ip4:192.0.2.1 include:x.example.test exp=why.example.test', ['spf.softfail-all', 'spf.terms-after-all']],
    ['v=spf1 ptr:example.test -all', ['spf.ptr-deprecated']],
    ['v=spf1 foo=bar -all', ['spf.unknown-modifier']],
  ];
  for (const [record, want] of table) assert.deepEqual(ids(record), want, record);
  const parsed = parseRecord('v=spf1 include=_spf.example.test -all');
  assert.ok(parsed.ok);
  const [f] = lintRecord('example.test', parsed.record, true);
  assert.equal(f?.severity, 'warn', 'a modifier named like a mechanism is probably a typo for ":"');
  assert.match(f?.detail ?? '', /"include:" with a colon/);
});

function rootNode(strings: string[]): SpfNode {
  const record = strings.join('');
  return { domain: 'example.test', via: 'root', term: null, qualifier: '+', status: 'ok', record, strings, lookalikes: [], voidTxt: false, dns: [0], terms: [], lookups: 0, mxHostLookups: 0, children: [] };
}

const textIds = (strings: string[]) => lintSpf(rootNode(strings), { networks: [], unresolved: [] }).map((f) => f.id).filter((id) => id.startsWith('spf.s') || id.startsWith('spf.record'));

test('TXT strings are joined without spaces: a split that glues two terms is an error (RFC 7208 3.3)', () => {
  assert.deepEqual(textIds(['v=spf1 include:a.example.test', 'include:b.example.test -all']), ['spf.split-glued']);
  assert.deepEqual(textIds(['v=spf1 ip4:192.0.2.1', '-all']), ['spf.split-glued']);
  assert.deepEqual(textIds(['v=spf1 include:a.example.test ', 'include:b.example.test -all']), [], 'a trailing space keeps the terms apart');
  assert.deepEqual(textIds(['v=spf1 ip4:192.0.2.', '1 -all']), [], 'a split inside one term is how long records are meant to be cut');
});

test('record length: a string over 255 bytes needs splitting, a record over 450 bytes risks UDP truncation', () => {
  const many = Array.from({ length: 30 }, (_, i) => `ip4:198.51.100.${i + 1}`).join(' ');
  const long = `v=spf1 ${many} -all`;
  assert.ok(long.length > 450);
  assert.deepEqual(textIds([long]).sort(), ['spf.record-long', 'spf.string-too-long']);
  const split = long.match(/.{1,250}/g)!;
  assert.deepEqual(textIds(split), ['spf.record-long']);
  assert.deepEqual(textIds([`v=spf1 ${many.slice(0, 200)} -all`]), []);
});
