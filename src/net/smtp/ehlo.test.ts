import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greetingHost, parseEhlo } from './ehlo.ts';

const reply = (lines: string[], code = 250) => ({ code, lines, enhanced: null });

test('EHLO keywords become capabilities (RFC 5321 §4.1.1.1)', () => {
  const ehlo = parseEhlo(reply(['mx1.example.com Hello [192.0.2.1]', 'SIZE 52428800', 'pipelining', '8BITMIME', 'SMTPUTF8', 'CHUNKING', 'ENHANCEDSTATUSCODES', 'STARTTLS', 'AUTH PLAIN LOGIN', 'AUTH=LOGIN', 'DSN']));
  assert.equal(ehlo.host, 'mx1.example.com');
  const c = ehlo.capabilities;
  assert.equal(c.size, 52428800);
  assert.ok(c.pipelining && c.eightBitMime && c.smtpUtf8 && c.chunking && c.enhancedStatusCodes && c.starttls && c.dsn);
  assert.equal(c.requireTls, false);
  assert.deepEqual(c.auth, ['PLAIN', 'LOGIN']);
  assert.deepEqual(c.keywords, ['SIZE', 'PIPELINING', '8BITMIME', 'SMTPUTF8', 'CHUNKING', 'ENHANCEDSTATUSCODES', 'STARTTLS', 'AUTH', 'DSN']);
});

test('SIZE without a number means no fixed limit; junk lines are skipped', () => {
  const c = parseEhlo(reply(['mx', 'SIZE', '!!!', ''])).capabilities;
  assert.equal(c.size, 0);
  assert.deepEqual(c.keywords, ['SIZE']);
  assert.equal(c.starttls, false);
});

test('the greeting host is the first word when it is a domain name (RFC 5321 §4.3.1)', () => {
  assert.equal(greetingHost(reply(['MX1.Example.COM ESMTP Postfix'], 220)), 'mx1.example.com');
  assert.equal(greetingHost(reply(['[192.0.2.1] ready'], 220)), '[192.0.2.1]');
  assert.equal(greetingHost(reply(['ESMTP ready'], 220)), null);
  assert.equal(greetingHost(reply([''], 220)), null);
});
