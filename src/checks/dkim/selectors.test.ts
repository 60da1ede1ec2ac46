import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidateSelectors, isValidSelector, providerSelectors, selectorSchemes } from './selectors.ts';
import { InputError } from '../../errors.ts';

test('evidence comes first: user, then message, then provider, then the common list', () => {
  const list = candidateSelectors('acme.example', {
    user: ['Custom'],
    fromMessages: [{ domain: 'ACME.example', selector: 's2026' }, { domain: 'sendgrid.net', selector: 'smtpapi-x' }],
    providers: ['microsoft365'],
  });
  assert.deepEqual(list.slice(0, 4).map((c) => [c.selector, c.sources.join('+')]), [
    ['custom', 'user'],
    ['s2026', 'message'],
    ['selector1', 'provider+common'],
    ['selector2', 'provider+common'],
  ]);
  // a signature of another domain says nothing about this domain's keys
  assert.equal(list.some((c) => c.selector === 'smtpapi-x'), false);
  assert.ok(list.some((c) => c.selector === 'google' && c.sources[0] === 'common' && c.tier === 1));
  assert.equal(list.find((c) => c.selector === 'selector1')?.tier, 0);
});

test('the common list covers the big providers and has no duplicates', () => {
  const list = candidateSelectors('acme.example', {});
  const names = list.map((c) => c.selector);
  for (const s of ['selector1', 'selector2', 'google', 's1', 's2', 'k1', 'default']) assert.ok(names.includes(s), s);
  assert.equal(new Set(names).size, names.length);
  assert.ok(list.every((c) => c.tier >= 1 && c.tier <= 3));
});

test('provider selectors come from the catalog', () => {
  assert.deepEqual(providerSelectors('microsoft365'), ['selector1', 'selector2']);
  assert.deepEqual(providerSelectors('google-workspace'), ['google']);
  assert.deepEqual(providerSelectors('no-such-provider'), []);
});

test('selector syntax (RFC 6376 3.1)', () => {
  for (const s of ['selector1', 'google', 's1024', 'a.b', 'selector1-acme-example', '20230601']) assert.equal(isValidSelector(s), true, s);
  for (const s of ['', 'has space', 'a..b', '-lead', 'x'.repeat(64), 'sel/1']) assert.equal(isValidSelector(s), false, s);
  assert.throws(() => candidateSelectors('acme.example', { user: ['bad selector'] }), InputError);
});

test('naming schemes recognise date and token selectors', () => {
  assert.deepEqual(selectorSchemes('20230601123456pm'), ['Postmark']);
  assert.deepEqual(selectorSchemes('scph0717'), ['SparkPost']);
  assert.deepEqual(selectorSchemes('selector1'), []);
});

test('an onmicrosoft.com tenant domain gets its dashed selectors', () => {
  const names = candidateSelectors('contoso.onmicrosoft.com', {}).map((c) => c.selector);
  assert.ok(names.includes('selector1-contoso-onmicrosoft-com'));
  assert.ok(names.includes('selector2-contoso-onmicrosoft-com'));
  assert.equal(candidateSelectors('acme.example', {}).some((c) => c.selector.startsWith('selector1-')), false);
});
