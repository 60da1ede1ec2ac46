import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalog, keysFromEnv, selectLists, validateKeys } from './catalog.ts';
import { InputError } from '../../errors.ts';

test('the catalog is well formed: unique ids, known kinds, keyed zones carry {key}', () => {
  const ids = new Set<string>();
  for (const l of catalog.lists) {
    assert.ok(!ids.has(l.id), `duplicate ${l.id}`);
    ids.add(l.id);
    assert.ok(l.kinds.length && l.kinds.every((k) => ['ip4', 'ip6', 'domain'].includes(k)), l.id);
    if (l.access.keyedZone) assert.ok(l.access.keyedZone.includes('{key}') && l.access.key && catalog.keys[l.access.key], l.id);
    if (l.coveredBy) assert.ok(catalog.lists.some((o) => o.id === l.coveredBy), `${l.id} coveredBy`);
    if (l.use !== 'never') assert.ok(l.zone || l.access.keyedZone, `${l.id} is queryable but has no zone`);
    if (l.kinds.includes('domain')) assert.ok(l.domainQuery, `${l.id} domainQuery`);
    assert.ok(l.delisting.requires, `${l.id} delisting.requires`);
    for (const c of l.codes) assert.equal(c.abuse, c.severity === 'block' || c.severity === 'suspicious', `${l.id} ${c.code}`);
  }
});

test('dead lists are never queried, even when asked for by name', () => {
  const dead = catalog.lists.filter((l) => l.status === 'dead').map((l) => l.id);
  assert.deepEqual(dead.sort(), ['ahbl', 'dsbl', 'nixspam', 'njabl', 'sorbs']);
  const byDefault = selectLists();
  for (const id of dead) {
    assert.ok(!byDefault.queried.some((p) => p.list.id === id), id);
    assert.equal(byDefault.skipped.find((s) => s.list === id)?.reason, 'dead');
  }
  const asked = selectLists({ lists: ['njabl', 'dnsbl.ahbl.org', 'spamhaus-zen'] });
  assert.deepEqual(asked.queried.map((p) => p.list.id), ['spamhaus-zen']);
  assert.deepEqual(asked.skipped.map((s) => [s.list, s.reason]), [['njabl', 'dead'], ['ahbl', 'dead']]);
  assert.match(asked.skipped[0]?.detail ?? '', /lists the world|squatter|wildcard/i);
});

test('the default set: combined zones instead of their parts, keyed lists only with a key', () => {
  const ids = selectLists().queried.map((p) => p.list.id);
  for (const id of ['spamhaus-zen', 'spamhaus-dbl', 'barracuda-brbl', 'uribl-multi', 'surbl-multi', 'spamcop']) assert.ok(ids.includes(id), id);
  for (const id of ['spamhaus-sbl', 'spamhaus-xbl', 'spamhaus-pbl', 'spamrats-dyna', 'abusix-combined', 'spamhaus-zrd', 'dnswl', 'cbl']) assert.ok(!ids.includes(id), id);
  const skipped = selectLists().skipped;
  assert.equal(skipped.find((s) => s.list === 'abusix-combined')?.reason, 'needs-key');
  assert.match(skipped.find((s) => s.list === 'abusix-combined')?.detail ?? '', /--abusix-key/);
  assert.equal(skipped.find((s) => s.list === 'cbl')?.reason, 'migrated');
  assert.equal(skipped.find((s) => s.list === 'invaluement-ivmsip')?.reason, 'no-public-zone');
  const keyed = selectLists({ keys: { spamhausDqs: 'k'.repeat(26), abusix: 'abc' } });
  const keyedIds = keyed.queried.map((p) => p.list.id);
  for (const id of ['abusix-combined', 'abusix-dblack', 'spamhaus-zrd']) assert.ok(keyedIds.includes(id), id);
  assert.ok(keyed.queried.filter((p) => p.list.id.startsWith('spamhaus-')).every((p) => p.keyed && p.zone.endsWith('.dq.spamhaus.net')));
});

test('keys: from the environment, validated as DNS labels; unknown lists are input errors', () => {
  assert.deepEqual(keysFromEnv({ SPAMHAUS_DQS_KEY: ' abc ', ABUSIX_KEY: 'xyz' }), { spamhausDqs: 'abc', abusix: 'xyz' });
  assert.deepEqual(validateKeys({ spamhausDqs: 'abc123', abusix: undefined }), { spamhausDqs: 'abc123' });
  assert.throws(() => validateKeys({ spamhausDqs: 'a.b' }), InputError);
  assert.throws(() => validateKeys({ nope: 'a' }), InputError);
  assert.throws(() => selectLists({ lists: ['no-such-list'] }), InputError);
});

test('well-known public resolvers are recognised in every server notation', async () => {
  const { publicResolverName } = await import('./catalog.ts');
  assert.equal(publicResolverName('8.8.8.8:53'), 'Google Public DNS');
  assert.equal(publicResolverName('1.1.1.1'), 'Cloudflare 1.1.1.1');
  assert.equal(publicResolverName('[2620:fe::fe]:53'), 'Quad9');
  assert.equal(publicResolverName('2001:4860:4860::8888'), 'Google Public DNS');
  assert.equal(publicResolverName('127.0.0.1:5353'), null);
  assert.equal(publicResolverName('replay:run.json'), null);
});
