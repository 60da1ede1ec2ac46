/**
 * check_host() against the lab DNS server on loopback, through our DNS client: the processing
 * limits at their exact boundaries, void lookups across includes, DNS failures by fault injection.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseZone, startDnsServer, type DnsServer } from '../../lab/dns/index.ts';
import { createResolver } from '../../net/dns/client.ts';
import { checkHost, type CheckHostInput, type CheckHostOptions } from './evaluate.ts';

const hosts = (prefix: string, n: number, first = 1) => Array.from({ length: n }, (_, i) => `${prefix}${i + first}`);
const aTerms = (n: number) => hosts('a:h', n).map((h) => `${h}.example.test`).join(' ');

const ZONE = `
$ORIGIN example.test.
@        SOA ns hostmaster 1 7200 3600 1209600 300
${hosts('h', 12).map((h, i) => `${h} A 198.51.100.${i + 1}`).join('\n')}
limit10  TXT "v=spf1 ${aTerms(9)} include:inc.example.test -all"
limit11  TXT "v=spf1 ${aTerms(10)} include:inc.example.test -all"
inc      TXT "v=spf1 ip4:192.0.2.10 -all"
void2    TXT "v=spf1 a:nx1.example.test include:onevoid.example.test -all"
void3    TXT "v=spf1 a:nx1.example.test include:twovoid.example.test -all"
onevoid  TXT "v=spf1 a:nx2.example.test ?all"
twovoid  TXT "v=spf1 a:nx2.example.test mx:nx3.example.test ?all"
v6only   AAAA 2001:db8::25
dual     TXT "v=spf1 a:v6only.example.test a:nx1.example.test a:nx2.example.test -all"
nospf    TXT "v=spf1 include:hello.example.test -all"
hello    TXT "hello world"
nxinc    TXT "v=spf1 include:missing.example.test -all"
redir    TXT "v=spf1 redirect=inc.example.test ?all"
redir2   TXT "v=spf1 redirect=inc.example.test"
sfail    TXT "v=spf1 a:broken.example.test -all"
sfinc    TXT "v=spf1 include:broken.example.test -all"
slow     TXT "v=spf1 exists:dropped.example.test -all"
broken   A 192.0.2.99
dropped  A 192.0.2.98
mx11     TXT "v=spf1 mx -all"
${hosts('m', 11).map((h, i) => `mx11 MX ${i} ${h}.example.test.\n${h} A 203.0.113.${i + 1}`).join('\n')}
ptr11    TXT "v=spf1 ptr:ptrhosts.example.test -all"
${hosts('p', 10).map((h) => `${h}.ptrhosts A 192.0.2.78`).join('\n')}
p11.ptrhosts A 192.0.2.77
p1.ptrfirst  A 192.0.2.79
ptrfirst TXT "v=spf1 ptr -all"
exp      TXT "v=spf1 include:incexp.example.test -all exp=why.example.test"
incexp   TXT "v=spf1 -ip4:192.0.2.1 ?all exp=nope.example.test"
why      TXT "%{i} is not one of %{d}'s senders (%{l})"
nope     TXT "included explanations are never shown"
mail     A 192.0.2.40
heloonly TXT "v=spf1 a:mail.example.test -all"
`;

const REVERSE = `
$ORIGIN 2.0.192.in-addr.arpa.
77 ${hosts('p', 11).map((h) => `PTR ${h}.ptrhosts.example.test.`).join('\n   ')}
79 PTR p1.ptrfirst.example.test.
   PTR p2.ptrfirst.example.test.
`;

let dns: DnsServer;
before(async () => {
  dns = await startDnsServer({
    zones: [parseZone(ZONE), parseZone(REVERSE)],
    faults: [{ name: 'broken.example.test', action: 'servfail' }, { name: 'dropped.example.test', action: 'drop' }],
  });
});
after(() => dns.close());

function run(input: Omit<CheckHostInput, 'ip'> & { ip?: string }, options?: CheckHostOptions) {
  const resolver = createResolver({ servers: [dns.server], timeoutMs: 200, retries: 0 });
  return checkHost({ resolver }, { ip: '192.0.2.10', helo: 'mail.example.test', ...input }, options);
}

test('the 10th DNS-querying term is still evaluated (RFC 7208 4.6.4)', async () => {
  const r = await run({ sender: 'a@limit10.example.test' });
  assert.equal(r.result, 'pass');
  assert.equal(r.lookups, 10);
  assert.equal(r.lookupCauses[9]?.term, 'include:inc.example.test');
});

test('an 11th DNS-querying term is permerror, checked before its lookup (RFC 7208 4.6.4)', async () => {
  const before = dns.log.filter((q) => q.name === 'inc.example.test').length;
  const r = await run({ sender: 'a@limit11.example.test' });
  assert.equal(r.result, 'permerror');
  assert.equal(r.lookups, 10);
  assert.match(r.error ?? '', /"include:inc\.example\.test" .* number 11/);
  assert.equal(dns.log.filter((q) => q.name === 'inc.example.test').length, before, 'the 11th term made no query');
});

test('two void lookups are allowed, across an include (RFC 7208 4.6.4)', async () => {
  const r = await run({ sender: 'a@void2.example.test' });
  assert.equal(r.result, 'fail');
  assert.equal(r.voidLookups, 2);
});

test('void lookups above 2 give permerror, counted across includes (RFC 7208 4.6.4)', async () => {
  const r = await run({ sender: 'a@void3.example.test' });
  assert.equal(r.result, 'permerror');
  assert.equal(r.voidLookups, 3);
  assert.deepEqual(r.voidCauses.map((c) => [c.domain, c.term]), [
    ['void3.example.test', 'a:nx1.example.test'],
    ['twovoid.example.test', 'a:nx2.example.test'],
    ['twovoid.example.test', 'mx:nx3.example.test'],
  ]);
  const include = r.trace.terms.find((t) => t.term === 'include:twovoid.example.test');
  assert.equal(include?.record?.result, 'permerror', 'the include branch carries the error');
});

test('an "a" name is void only when A and AAAA are both empty; the client-family rule counts the client\'s query alone (RFC 7208 4.6.4)', async () => {
  const dual = await run({ sender: 'a@dual.example.test' });
  assert.equal(dual.result, 'fail');
  assert.equal(dual.voidLookups, 2);
  const aaaa = dual.trace.terms[0]?.lookups.map((l) => l.type);
  assert.deepEqual(aaaa, ['A', 'AAAA'], 'the IPv4 client\'s empty A answer was checked against AAAA');
  const family = await run({ sender: 'a@dual.example.test' }, { voidRule: 'client-family' });
  assert.equal(family.result, 'permerror');
  assert.equal(family.voidCauses[0]?.name, 'v6only.example.test');
});

test('an include of a domain without SPF is permerror, not "no match" (RFC 7208 5.2)', async () => {
  for (const sender of ['a@nospf.example.test', 'a@nxinc.example.test']) {
    const r = await run({ sender });
    assert.equal(r.result, 'permerror', sender);
    assert.match(r.error ?? '', /without SPF is permerror/);
  }
});

test('redirect is ignored when the record has all, and used when it has none (RFC 7208 6.1)', async () => {
  const asked = () => dns.log.filter((q) => q.name === 'inc.example.test' && q.type === 'TXT').length;
  const before = asked();
  const ignored = await run({ sender: 'a@redir.example.test' });
  assert.equal(ignored.result, 'neutral');
  assert.equal(ignored.lookups, 0);
  assert.equal(asked(), before, 'the redirect target was never fetched');
  const used = await run({ sender: 'a@redir2.example.test' });
  assert.equal(used.result, 'pass');
  assert.equal(used.trace.terms[0]?.record?.domain, 'inc.example.test');
});

test('a SERVFAIL in a mechanism or an include is temperror (RFC 7208 5, 5.2)', async () => {
  for (const sender of ['a@sfail.example.test', 'a@sfinc.example.test']) {
    const r = await run({ sender });
    assert.equal(r.result, 'temperror', sender);
    assert.match(r.error ?? '', /servfail/);
  }
});

test('a DNS timeout is temperror, never a pass or a void (RFC 7208 5)', async () => {
  const r = await run({ sender: 'a@slow.example.test' });
  assert.equal(r.result, 'temperror');
  assert.match(r.error ?? '', /timeout/);
  assert.equal(r.voidLookups, 0);
});

test('an mx with more than 10 hosts is permerror when the 11th would be looked up (RFC 7208 4.6.4)', async () => {
  const first = await run({ sender: 'a@mx11.example.test', ip: '203.0.113.1' });
  assert.equal(first.result, 'pass', 'a match among the first 10 hosts ends the search');
  const last = await run({ sender: 'a@mx11.example.test', ip: '203.0.113.11' });
  assert.equal(last.result, 'permerror');
  assert.equal(last.lookups, 1, 'host address lookups do not count toward the 10');
  assert.equal(last.subLookups, 10);
});

test('PTR names past the 10th are ignored (RFC 7208 4.6.4)', async () => {
  const r = await run({ sender: 'a@ptr11.example.test', ip: '192.0.2.77' });
  assert.equal(r.result, 'fail', 'only the 11th PTR name would validate');
  const ptrNames = r.trace.terms[0]?.lookups.filter((l) => l.purpose === 'ptr-name').map((l) => l.name) ?? [];
  assert.deepEqual(ptrNames, hosts('p', 10).map((h) => `${h}.ptrhosts.example.test`));
  assert.equal(r.lookups, 1, 'PTR name validation does not count toward the 10');
});

test('ptr stops at the first validated name within the target (RFC 7208 5.5)', async () => {
  const r = await run({ sender: 'a@ptrfirst.example.test', ip: '192.0.2.79' });
  assert.equal(r.result, 'pass');
  assert.equal(r.trace.terms[0]?.lookups.filter((l) => l.purpose === 'ptr-name').length, 1);
});

test('the trace nests includes and cites the transcript ids of every answer', async () => {
  const resolver = createResolver({ servers: [dns.server], timeoutMs: 200, retries: 0 });
  const r = await checkHost({ resolver }, { ip: '192.0.2.10', sender: 'a@limit10.example.test', helo: 'x.example.test' });
  const include = r.trace.terms.at(-1)!;
  assert.equal(include.term, 'include:inc.example.test');
  assert.equal(include.lookup, 10);
  assert.equal(include.matched, true);
  assert.equal(include.record?.record, 'v=spf1 ip4:192.0.2.10 -all');
  assert.deepEqual(include.record?.terms.map((t) => [t.term, t.matched]), [['ip4:192.0.2.10', true]]);
  const ids = [r.trace, ...r.trace.terms.flatMap((t) => [t, ...(t.record ? [t.record] : [])])].flatMap((n) => n.lookups);
  for (const l of ids) assert.equal(resolver.transcript[l.dns]?.name, l.name.toLowerCase());
});

test('exp= is expanded on fail, and an included record\'s exp= is never used (RFC 7208 6.2)', async () => {
  const r = await run({ sender: 'joe@exp.example.test', ip: '192.0.2.1' });
  assert.equal(r.result, 'fail');
  assert.equal(r.explanation, "192.0.2.1 is not one of exp.example.test's senders (joe)");
  const pass = await run({ sender: 'joe@exp.example.test', ip: '192.0.2.2' });
  assert.equal(pass.result, 'fail');
  assert.equal(pass.explanation, "192.0.2.2 is not one of exp.example.test's senders (joe)");
});

test('an empty MAIL FROM checks postmaster@HELO (RFC 7208 2.4); an IPv4-mapped client is IPv4 (RFC 7208 5)', async () => {
  const r = await run({ sender: '', helo: 'heloonly.example.test', ip: '::ffff:192.0.2.40' });
  assert.equal(r.domain, 'heloonly.example.test');
  assert.equal(r.sender, 'postmaster@heloonly.example.test');
  assert.equal(r.ip, '192.0.2.40');
  assert.equal(r.result, 'pass');
});

test('a malformed domain gives none without a lookup (RFC 7208 4.3); a bad client address is a user error', async () => {
  const r = await run({ sender: 'x@[192.0.2.1]' });
  assert.equal(r.result, 'none');
  assert.equal(r.trace.lookups.length, 0);
  await assert.rejects(run({ sender: 'a@inc.example.test', ip: '192.0.2.300' }), /invalid client IP/);
});
