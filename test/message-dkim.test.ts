/** DKIM re-verification of an analysed message through our resolver, against the lab DNS server. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import { startDnsServer, parseZone, type DnsServer } from '../src/lab/dns/index.ts';
import { createResolver } from '../src/net/dns/client.ts';
import { analyzeMessage } from '../src/message/index.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const chunks = p.match(/.{1,200}/g)!.map((c) => `"${c}"`).join(' ');

let lab: DnsServer;
before(async () => {
  lab = await startDnsServer({ zones: [parseZone(`$ORIGIN acme.example.\n@ SOA ns hostmaster 1 3600 600 86400 60\nmail2026._domainkey TXT "v=DKIM1; k=rsa; p=" ${chunks}\n`)] });
});
after(() => lab.close());

async function signed(body: string): Promise<Buffer> {
  const message = Buffer.from(`From: Alice <alice@acme.example>\r\nTo: bob@partner.example\r\nSubject: Quarterly numbers\r\nDate: Tue, 3 Mar 2026 09:59:57 +0000\r\nMessage-ID: <q1@acme.example>\r\n\r\n${body}`);
  // mailauth's types describe the older one-signature form; the signatureData list is what 7.x reads.
  const options = { canonicalization: 'relaxed/relaxed', signatureData: [{ signingDomain: 'acme.example', selector: 'mail2026', privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() }] };
  const result = await dkimSign(message, options as unknown as Parameters<typeof dkimSign>[1]);
  return Buffer.concat([Buffer.from(result.signatures), message]);
}

test('a signature whose key is in DNS re-verifies as pass through the given resolver', async () => {
  const resolver = createResolver({ servers: [lab.server], timeoutMs: 1000, retries: 0 });
  const a = await analyzeMessage(await signed('Numbers attached.\r\n'), { resolver });
  assert.equal(a.dkimSignatures[0]?.d, 'acme.example');
  assert.equal(a.dkimSignatures[0]?.verification?.result, 'pass', a.dkimSignatures[0]?.verification?.comment ?? '');
});

test('a body changed after signing does not verify', async () => {
  const resolver = createResolver({ servers: [lab.server], timeoutMs: 1000, retries: 0 });
  const original = (await signed('Numbers attached.\r\n')).toString().replace('Numbers attached.', 'Numbers changed.');
  const a = await analyzeMessage(Buffer.from(original), { resolver });
  assert.notEqual(a.dkimSignatures[0]?.verification?.result, 'pass');
});

test('without a resolver nothing is verified and no DNS query is made', async () => {
  const before = lab.queries;
  const a = await analyzeMessage(await signed('Numbers attached.\r\n'));
  assert.equal(a.dkimSignatures[0]?.verification, null);
  assert.equal(lab.queries, before);
});
