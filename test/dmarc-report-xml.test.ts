/** The report XML reader: what reports use is read, what is not XML is refused with a position. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, parseXml, XmlError } from '../src/reports/dmarc/xml.ts';
import { decodeXmlBytes } from '../src/reports/dmarc/charset.ts';

test('elements, attributes, text, CDATA, comments and processing instructions', () => {
  const { root } = parseXml(`<?xml version="1.0"?>\n<!-- generated -->\n<a x="1" y='two'><b>one</b><!-- c --><c><![CDATA[<not> & markup]]></c><d/><?pi data?></a>`);
  assert.equal(root.name, 'a');
  assert.deepEqual(root.attrs, { x: '1', y: 'two' });
  assert.deepEqual(root.children.map((c) => c.name), ['b', 'c', 'd']);
  assert.equal(child(root, 'b')?.text, 'one');
  assert.equal(child(root, 'c')?.text, '<not> & markup');
  assert.equal(child(root, 'd')?.text, '');
});

test('the predefined entities and character references are decoded, in text and attributes', () => {
  const { root, quirks } = parseXml(`<a t="&quot;q&quot; &#x41;">&lt;1&gt; &amp; &apos;x&apos; &#65;&#x1F600;</a>`);
  assert.equal(root.text, `<1> & 'x' A😀`);
  assert.equal(root.attrs.t, '"q" A');
  assert.deepEqual(quirks, []);
});

test('entities XML does not define and bare ampersands are kept as written and named', () => {
  const { root, quirks } = parseXml('<org>AT&T &nbsp;Mail</org>');
  assert.equal(root.text, 'AT&T &nbsp;Mail');
  assert.equal(quirks.length, 2);
  assert.match(quirks.join('|'), /bare "&"/);
  assert.match(quirks.join('|'), /&nbsp;/);
});

test('namespaces: default, prefixed and undeclared prefixes resolve per element', () => {
  const { root } = parseXml(`<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0" xmlns:ext="urn:example:ext"><version>1.0</version><ext:thing ext:a="1"/><plain xmlns=""/><x:y/></feedback>`);
  assert.equal(root.ns, 'urn:ietf:params:xml:ns:dmarc-2.0');
  assert.deepEqual(root.children.map((c) => [c.name, c.ns]), [
    ['version', 'urn:ietf:params:xml:ns:dmarc-2.0'],
    ['thing', 'urn:example:ext'],
    ['plain', null],
    ['y', null],
  ]);
  assert.deepEqual(root.children[1]!.attrs, { a: '1' });
});

const MALFORMED: [string, string, RegExp][] = [
  ['truncated document', '<feedback><report_metadata><org_name>x', /line 1, column 39: <org_name> is never closed/],
  ['crossed tags', '<a><b></a></b>', /column 7: expected <\/b>, found <\/a>/],
  ['end tag without start', '<a></a></b>', /<\/b> without a matching start tag/],
  ['two roots', '<a/><b/>', /a second root element/],
  ['text outside the root', 'hello <a/>', /text before the first element/],
  ['unquoted attribute', '<a x=1/>', /attribute "x" value not quoted/],
  ['unterminated comment', '<a><!-- x</a>', /unterminated comment/],
  ['unterminated CDATA', '<a><![CDATA[x</a>', /unterminated CDATA/],
  ['empty input', '   ', /no element at all/],
  ['entity declarations', '<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>', /internal subset/],
  ['a bad character reference', '<a>&#0;</a>', /invalid character reference/],
];

for (const [what, xml, message] of MALFORMED) {
  test(`malformed: ${what} is refused with its position`, () => {
    assert.throws(() => parseXml(xml), (err: unknown) => err instanceof XmlError && message.test(err.message));
  });
}

test('a line number counts the lines before the fault', () => {
  assert.throws(() => parseXml('<a>\n<b>\n</c>\n</a>'), /line 3, column 1/);
});

test('a document type without an internal subset is skipped; trailing NUL padding is tolerated', () => {
  assert.equal(parseXml('<!DOCTYPE feedback SYSTEM "rua.dtd"><feedback/>\0\0\0').root.name, 'feedback');
});

test('nesting and element count are limited', () => {
  const deep = '<a>'.repeat(70) + '</a>'.repeat(70);
  assert.throws(() => parseXml(deep), /nested deeper than 64/);
  assert.throws(() => parseXml(`<r>${'<x/>'.repeat(11)}</r>`, { maxElements: 10 }), /more than 10 elements/);
});

test('bytes: BOM, declared encoding, UTF-16, and invalid UTF-8 read as windows-1252', () => {
  const bom = decodeXmlBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x3c, 0x61, 0x2f, 0x3e]));
  assert.equal(bom.text, '<a/>');
  assert.match(bom.quirks[0]!, /byte-order mark/);
  const latin = decodeXmlBytes(new Uint8Array([...Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><o>M'), 0xfc, ...Buffer.from('ller</o>')]));
  assert.equal(parseXml(latin.text).root.text, 'Müller');
  assert.deepEqual(latin.quirks, []);
  const utf16 = decodeXmlBytes(new Uint8Array([0xff, 0xfe, ...Buffer.from('<a>é</a>', 'utf16le')]));
  assert.equal(parseXml(utf16.text).root.text, 'é');
  const wrong = decodeXmlBytes(new Uint8Array([...Buffer.from('<o>M'), 0xfc, ...Buffer.from('ller</o>')]));
  assert.equal(parseXml(wrong.text).root.text, 'Müller');
  assert.match(wrong.quirks[0]!, /not valid utf-8/);
});
