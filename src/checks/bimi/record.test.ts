import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBimiRecord, parseBimiRecord } from './record.ts';

const rows: [string, string, string[], Partial<{ logo: string | null; authority: string | null; declined: boolean }>][] = [
  ['logo and certificate', 'v=BIMI1; l=https://acme.example/logo.svg; a=https://acme.example/vmc.pem', [], { logo: 'https://acme.example/logo.svg', authority: 'https://acme.example/vmc.pem', declined: false }],
  ['logo only', 'v=BIMI1; l=https://acme.example/logo.svg;', [], { authority: null }],
  ['declination', 'v=BIMI1; l=; a=;', [], { declined: true, logo: null }],
  ['http logo', 'v=BIMI1; l=http://acme.example/logo.svg', ['error'], { logo: null }],
  ['not an svg', 'v=BIMI1; l=https://acme.example/logo.png', ['warn'], {}],
  ['certificate not pem', 'v=BIMI1; l=https://acme.example/logo.svg; a=https://acme.example/vmc.crt', ['info'], {}],
  ['missing l', 'v=BIMI1; a=https://acme.example/vmc.pem', ['error'], {}],
  ['version not first', 'l=https://acme.example/logo.svg; v=BIMI1', ['error'], {}],
  ['not a URL', 'v=BIMI1; l=logo.svg', ['error'], {}],
  ['two logo URLs', 'v=BIMI1; l=https://a.example/1.svg,https://a.example/2.svg', ['warn'], { logo: 'https://a.example/1.svg' }],
];
for (const [name, text, severities, expected] of rows) {
  test(`BIMI record: ${name}`, () => {
    const { record, problems } = parseBimiRecord(text);
    assert.deepEqual(problems.map((p) => p.severity), severities, problems.map((p) => p.message).join('; '));
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(record[k as keyof typeof record], v, k);
  });
}

test('only v=BIMI1 first is a BIMI record', () => {
  assert.equal(isBimiRecord('v=BIMI1; l=https://a.example/l.svg'), true);
  assert.equal(isBimiRecord('v=spf1 -all'), false);
});
