import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headEnd, header, parseHead, HttpProtocolError } from './head.ts';

test('status line and fields (RFC 9112 §4–5), names lowercased, repeated fields kept', () => {
  const head = parseHead('HTTP/1.1 301 Moved Permanently\r\nLocation: https://example.com/\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n');
  assert.equal(head.status, 301);
  assert.equal(head.reason, 'Moved Permanently');
  assert.equal(head.version, '1.1');
  assert.equal(header(head, 'location'), 'https://example.com/');
  assert.deepEqual(head.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(header(head, 'strict-transport-security'), null);
});

test('a status line without a reason phrase is accepted', () => {
  assert.equal(parseHead('HTTP/1.0 200\n\n').status, 200);
});

test('anything else is not an HTTP response', () => {
  assert.throws(() => parseHead('220 mx.example.com ESMTP\r\n'), HttpProtocolError);
  assert.throws(() => parseHead('HTTP/1.1 200 OK\r\nbad header line\r\n'), /malformed header/);
});

test('the head ends at the first blank line, CRLF or bare LF', () => {
  assert.equal(headEnd(Buffer.from('HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody')), 'HTTP/1.1 200 OK\r\nA: b\r\n\r\n'.length);
  assert.equal(headEnd(Buffer.from('HTTP/1.1 200 OK\nA: b\n\nbody')), 'HTTP/1.1 200 OK\nA: b\n\n'.length);
  assert.equal(headEnd(Buffer.from('HTTP/1.1 200 OK\r\nA: b\r\n')), -1);
});
