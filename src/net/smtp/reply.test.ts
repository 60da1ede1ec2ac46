import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReplyParser, replyText, SmtpProtocolError } from './reply.ts';

const feed = (text: string) => createReplyParser().push(Buffer.from(text, 'latin1'));

test('a single-line reply (RFC 5321 §4.2)', () => {
  const [reply] = feed('220 mx.example.com ESMTP ready\r\n');
  assert.deepEqual(reply, { code: 220, lines: ['mx.example.com ESMTP ready'], enhanced: null });
});

test('a multi-line reply continues with "-" and ends with a space', () => {
  const replies = feed('250-mx.example.com\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
  assert.equal(replies.length, 1);
  assert.deepEqual(replies[0]!.lines, ['mx.example.com', 'PIPELINING', 'STARTTLS']);
});

test('a reply split across packets is put back together', () => {
  const parser = createReplyParser();
  assert.deepEqual(parser.push(Buffer.from('250-a\r\n25')), []);
  assert.deepEqual(parser.push(Buffer.from('0 b\r')), []);
  const [reply] = parser.push(Buffer.from('\n'));
  assert.deepEqual(reply!.lines, ['a', 'b']);
  assert.equal(parser.pending(), 0);
});

test('bare code lines and bare LF are accepted', () => {
  const [reply] = feed('250\n');
  assert.equal(reply!.code, 250);
  assert.deepEqual(reply!.lines, ['']);
});

test('the enhanced status code (RFC 3463) is read from the first line', () => {
  const [reply] = feed('550 5.7.1 Relaying denied\r\n');
  assert.equal(reply!.enhanced, '5.7.1');
  assert.equal(replyText(reply!), '550 5.7.1 Relaying denied');
});

test('garbage, changing codes, over-long lines and endless replies are protocol errors', () => {
  assert.throws(() => feed('HTTP/1.1 400 Bad Request\r\n'), SmtpProtocolError);
  assert.throws(() => feed('250-a\r\n251 b\r\n'), /code changed/);
  assert.throws(() => feed(`220 ${'x'.repeat(600)}\r\n`), /longer than 512/);
  // No line break at all: the limit still holds while the line is incomplete.
  assert.throws(() => createReplyParser().push(Buffer.alloc(600, 0x41)), /longer than 512/);
  assert.throws(() => feed('250-x\r\n'.repeat(101)), /longer than 100 lines/);
});

test('bytes after the last complete reply are counted as pending', () => {
  const parser = createReplyParser();
  parser.push(Buffer.from('220 go ahead\r\n\x16\x03\x01'));
  assert.equal(parser.pending(), 3);
});
