import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSpfRecord, parseRecord, type Mechanism } from './parse.ts';

function terms(record: string) {
  const parsed = parseRecord(record);
  assert.ok(parsed.ok, parsed.ok ? '' : `${record}: ${parsed.error.message}`);
  return parsed.record;
}

function syntaxError(record: string) {
  const parsed = parseRecord(record);
  assert.ok(!parsed.ok, `${record} should not parse`);
  return parsed.error;
}

test('the version must be "v=spf1" followed by a space or the end, in any case (RFC 7208 4.5)', () => {
  const cases: [string, boolean][] = [
    ['v=spf1', true], ['v=spf1 -all', true], ['V=SpF1 ~all', true],
    ['v=spf10', false], ['v=spf1\t-all', false], [' v=spf1 -all', false], ['v=spf2.0/pra', false], ['spf1 -all', false], ['"v=spf1 -all"', false],
  ];
  for (const [text, want] of cases) assert.equal(isSpfRecord(text), want, text);
});

test('terms keep their offsets, qualifiers default to "+", names are case-insensitive (RFC 7208 4.6.1)', () => {
  const r = terms('v=spf1  IP4:192.0.2.0/24 ~Include:_spf.example.com -ALL ');
  assert.deepEqual(r.terms.map((t) => [t.text, t.offset]), [['IP4:192.0.2.0/24', 8], ['~Include:_spf.example.com', 25], ['-ALL', 51]]);
  const [ip4, include, all] = r.mechanisms as [Mechanism, Mechanism, Mechanism];
  assert.deepEqual([ip4.name, ip4.qualifier, ip4.network, ip4.cidr4], ['ip4', '+', '192.0.2.0', 24]);
  assert.deepEqual([include.name, include.qualifier, include.domainSpec], ['include', '~', '_spf.example.com']);
  assert.deepEqual([all.name, all.qualifier], ['all', '-']);
});

test('a and mx take an optional domain and a dual CIDR length (RFC 7208 5.3, 5.4)', () => {
  const table: [string, Partial<Mechanism>][] = [
    ['a', { name: 'a' }],
    ['a/24', { cidr4: 24 }],
    ['a//64', { cidr6: 64 }],
    ['a/24//64', { cidr4: 24, cidr6: 64 }],
    ['mx:mail.example.com/30', { domainSpec: 'mail.example.com', cidr4: 30 }],
    ['a:foo:bar/baz.example.com', { domainSpec: 'foo:bar/baz.example.com' }],
    ['a:%{d}//0', { domainSpec: '%{d}', cidr6: 0 }],
  ];
  for (const [term, want] of table) {
    const m = terms(`v=spf1 ${term}`).mechanisms[0]!;
    for (const [k, v] of Object.entries(want)) assert.equal(m[k as keyof Mechanism], v, `${term}: ${k}`);
  }
});

test('modifiers: redirect and exp are known, unknown modifiers are kept and ignored (RFC 7208 6)', () => {
  const r = terms('v=spf1 moo.cow-far_out=man:dog/cat exp=explain.%{d} redirect=_spf.example.com default=+');
  assert.equal(r.redirect?.value, '_spf.example.com');
  assert.equal(r.exp?.value, 'explain.%{d}');
  assert.deepEqual(r.unknownModifiers.map((m) => m.name), ['moo.cow-far_out', 'default']);
  assert.equal(r.mechanisms.length, 0);
});

test('a syntax error names the term and its offset in the record (RFC 7208 4.6)', () => {
  const table: [string, string, number, RegExp][] = [
    // record, offending term, offset of the error, message
    ['v=spf1 ip4:1.2.3.4 -all moo', 'moo', 24, /unknown mechanism "moo"/],
    ['v=spf1 ip4:1.2.3.4/33', 'ip4:1.2.3.4/33', 19, /prefix length "\/33"/],
    ['v=spf1 ip4:1.2.3.4/032', 'ip4:1.2.3.4/032', 19, /no leading zeros/],
    ['v=spf1 ip4:1.2.3', 'ip4:1.2.3', 11, /not an IPv4 address/],
    ['v=spf1 ip4:1.2.3.4:8080', 'ip4:1.2.3.4:8080', 11, /not an IPv4 address/],
    ['v=spf1 ip4:1.2.3.4//32', 'ip4:1.2.3.4//32', 19, /prefix length/],
    ['v=spf1 ip6::CAFE::BABE', 'ip6::CAFE::BABE', 11, /not an IPv6 address/],
    ['v=spf1 ip6:::1/129', 'ip6:::1/129', 15, /prefix length/],
    ['v=spf1 -all ip6', 'ip6', 15, /needs ":" and an address/],
    ['v=spf1 a/33', 'a/33', 9, /IPv4 prefix length/],
    ['v=spf1 a//129', 'a//129', 10, /IPv6 prefix length/],
    ['v=spf1 a/24/64', 'a/24/64', 8, /invalid "a" arguments/],
    ['v=spf1 a:', 'a:', 9, /empty domain/],
    ['v=spf1 include:', 'include:', 15, /empty domain/],
    ['v=spf1 include', 'include', 14, /needs ":" and a domain/],
    ['v=spf1 exists:mail.example.com/24', 'exists:mail.example.com/24', 14, /top-level label/],
    ['v=spf1 ptr/0', 'ptr/0', 10, /no CIDR length/],
    ['v=spf1 -all.', '-all.', 7, /unknown mechanism|neither/],
    ['v=spf1 -all:foobar', '-all:foobar', 11, /takes no argument/],
    ['v=spf1 a:111.222.33.44', 'a:111.222.33.44', 9, /ip4:\/ip6:, not a\/mx/],
    ['v=spf1 a:example.-com', 'a:example.-com', 9, /top-level label/],
    ['v=spf1 a:museum', 'a:museum', 9, /top-level label/],
    ['v=spf1 redirect:t2.example.com', 'redirect:t2.example.com', 7, /is a modifier/],
    ['v=spf1 1up=foo', '1up=foo', 7, /neither a mechanism nor a modifier/],
    ['v=spf1 =all', '=all', 7, /neither/],
    ['v=spf1 moo.cow/far_out=man:dog/cat', 'moo.cow/far_out=man:dog/cat', 7, /unknown mechanism/],
    ['v=spf1 exp= -all', 'exp=', 11, /empty domain/],
    ['v=spf1 redirect=-all ?all', 'redirect=-all', 16, /top-level label/],
    ['v=spf1 exp=a.example.com exp=b.example.com', 'exp=b.example.com', 25, /more than once/],
    ['v=spf1 redirect=a.example.com -all redirect=a.example.com', 'redirect=a.example.com', 35, /more than once/],
    ['v=spf1 foo=%abc', 'foo=%abc', 11, /must be followed by/],
    ['v=spf1 exists:%(ir).sbl.example.com', 'exists:%(ir).sbl.example.com', 14, /must be followed by/],
    ['v=spf1 a:%{a}.example.com', 'a:%{a}.example.com', 9, /unknown macro letter "a"/],
    ['v=spf1 -all exp=%{r}.example.com', 'exp=%{r}.example.com', 16, /only allowed in explanation/],
    ['v=spf1 a:ctrl.example.com\rptr -all', 'a:ctrl.example.com\rptr', 25, /U\+000D/],
    ['v=spf1 a:\ufeffgarbage.example.net -all', 'a:\ufeffgarbage.example.net', 9, /U\+FEFF/],
    ['v=spf1 ip4:', 'ip4:', 10, /needs ":" and an address/],
  ];
  for (const [record, term, offset, message] of table) {
    const e = syntaxError(record);
    assert.equal(e.term, term, record);
    assert.equal(e.offset, offset, `${record}: offset (${e.message})`);
    assert.match(e.message, message, record);
  }
});

test('valid oddities of the grammar parse (RFC 7208 7.1 domain-spec, A.3 unknown-modifier)', () => {
  for (const record of [
    'v=spf1', 'v=spf1 ', 'v=spf1 a  -all', 'v=spf1 a:foo.example.xn--zckzah -all', 'v=spf1 a:%{H}.bar -all', 'v=spf1 exists:%{i}.%{l2r-}.user.%{d2}',
    'v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all', 'v=spf1 redirect=%{d}.d.spf.example.com.', 'v=spf1 ip6:::1.1.1.1/0', 'v=spf1 ip6:Cafe:Babe:8000::/33',
    'v=spf1 include:o.spf.example.com. ~all', 'v=spf1 a:example.com:8080.net', 'v=spf1 exp=msg8.%{D2} -all',
  ]) terms(record);
});
