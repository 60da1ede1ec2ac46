import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTlsRptRecord, parseTlsRptRecord } from './record.ts';

const rows: [string, string, number, string[]][] = [
  ['mailto', 'v=TLSRPTv1; rua=mailto:tlsrpt@acme.example', 0, ['mailto']],
  ['https and mailto, trailing ;', 'v=TLSRPTv1;rua=https://reports.example/tlsrpt,mailto:t@acme.example;', 0, ['https', 'mailto']],
  ['missing rua', 'v=TLSRPTv1;', 1, []],
  ['empty rua', 'v=TLSRPTv1; rua=', 1, []],
  ['http is not allowed', 'v=TLSRPTv1; rua=http://reports.example/x', 1, ['http']],
  ['bare address', 'v=TLSRPTv1; rua=tlsrpt@acme.example', 1, ['']],
  ['version not first', 'rua=mailto:t@acme.example; v=TLSRPTv1', 1, ['mailto']],
  ['bad mailbox', 'v=TLSRPTv1; rua=mailto:nobody', 1, ['mailto']],
];
for (const [name, text, errorCount, schemes] of rows) {
  test(`TLS-RPT record: ${name}`, () => {
    const { record, errors } = parseTlsRptRecord(text);
    assert.equal(errors.length, errorCount, errors.join('; '));
    assert.deepEqual(record.rua.map((u) => u.scheme), schemes);
  });
}

test('only v=TLSRPTv1 first counts as a TLS-RPT record (RFC 8460 3)', () => {
  assert.equal(isTlsRptRecord('v=TLSRPTv1; rua=mailto:a@b.example'), true);
  assert.equal(isTlsRptRecord('v = TLSRPTv1 ; rua=mailto:a@b.example'), true);
  assert.equal(isTlsRptRecord('v=TLSRPTv2; rua=mailto:a@b.example'), false);
  assert.equal(isTlsRptRecord('v=spf1 -all'), false);
});

test('extension fields are kept', () => {
  assert.deepEqual(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:a@b.example; x-ext=1').record.extensions, { 'x-ext': '1' });
});
