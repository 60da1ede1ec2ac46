import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createLabCa, WRONG_NAME_DEFAULT } from './tls.ts';

test('the lab CA is a CA; its leaves are sha256, for the names asked, and cached', async () => {
  const now = new Date();
  const ca = await createLabCa({ name: 'test lab CA', now });
  const caCert = new X509Certificate(ca.certPem);
  assert.equal(caCert.ca, true);
  assert.match(caCert.subject, /CN=test lab CA/);

  const valid = await ca.issue('valid', ['mx.lab.example', '*.mx.lab.example']);
  const leaf = new X509Certificate(valid!.certPem);
  assert.equal(leaf.ca, false);
  assert.equal(leaf.checkIssued(caCert), true);
  assert.equal(leaf.verify(caCert.publicKey), true);
  assert.equal(leaf.subjectAltName, 'DNS:mx.lab.example, DNS:*.mx.lab.example');
  assert.equal(leaf.checkHost('a.mx.lab.example'), '*.mx.lab.example');
  assert.ok(new Date(leaf.validFrom) < now && new Date(leaf.validTo) > now);
  // sha256WithRSAEncryption: Node rejects a chain signed with SHA-1 (STACK.md gotcha 5).
  const SHA256_WITH_RSA = Buffer.from('06092a864886f70d01010b', 'hex');
  const SHA1_WITH_RSA = Buffer.from('06092a864886f70d010105', 'hex');
  for (const cert of [caCert, leaf]) {
    assert.ok(cert.raw.includes(SHA256_WITH_RSA), 'signed with sha256WithRSAEncryption');
    assert.ok(!cert.raw.includes(SHA1_WITH_RSA), 'never sha1WithRSAEncryption');
  }
  assert.equal(await ca.issue('valid', ['mx.lab.example', '*.mx.lab.example']), valid, 'issued once, then cached');

  const expired = new X509Certificate((await ca.issue('expired', ['mx.lab.example']))!.certPem);
  assert.ok(new Date(expired.validTo) < now, 'expired before now');
  assert.equal(expired.checkIssued(caCert), true);

  const selfSigned = new X509Certificate((await ca.issue('self-signed', ['mx.lab.example']))!.certPem);
  assert.equal(selfSigned.issuer, selfSigned.subject);
  assert.equal(selfSigned.checkIssued(caCert), false);

  const wrong = new X509Certificate((await ca.issue('wrong-name', ['mx.lab.example']))!.certPem);
  assert.equal(wrong.subjectAltName, `DNS:${WRONG_NAME_DEFAULT}`);
  assert.equal(wrong.checkHost('mx.lab.example'), undefined);
  const chosen = new X509Certificate((await ca.issue('wrong-name', ['mx.lab.example'], ['parked.hosting.example']))!.certPem);
  assert.equal(chosen.subjectAltName, 'DNS:parked.hosting.example');

  assert.equal(await ca.issue('none', ['mx.lab.example']), null);
});

test('two labs have two different CAs: one does not vouch for the other', async () => {
  const a = await createLabCa();
  const b = await createLabCa();
  const leaf = new X509Certificate((await a.issue('valid', ['x.lab.example']))!.certPem);
  assert.equal(leaf.verify(new X509Certificate(a.certPem).publicKey), true);
  assert.notEqual(a.certPem, b.certPem);
});
