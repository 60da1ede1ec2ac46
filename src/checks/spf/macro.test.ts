import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientIp } from './address.ts';
import { expandMacroString, parseMacroString, queryableName, targetName, urlEscape, type MacroContext, type MacroValues } from './macro.ts';

// RFC 7208 §7.4 examples: <sender> strong-bad@email.example.com, <ip> 192.0.2.3 / 2001:db8::cb01.
const v4: MacroValues = { sender: 'strong-bad@email.example.com', domain: 'email.example.com', ip: parseClientIp('192.0.2.3')!, helo: 'mx.example.org', receiver: 'mx.receiver.example', now: new Date(1_700_000_000_000) };
const v6: MacroValues = { ...v4, ip: parseClientIp('2001:db8::cb01')! };

function expand(text: string, values = v4, context: MacroContext = 'domain'): string {
  const parsed = parseMacroString(text, context);
  assert.ok(parsed.ok, parsed.ok ? '' : `${text}: ${parsed.error.message}`);
  return expandMacroString(parsed.tokens, values);
}

test('the examples of RFC 7208 7.4 expand as written', () => {
  const table: [string, string, MacroValues?][] = [
    ['%{s}', 'strong-bad@email.example.com'],
    ['%{o}', 'email.example.com'],
    ['%{d}', 'email.example.com'],
    ['%{d4}', 'email.example.com'],
    ['%{d3}', 'email.example.com'],
    ['%{d2}', 'example.com'],
    ['%{d1}', 'com'],
    ['%{dr}', 'com.example.email'],
    ['%{d2r}', 'example.email'],
    ['%{l}', 'strong-bad'],
    ['%{l-}', 'strong.bad'],
    ['%{lr}', 'strong-bad'],
    ['%{lr-}', 'bad.strong'],
    ['%{l1r-}', 'strong'],
    ['%{ir}.%{v}._spf.%{d2}', '3.2.0.192.in-addr._spf.example.com'],
    ['%{lr-}.lp._spf.%{d2}', 'bad.strong.lp._spf.example.com'],
    ['%{lr-}.lp.%{ir}.%{v}._spf.%{d2}', 'bad.strong.lp.3.2.0.192.in-addr._spf.example.com'],
    ['%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}', '3.2.0.192.in-addr.strong.lp._spf.example.com'],
    ['%{d2}.trusted-domains.example.net', 'example.com.trusted-domains.example.net'],
    ['%{ir}.%{v}._spf.%{d2}', `1.0.b.c.${'0.'.repeat(20)}8.b.d.0.1.0.0.2.ip6._spf.example.com`, v6],
  ];
  for (const [text, want, values] of table) assert.equal(expand(text, values), want, text);
});

test('%%, %_ and %- are a percent, a space and a URL-encoded space (RFC 7208 7.1)', () => {
  assert.equal(expand('macro%%percent%_%_space%-url-space.example.com'), 'macro%percent  space%20url-space.example.com');
});

test('an uppercase macro letter expands like its lowercase one, then URL-escapes (RFC 7208 7.3)', () => {
  assert.equal(expand('%{L}', { ...v4, sender: '~jack&jill=up-a_b3.c@e8.example.com' }, 'explanation'), '~jack%26jill%3Dup-a_b3.c');
  assert.equal(expand('%{D2}'), 'example.com');
  assert.equal(urlEscape("a b!*'()é"), 'a%20b%21%2A%27%28%29%C3%A9');
});

test('several delimiters split at once, and the parts are joined with dots (RFC 7208 7.3)', () => {
  assert.equal(expand('%{l2r+-}', { ...v4, sender: 'foo-bar+zip+quux@e12.example.com' }), 'bar.foo');
  assert.equal(expand('%{l,=/_}', { ...v4, sender: 'a,b=c/d_e@x.example' }), 'a.b.c.d.e');
});

test('c, r and t are explanation-only letters; i and c give the address forms (RFC 7208 7.2, 7.3)', () => {
  assert.equal(expand('%{c} via %{r} at %{t}', v4, 'explanation'), '192.0.2.3 via mx.receiver.example at 1700000000');
  assert.equal(expand('%{c} is %{i}', v6, 'explanation'), '2001:db8::cb01 is 2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1');
  assert.equal(expand('%{p} %{h}', v4, 'explanation'), 'unknown mx.example.org');
  assert.equal(expand('%{p}', { ...v4, validatedName: 'mail.example.com' }), 'mail.example.com');
  for (const letter of ['c', 'r', 't', 'C']) {
    const parsed = parseMacroString(`%{${letter}}.example.com`, 'domain');
    assert.ok(!parsed.ok && /only allowed in explanation/.test(parsed.error.message), letter);
  }
});

test('macro syntax errors carry their offset (RFC 7208 7.1)', () => {
  const table: [string, MacroContext, number, RegExp][] = [
    ['foo%.sbl.example.com', 'domain', 3, /must be followed by/],
    ['%(ir).sbl', 'domain', 0, /must be followed by/],
    ['x%{a}', 'domain', 1, /unknown macro letter/],
    ['x%{d0}', 'domain', 1, /zero parts/],
    ['x%{d', 'domain', 1, /unterminated/],
    ['%{dx}', 'domain', 0, /invalid macro/],
    ['a b', 'domain', 1, /space/],
    ['The %{x}-files.', 'explanation', 4, /unknown macro letter "x"/],
    ['tab\there', 'explanation', 3, /U\+0009/],
  ];
  for (const [text, context, offset, message] of table) {
    const parsed = parseMacroString(text, context);
    assert.ok(!parsed.ok, text);
    assert.equal(parsed.error.offset, offset, text);
    assert.match(parsed.error.message, message, text);
  }
  assert.ok(parseMacroString('spaces are fine here %{i}', 'explanation').ok);
});

test('an expanded name over 253 characters loses labels from the left (RFC 7208 7.3)', () => {
  const long = `foobar.${Array(8).fill('somewhat.long.exp.example.com').join('.')}.example.com`;
  const name = targetName(long);
  assert.equal(name, `${Array(8).fill('somewhat.long.exp.example.com').join('.')}.example.com`);
  assert.ok(name.length <= 253);
  assert.equal(targetName('example.com.'), 'example.com');
});

test('a target name that DNS cannot carry is reported, not queried', () => {
  const table: [string, boolean][] = [
    ['mail.example.com', true], ['macro%percent  space%20url-space.example.com', true], ['foo:bar/baz.example.com', true],
    ['OEMCOMPUTER', false], ['mail.example...com', false], [`${'a'.repeat(64)}.example.com`, false], ['%5B192.168.218.40%5D', false], ['example.123', false], ['ex\u00e4mple.com', false],
  ];
  for (const [name, ok] of table) assert.equal(queryableName(name).ok, ok, name);
});
