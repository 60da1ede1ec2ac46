import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { reviewTlsa, matchTlsa, tlsaMatches, associationData } from './tlsa.ts';
import type { TlsaData } from '../../net/dns/types.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const hex = (bytes: number) => 'ab'.repeat(bytes);

const reviewCases: Array<{ name: string; tlsa: TlsaData; usable: boolean; codes: string[] }> = [
  { name: '3 1 1 with 32 bytes is usable', tlsa: { usage: 3, selector: 1, matchingType: 1, certificate: hex(32) }, usable: true, codes: [] },
  { name: '2 1 2 with 64 bytes is usable', tlsa: { usage: 2, selector: 1, matchingType: 2, certificate: hex(64) }, usable: true, codes: [] },
  { name: '3 0 1 is usable', tlsa: { usage: 3, selector: 0, matchingType: 1, certificate: hex(32) }, usable: true, codes: [] },
  { name: 'PKIX-EE (1) is unusable for SMTP (RFC 7672 3.1.3)', tlsa: { usage: 1, selector: 1, matchingType: 1, certificate: hex(32) }, usable: false, codes: ['pkix-usage'] },
  { name: 'PKIX-TA (0) is unusable for SMTP', tlsa: { usage: 0, selector: 0, matchingType: 1, certificate: hex(32) }, usable: false, codes: ['pkix-usage'] },
  { name: 'usage 4 is undefined', tlsa: { usage: 4, selector: 1, matchingType: 1, certificate: hex(32) }, usable: false, codes: ['unknown-usage'] },
  { name: 'selector 2 is undefined', tlsa: { usage: 3, selector: 2, matchingType: 1, certificate: hex(32) }, usable: false, codes: ['unknown-selector'] },
  { name: 'matching type 3 is undefined', tlsa: { usage: 3, selector: 1, matchingType: 3, certificate: hex(32) }, usable: false, codes: ['unknown-matching-type'] },
  { name: 'SHA-256 with 31 bytes is a bad length', tlsa: { usage: 3, selector: 1, matchingType: 1, certificate: hex(31) }, usable: false, codes: ['bad-digest-length'] },
  { name: 'SHA-256 data in a SHA-512 record is a bad length', tlsa: { usage: 3, selector: 1, matchingType: 2, certificate: hex(32) }, usable: false, codes: ['bad-digest-length'] },
  { name: 'full certificate data that is not DER', tlsa: { usage: 3, selector: 0, matchingType: 0, certificate: hex(40) }, usable: false, codes: ['bad-full-data'] },
  { name: 'full SPKI data that is not DER', tlsa: { usage: 3, selector: 1, matchingType: 0, certificate: '3005' + hex(2) }, usable: false, codes: ['bad-full-data'] },
  { name: 'empty data', tlsa: { usage: 3, selector: 1, matchingType: 1, certificate: '' }, usable: false, codes: ['empty-data'] },
  { name: 'several problems at once', tlsa: { usage: 1, selector: 5, matchingType: 1, certificate: hex(20) }, usable: false, codes: ['pkix-usage', 'unknown-selector', 'bad-digest-length'] },
];

for (const c of reviewCases) {
  test(`reviewTlsa: ${c.name}`, () => {
    const review = reviewTlsa(c.tlsa);
    assert.equal(review.usable, c.usable);
    assert.deepEqual(review.problems.map((p) => p.code), c.codes);
  });
}

test('reviewTlsa labels records with the RFC 7218 acronyms', () => {
  assert.equal(reviewTlsa({ usage: 3, selector: 1, matchingType: 1, certificate: hex(32) }).label, 'DANE-EE SPKI SHA2-256');
});

async function chain() {
  const ca = await generate([{ name: 'commonName', value: 'Lab Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, digitalSignature: true }],
  });
  const leaf = await generate([{ name: 'commonName', value: 'mx1.example.test' }], { keyType: 'ec', algorithm: 'sha256', ca: { key: ca.private, cert: ca.cert } });
  const other = await generate([{ name: 'commonName', value: 'other.example.test' }], { keyType: 'ec', algorithm: 'sha256' });
  const der = (pem: string) => Buffer.from(new X509Certificate(pem).raw);
  return { leaf: der(leaf.cert), ca: der(ca.cert), other: der(other.cert) };
}

test('tlsaMatches: selectors, matching types and usages against a real chain', async () => {
  const { leaf, ca, other } = await chain();
  const leafSpki = new X509Certificate(leaf).publicKey.export({ type: 'spki', format: 'der' });
  const caSpki = new X509Certificate(ca).publicKey.export({ type: 'spki', format: 'der' });
  const cases: Array<{ name: string; tlsa: TlsaData; chain: Buffer[]; want: boolean }> = [
    { name: '3 1 1 matches the leaf SPKI', tlsa: { usage: 3, selector: 1, matchingType: 1, certificate: sha256(leafSpki) }, chain: [leaf, ca], want: true },
    { name: '3 0 1 matches the leaf certificate', tlsa: { usage: 3, selector: 0, matchingType: 1, certificate: sha256(leaf) }, chain: [leaf], want: true },
    { name: '3 1 2 (SHA-512) matches', tlsa: { usage: 3, selector: 1, matchingType: 2, certificate: createHash('sha512').update(leafSpki).digest('hex') }, chain: [leaf], want: true },
    { name: '3 1 0 full SPKI matches', tlsa: { usage: 3, selector: 1, matchingType: 0, certificate: leafSpki.toString('hex') }, chain: [leaf], want: true },
    { name: '3 0 0 full certificate matches', tlsa: { usage: 3, selector: 0, matchingType: 0, certificate: leaf.toString('hex') }, chain: [leaf], want: true },
    { name: '3 1 1 of another key does not match', tlsa: { usage: 3, selector: 1, matchingType: 1, certificate: sha256(new X509Certificate(other).publicKey.export({ type: 'spki', format: 'der' })) }, chain: [leaf, ca], want: false },
    { name: 'DANE-EE never matches an issuer', tlsa: { usage: 3, selector: 1, matchingType: 1, certificate: sha256(caSpki) }, chain: [leaf, ca], want: false },
    { name: '2 1 1 matches the CA that issued the leaf', tlsa: { usage: 2, selector: 1, matchingType: 1, certificate: sha256(caSpki) }, chain: [leaf, ca], want: true },
    { name: '2 0 1 matches the CA certificate', tlsa: { usage: 2, selector: 0, matchingType: 1, certificate: sha256(ca) }, chain: [leaf, ca], want: true },
    { name: 'DANE-TA needs the server to send its trust anchor', tlsa: { usage: 2, selector: 1, matchingType: 1, certificate: sha256(caSpki) }, chain: [leaf], want: false },
    { name: 'DANE-TA never matches the leaf itself', tlsa: { usage: 2, selector: 1, matchingType: 1, certificate: sha256(leafSpki) }, chain: [leaf, ca], want: false },
    { name: 'DANE-TA that did not issue the leaf does not match', tlsa: { usage: 2, selector: 0, matchingType: 1, certificate: sha256(other) }, chain: [leaf, other], want: false },
    { name: 'an empty chain matches nothing', tlsa: { usage: 3, selector: 1, matchingType: 1, certificate: sha256(leafSpki) }, chain: [], want: false },
    { name: 'a malformed record matches nothing', tlsa: { usage: 3, selector: 1, matchingType: 1, certificate: sha256(leafSpki).slice(2) }, chain: [leaf], want: false },
    { name: 'upper-case hex still matches', tlsa: { usage: 3, selector: 1, matchingType: 1, certificate: sha256(leafSpki).toUpperCase() }, chain: [leaf], want: true },
  ];
  for (const c of cases) assert.equal(tlsaMatches(c.tlsa, c.chain), c.want, c.name);
  assert.equal(matchTlsa(cases[7]!.tlsa, [leaf, ca]).index, 1);
  assert.equal(associationData(1, 1, leaf), sha256(leafSpki));
});
