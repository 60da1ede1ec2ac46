import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mtaStsCovers, parsePolicy } from './policy.ts';
import { isStsRecord, parseStsRecord } from './record.ts';

const CRLF = (lines: string[]) => lines.join('\r\n') + '\r\n';

const policyRows: [string, string, string[], Partial<{ mode: string | null; mx: string[]; maxAge: number | null }>][] = [
  ['enforce with two mx', CRLF(['version: STSv1', 'mode: enforce', 'mx: mail.example.com', 'mx: *.backup.example.com', 'max_age: 604800']), [], { mode: 'enforce', mx: ['mail.example.com', '*.backup.example.com'], maxAge: 604800 }],
  ['LF line ends are as valid as CRLF (RFC 8461 §3.2)', 'version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 86400\n', [], { mode: 'testing' }],
  ['mode none needs no mx', CRLF(['version: STSv1', 'mode: none', 'max_age: 86400']), [], { mode: 'none', mx: [] }],
  ['unknown mode', CRLF(['version: STSv1', 'mode: strict', 'mx: mail.example.com', 'max_age: 86400']), ['error'], { mode: null }],
  ['missing version', CRLF(['mode: enforce', 'mx: mail.example.com', 'max_age: 86400']), ['error'], {}],
  ['wrong version', CRLF(['version: STSv2', 'mode: enforce', 'mx: mail.example.com', 'max_age: 86400']), ['error', 'error'], {}],
  ['missing max_age', CRLF(['version: STSv1', 'mode: enforce', 'mx: mail.example.com']), ['error'], {}],
  ['max_age over a year', CRLF(['version: STSv1', 'mode: enforce', 'mx: mail.example.com', 'max_age: 99999999']), ['error'], { maxAge: null }],
  ['enforce without mx', CRLF(['version: STSv1', 'mode: enforce', 'max_age: 86400']), ['error'], {}],
  ['bad mx pattern', CRLF(['version: STSv1', 'mode: enforce', 'mx: mail.*.example.com', 'mx: ok.example.com', 'max_age: 86400']), ['error'], { mx: ['ok.example.com'] }],
  ['not key: value', CRLF(['version: STSv1', 'mode enforce', 'mode: enforce', 'mx: a.example.com', 'max_age: 1']), ['error'], { mode: 'enforce' }],
  ['duplicate mode: first wins', CRLF(['version: STSv1', 'mode: testing', 'mode: enforce', 'mx: a.example.com', 'max_age: 1']), ['warn'], { mode: 'testing' }],
  ['unknown keys are ignored', CRLF(['version: STSv1', 'mode: enforce', 'mx: a.example.com', 'max_age: 1', 'ext: yes']), [], {}],
  ['trailing dot and case in mx', CRLF(['version: STSv1', 'mode: enforce', 'mx: Mail.Example.COM.', 'max_age: 1']), [], { mx: ['mail.example.com'] }],
];
for (const [name, text, severities, expected] of policyRows) {
  test(`MTA-STS policy: ${name}`, () => {
    const { policy, problems } = parsePolicy(text);
    assert.deepEqual(problems.map((p) => p.severity), severities, problems.map((p) => p.message).join('; '));
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(policy[k as keyof typeof policy], v, k);
  });
}

test('policy over 64 KB is refused', () => {
  assert.match(parsePolicy('x'.repeat(70_000)).problems[0]!.message, /64/);
});

const coverRows: [string[], string, boolean][] = [
  [['mail.example.com'], 'mail.example.com', true],
  [['mail.example.com'], 'MAIL.example.com.', true],
  [['mail.example.com'], 'mx.example.com', false],
  [['*.example.com'], 'mx1.example.com', true],
  [['*.example.com'], 'example.com', false],
  [['*.example.com'], 'a.b.example.com', false],
  [['*.example.com'], 'mx1.example.org', false],
  [['*.mail.protection.outlook.com'], 'acme-example.mail.protection.outlook.com', true],
  [[], 'mail.example.com', false],
];
for (const [mx, host, expected] of coverRows) {
  test(`mtaStsCovers(${JSON.stringify(mx)}, ${host}) = ${expected} (RFC 8461 4.1)`, () => assert.equal(mtaStsCovers({ mx }, host), expected));
}

const recordRows: [string, number, string | null][] = [
  ['v=STSv1; id=20260101T000000;', 0, '20260101T000000'],
  ['v=STSv1; id=2026-01-01;', 1, '2026-01-01'],
  ['v=STSv1; id=20260101000000;', 0, '20260101000000'],
  ['v=STSv1;id=abc', 0, 'abc'],
  ['v=STSv1; id=' + 'a'.repeat(33), 1, 'a'.repeat(33)],
  ['v=STSv1;', 1, null],
  ['v=STSv1 id=abc', 2, null],
  ['id=abc; v=STSv1;', 1, 'abc'],
  ['v=STSv1; id=abc; id=def', 1, 'def'],
  ['v=STSv1; id=abc; ext=1', 0, 'abc'],
];
for (const [text, errorCount, id] of recordRows) {
  test(`_mta-sts record "${text.slice(0, 40)}" (RFC 8461 3.1)`, () => {
    const { record, errors } = parseStsRecord(text);
    assert.equal(errors.length, errorCount, errors.join('; '));
    assert.equal(record.id, id);
  });
}

test('only v=STSv1; first counts', () => {
  assert.equal(isStsRecord('v=STSv1; id=1'), true);
  assert.equal(isStsRecord('v=STSv1'), false);
  assert.equal(isStsRecord('v=spf1 -all'), false);
});
