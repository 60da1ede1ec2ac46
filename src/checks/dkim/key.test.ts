import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { parseKeyRecord, looksLikeKeyRecord } from './key.ts';
import { parseTagList } from './tag-list.ts';

function rsaSpki(bits: number): string {
  return generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
}
function rsaPkcs1(bits: number): string {
  return generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'der', type: 'pkcs1' }).toString('base64');
}
function ed25519Raw(): string {
  const spki = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32).toString('base64');
}

const k512 = rsaSpki(512);
const k1024 = rsaSpki(1024);
const k2048 = rsaSpki(2048);
const codes = (text: string) => parseKeyRecord(text).problems.map((p) => `${p.code}:${p.severity}`).sort();

test('tag-list: whitespace, trailing ";" and duplicates (RFC 6376 3.2)', () => {
  const ok = parseTagList(' v = DKIM1 ; k=rsa; p=AB CD ;');
  assert.deepEqual(ok.tags.map((t) => [t.name, t.value]), [['v', 'DKIM1'], ['k', 'rsa'], ['p', 'AB CD']]);
  assert.equal(ok.problems.length, 0);
  assert.match(parseTagList('p=a; p=b').problems[0]!.message, /more than once/);
  assert.match(parseTagList('v=DKIM1; garbage; p=').problems[0]!.message, /not a tag=value/);
  assert.match(parseTagList('1x=y').problems[0]!.message, /not a valid tag name/);
  assert.match(parseTagList('a=b;;c=d').problems[0]!.message, /empty tag/);
  assert.equal(parseTagList('x'.repeat(9000)).problems.length, 1);
});

const table: { name: string; record: string; expect: string[]; bits?: number | null; format?: string | null }[] = [
  { name: 'RSA 2048 SPKI key is clean', record: `v=DKIM1; k=rsa; p=${k2048}`, expect: [], bits: 2048, format: 'spki' },
  { name: 'k= defaults to rsa', record: `p=${k2048}`, expect: [], bits: 2048 },
  { name: 'RSA 1024 is a warning', record: `v=DKIM1; p=${k1024}`, expect: ['weak-key:warn'], bits: 1024 },
  { name: 'RSA 512 is an error (RFC 8301)', record: `v=DKIM1; p=${k512}`, expect: ['weak-key:error'], bits: 512 },
  { name: 'bare PKCS#1 key is read, with a note', record: `v=DKIM1; p=${rsaPkcs1(2048)}`, expect: ['malformed:info'], bits: 2048, format: 'pkcs1' },
  { name: 'key split by spaces (folded TXT) is joined', record: `v=DKIM1; p=${k2048.slice(0, 100)} ${k2048.slice(100)}`, expect: [], bits: 2048 },
  { name: 'empty p= means revoked', record: 'v=DKIM1; k=rsa; p=', expect: ['revoked:error'], bits: null },
  { name: 't=y is testing', record: `v=DKIM1; t=y; p=${k2048}`, expect: ['testing:warn'] },
  { name: 't=s is noted', record: `v=DKIM1; t=s; p=${k2048}`, expect: ['strict-subdomains:info'] },
  { name: 't=y:s carries both flags', record: `v=DKIM1; t=y:s; p=${k2048}`, expect: ['strict-subdomains:info', 'testing:warn'] },
  { name: 'h=sha1 only cannot verify', record: `v=DKIM1; h=sha1; p=${k2048}`, expect: ['sha1-only:error'] },
  { name: 'h=sha1:sha256 is fine', record: `v=DKIM1; h=sha1:sha256; p=${k2048}`, expect: [] },
  { name: 's=email is fine', record: `v=DKIM1; s=email; p=${k2048}`, expect: [] },
  { name: 's=* is fine', record: `v=DKIM1; s=*; p=${k2048}`, expect: [] },
  { name: 's=other excludes mail', record: `v=DKIM1; s=other; p=${k2048}`, expect: ['not-for-email:error'] },
  { name: 'malformed base64', record: 'v=DKIM1; p=MIIB!!notbase64', expect: ['malformed:error'], bits: null },
  { name: 'base64 that is not a key', record: `v=DKIM1; p=${Buffer.from('hello world, not a key').toString('base64')}`, expect: ['malformed:error'] },
  { name: 'missing p= is malformed', record: 'v=DKIM1; k=rsa', expect: ['malformed:error'] },
  { name: 'v= not first', record: `k=rsa; v=DKIM1; p=${k2048}`, expect: ['malformed:warn'] },
  { name: 'unknown version', record: `v=DKIM2; p=${k2048}`, expect: ['unknown-version:error'] },
  { name: 'duplicate tag is malformed', record: `v=DKIM1; p=${k2048}; p=${k1024}`, expect: ['malformed:error'] },
  { name: 'Ed25519 raw key (RFC 8463)', record: `v=DKIM1; k=ed25519; p=${ed25519Raw()}`, expect: [], bits: 256, format: 'ed25519-raw' },
  { name: 'Ed25519 with wrong length', record: `v=DKIM1; k=ed25519; p=${k2048}`, expect: ['malformed:error'], bits: null },
  { name: 'unknown key type', record: `v=DKIM1; k=dsa; p=${k2048}`, expect: ['unsupported-key-type:error'], bits: null },
];

for (const row of table) {
  test(`DKIM key: ${row.name}`, () => {
    assert.deepEqual(codes(row.record), [...row.expect].sort());
    const { key } = parseKeyRecord(row.record);
    if (row.bits !== undefined) assert.equal(key?.keyBits ?? null, row.bits);
    if (row.format !== undefined) assert.equal(key?.keyFormat ?? null, row.format);
  });
}

test('the RFC 8463 example Ed25519 key parses', () => {
  const { key, problems } = parseKeyRecord('v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=');
  assert.deepEqual(problems, []);
  assert.equal(key?.keyBits, 256);
});

test('flags and lists are read', () => {
  const { key } = parseKeyRecord(`v=DKIM1; h=SHA256; s=email:*; n=hello; t=y; p=${k2048}`);
  assert.deepEqual(key?.hashAlgorithms, ['sha256']);
  assert.deepEqual(key?.serviceTypes, ['email', '*']);
  assert.equal(key?.notes, 'hello');
  assert.equal(key?.testing, true);
  assert.equal(key?.revoked, false);
});

test('looksLikeKeyRecord tells keys from unrelated TXT', () => {
  assert.equal(looksLikeKeyRecord('v=DKIM1; p=abc'), true);
  assert.equal(looksLikeKeyRecord('k=rsa; p=abc'), true);
  assert.equal(looksLikeKeyRecord('v=spf1 -all'), false);
  assert.equal(looksLikeKeyRecord('google-site-verification=xyz'), false);
});
