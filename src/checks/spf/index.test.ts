/**
 * The domain-level SPF check against the lab DNS server: the include tree with per-branch lookup
 * counts, tree-wide lint, flattened networks with paths, and a failed lookup reported as unknown.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseZone, startDnsServer, type DnsServer } from '../../lab/dns/index.ts';
import { createResolver } from '../../net/dns/client.ts';
import type { Context } from '../types.ts';
import { authorizedCidrs, run } from './index.ts';

const hostList = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `a:h${from + i}.example.test`).join(' ');

const ZONE = `
$ORIGIN example.test.
@        SOA ns hostmaster 1 7200 3600 1209600 300
${Array.from({ length: 11 }, (_, i) => `h${i + 1} A 198.51.100.${i + 1}`).join('\n')}
over     TXT "v=spf1 include:four.example.test include:five.example.test -all"
four     TXT "v=spf1 ${hostList(1, 4)} -all"
five     TXT "v=spf1 ${hostList(5, 9)} -all"
atlimit  TXT "v=spf1 include:four.example.test ${hostList(1, 5)} -all"
voids    TXT "v=spf1 a:gone1.example.test mx:gone2.example.test include:v6host.example.test -all"
v6host   TXT "v=spf1 a ~all"
voids3   TXT "v=spf1 a:gone1.example.test mx:gone2.example.test exists:gone3.example.test -all"
v6host   AAAA 2001:db8::5
broken   TXT "v=spf1 include:nospf.example.test include:missing.example.test include:loop1.example.test -all"
nospf    TXT "google-site-verification=abc"
loop1    TXT "v=spf1 include:loop2.example.test -all"
loop2    TXT "v=spf1 include:loop1.example.test -all"
two      TXT "v=spf1 -all"
two      TXT "v=spf1 ip4:192.0.2.1 -all"
typo     TXT "v=spf1 ip4:192.0.2.300 -all"
quoted   TXT "\\"v=spf1 mx -all\\""
mxmany   TXT "v=spf1 mx -all"
${Array.from({ length: 11 }, (_, i) => `mxmany MX ${i} h${i + 1}.example.test.`).join('\n')}
flat     TXT "v=spf1 ip4:192.0.2.0/24 -include:blocked.example.test ~include:soft.example.test redirect=final.example.test"
blocked  TXT "v=spf1 ip4:198.51.100.0/24 -ip4:203.0.113.0/24 ?all"
soft     TXT "v=spf1 ip6:2001:db8:1::/48 -all"
final    TXT "v=spf1 a:h1.example.test/30 exists:%{i}.rbl.example.test -all"
dup      TXT "v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.7 include:dupinc.example.test -all"
dupinc   TXT "v=spf1 ip4:192.0.2.0/24 -all"
failing  TXT "v=spf1 -all"
`;

let dns: DnsServer;
before(async () => {
  dns = await startDnsServer({ zones: [parseZone(ZONE)], faults: [{ name: 'failing.example.test', type: 'TXT', action: 'servfail' }] });
});
after(() => dns.close());

function check(domain: string) {
  const resolver = createResolver({ servers: [dns.server], timeoutMs: 300, retries: 0 });
  const ctx = { resolver, options: { timeoutMs: 1000, noProbe: true, selectors: [], keys: {} }, now: () => new Date() } as unknown as Context;
  return run(ctx, domain);
}

const ids = (r: Awaited<ReturnType<typeof check>>) => r.findings.map((f) => f.id);

test('more than 10 lookups over the whole tree is an error, with the count per branch (RFC 7208 4.6.4)', async () => {
  const r = await check('over.example.test');
  assert.equal(r.data.lookups.total, 11);
  assert.deepEqual(r.data.lookups.branches, [{ term: 'include:four.example.test', lookups: 5 }, { term: 'include:five.example.test', lookups: 6 }]);
  assert.deepEqual(r.data.tree.children.map((c) => [c.domain, c.lookups]), [['four.example.test', 4], ['five.example.test', 5]]);
  const f = r.findings.find((x) => x.id === 'spf.too-many-lookups');
  assert.equal(f?.severity, 'error');
  assert.match(f?.detail ?? '', /include:five\.example\.test: 6, include:four\.example\.test: 5/);
  assert.equal(r.status, 'error');
});

test('exactly 10 lookups is a warning, not an error', async () => {
  const r = await check('atlimit.example.test');
  assert.equal(r.data.lookups.total, 10);
  assert.ok(ids(r).includes('spf.lookups-at-limit'));
  assert.ok(!ids(r).includes('spf.too-many-lookups'));
  assert.equal(r.status, 'warn', JSON.stringify(r.findings.map((f) => [f.id, f.severity])));
});

test('void lookups above 2 over the whole tree are an error; per-family counts are reported too (RFC 7208 4.6.4)', async () => {
  const r = await check('voids.example.test');
  assert.deepEqual(r.data.voidLookups, { count: 2, v4: 3, v6: 2, limit: 2 });
  const f = r.findings.find((x) => x.id === 'spf.void-lookups-family');
  assert.equal(f?.severity, 'warn');
  assert.match(f?.title ?? '', /3 void lookups for IPv4 clients/);
  assert.match(f?.detail ?? '', /v6host\.example\.test: a/);
  const worse = await check('voids3.example.test');
  assert.equal(worse.findings.find((x) => x.id === 'spf.void-lookups')?.severity, 'error');
});

test('includes without SPF, of missing domains and in loops are errors (RFC 7208 5.2)', async () => {
  const r = await check('broken.example.test');
  assert.deepEqual(ids(r).filter((id) => id.startsWith('spf.include')).sort(), ['spf.include-loop', 'spf.include-missing', 'spf.include-no-spf']);
  const loop = r.findings.find((f) => f.id === 'spf.include-loop');
  assert.match(loop?.detail ?? '', /loop1\.example\.test → loop2\.example\.test → loop1\.example\.test/);
});

test('several records, a syntax error, and a quoted lookalike are each reported (RFC 7208 4.5, 4.6)', async () => {
  assert.ok(ids(await check('two.example.test')).includes('spf.multiple-records'));
  const typo = await check('typo.example.test');
  const f = typo.findings.find((x) => x.id === 'spf.permerror');
  assert.deepEqual(f?.data && [f.data.term, f.data.offset], ['ip4:192.0.2.300', 11]);
  const quoted = await check('quoted.example.test');
  assert.deepEqual(ids(quoted).sort(), ['spf.lookalike-record', 'spf.missing']);
});

test('an mx naming more than 10 hosts is an error (RFC 7208 4.6.4)', async () => {
  const r = await check('mxmany.example.test');
  assert.ok(ids(r).includes('spf.mx-too-many-hosts'));
  assert.equal(r.data.lookups.total, 1);
  assert.equal(r.data.lookups.withMxHosts, 11, 'the count both ways: 1 by the RFC, 11 counting host lookups');
});

test('a failed TXT lookup is unknown, never "missing"', async () => {
  const r = await check('failing.example.test');
  assert.equal(r.status, 'unknown');
  assert.deepEqual(ids(r), ['spf.lookup-failed']);
});

test('flattening lists every network with its path and the answer a client in it gets (RFC 7208 5.2, 6.1)', async () => {
  const r = await check('flat.example.test');
  const rows = r.data.networks.map((n) => `${n.qualifier} ${n.network} ${n.path.join(' → ')}`);
  assert.deepEqual(rows, [
    '+ 192.0.2.0/24 flat.example.test → ip4:192.0.2.0/24',
    '- 198.51.100.0/24 flat.example.test → -include:blocked.example.test → ip4:198.51.100.0/24',
    '~ 2001:db8:1::/48 flat.example.test → ~include:soft.example.test → ip6:2001:db8:1::/48',
    '+ 198.51.100.0/30 flat.example.test → redirect=final.example.test → a:h1.example.test/30 → h1.example.test',
    '- 0.0.0.0/0 flat.example.test → redirect=final.example.test → -all',
    '- ::/0 flat.example.test → redirect=final.example.test → -all',
  ]);
  assert.deepEqual(r.data.unresolved.map((u) => [u.term, u.reason]), [['exists:%{i}.rbl.example.test', 'depends on the sender or client (%{i})']]);
  assert.deepEqual(authorizedCidrs(r.data), ['192.0.2.0/24', '198.51.100.0/30']);
});

test('duplicate and overlapping ranges are noted across the tree', async () => {
  const r = await check('dup.example.test');
  assert.deepEqual(ids(r).filter((id) => id.startsWith('spf.ip-')).sort(), ['spf.ip-duplicate', 'spf.ip-overlap', 'spf.ip-overlap']);
});
