import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { run } from './index.ts';
import { startAuthLab, txt, SOA, type AuthLab } from '../../../test/auth-checks-lab.ts';

const spki = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const k2048 = spki(2048);
const k1024 = spki(1024);
const k512 = spki(512);

const ZONE = `$ORIGIN example.
${SOA}
; Microsoft 365 style: CNAME delegation to the tenant
selector1._domainkey.acme CNAME selector1-acme-example._domainkey.acmecorp.onmicrosoft.com.
selector2._domainkey.acme CNAME selector2-acme-example._domainkey.acmecorp.onmicrosoft.com.
acme A 192.0.2.10
bare A 192.0.2.11
*.wild TXT "v=spf1 -all"
wild A 192.0.2.12
google._domainkey.gw TXT ${txt(`v=DKIM1; k=rsa; p=${k2048}`)}
default._domainkey.weak TXT ${txt(`v=DKIM1; k=rsa; p=${k1024}`)}
default._domainkey.tiny TXT ${txt(`v=DKIM1; k=rsa; p=${k512}`)}
old._domainkey.rot TXT "v=DKIM1; k=rsa; p="
new._domainkey.rot TXT ${txt(`v=DKIM1; k=rsa; p=${k2048}`)}
s1._domainkey.test-mode TXT ${txt(`v=DKIM1; t=y; p=${k2048}`)}
s1._domainkey.broken TXT "v=DKIM1; k=rsa; p=MIIBIjANBg!!!notbase64"
s2026._domainkey.signed TXT ${txt(`v=DKIM1; p=${k2048}`)}
google._domainkey.faulty TXT ${txt(`v=DKIM1; p=${k2048}`)}
fm1._domainkey.two TXT ${txt(`v=DKIM1; p=${k2048}`)}
fm1._domainkey.two TXT ${txt(`v=DKIM1; p=${k1024}`)}
slow A 192.0.2.13
`;
const TENANT = `$ORIGIN onmicrosoft.com.
${SOA}
selector1-acme-example._domainkey.acmecorp TXT ${txt(`v=DKIM1; k=rsa; p=${k2048}`)}
`;

let lab: AuthLab;
before(async () => { lab = await startAuthLab([ZONE, TENANT]); });
after(() => lab.close());

const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id);
const finding = <F extends { id: string }>(r: { findings: F[] }, id: string) => r.findings.find((f) => f.id === id);

test('key found through a Microsoft 365 CNAME, delegation shown; the idle selector2 is noted', async () => {
  const r = await run(lab.context(), 'acme.example', { provider: 'microsoft365' });
  assert.equal(r.status, 'ok');
  const found = r.findings.find((f) => f.id === 'dkim.key-found');
  assert.ok(found);
  assert.match(found.detail, /selector1\._domainkey\.acme\.example → selector1-acme-example\._domainkey\.acmecorp\.onmicrosoft\.com/);
  assert.equal(found.data?.keyBits, 2048);
  assert.deepEqual(r.data.keys[0]?.sources, ['provider', 'common']);
  assert.equal(finding(r, 'dkim.cname-dangling')?.severity, 'info');
  assert.ok(found.dns?.length === 1 && typeof found.dns[0] === 'number');
  assert.equal(ids(r).includes('dkim.no-key-at-tried-selectors'), false);
});

test('no key anywhere: "no key at the selectors tried", never "no DKIM"', async () => {
  const r = await run(lab.context(), 'bare.example');
  assert.equal(r.status, 'warn');
  const f = finding(r, 'dkim.no-key-at-tried-selectors')!;
  assert.equal(f.severity, 'warn');
  assert.match(f.detail, /selector1, selector2, google/);
  assert.match(f.detail, /--selector/);
  assert.equal(r.data.domainkeyNode, 'absent');
  // tier 3 was tried too once tiers 1–2 found nothing
  assert.ok(r.data.tried.some((t) => t.selector === 's1024'));
  assert.equal(ids(r).includes('dkim.key-found'), false);
});

test('a wildcard TXT (SPF) under the domain is not mistaken for a key', async () => {
  const r = await run(lab.context(), 'wild.example');
  assert.deepEqual(r.data.keys, []);
  assert.ok(ids(r).includes('dkim.no-key-at-tried-selectors'));
});

test('weak keys: 1024 bits warns, 512 bits is an error; 2048 passes', async () => {
  const weak = await run(lab.context(), 'weak.example');
  assert.equal(finding(weak, 'dkim.weak-key')?.severity, 'warn');
  assert.equal(weak.status, 'warn');
  const tiny = await run(lab.context(), 'tiny.example');
  assert.equal(finding(tiny, 'dkim.weak-key')?.severity, 'error');
  assert.equal(tiny.status, 'error');
  const good = await run(lab.context(), 'gw.example');
  assert.equal(ids(good).includes('dkim.weak-key'), false);
  assert.equal(good.status, 'ok');
});

test('revoked key at the selector the user names is an error; at a guessed one beside a working key, a note', async () => {
  const named = await run(lab.context({ selectors: ['old'] }), 'rot.example');
  assert.equal(finding(named, 'dkim.revoked')?.severity, 'error');
  assert.equal(named.status, 'error');
  const both = await run(lab.context({ selectors: ['new'] }), 'rot.example', { fromMessages: [{ domain: 'rot.example', selector: 'new' }] });
  assert.equal(ids(both).includes('dkim.revoked'), false);
  assert.equal(both.status, 'ok');
});

test('t=y is reported as testing; a key without it is not', async () => {
  const r = await run(lab.context({ selectors: ['s1'] }), 'test-mode.example');
  assert.equal(finding(r, 'dkim.testing')?.severity, 'warn');
  const plain = await run(lab.context(), 'gw.example');
  assert.equal(ids(plain).includes('dkim.testing'), false);
});

test('malformed base64 is an error; a well-formed key is not', async () => {
  const r = await run(lab.context(), 'broken.example');
  assert.equal(finding(r, 'dkim.malformed')?.severity, 'error');
  assert.equal(r.status, 'error');
  assert.equal(ids(await run(lab.context(), 'gw.example')).includes('dkim.malformed'), false);
});

test('a selector seen in a message is tried first; a missing key there is an error', async () => {
  const ok = await run(lab.context(), 'signed.example', { fromMessages: [{ domain: 'signed.example', selector: 's2026' }] });
  assert.equal(ok.status, 'ok');
  assert.deepEqual(ok.data.keys.map((k) => [k.selector, k.sources]), [['s2026', ['message']]]);
  const missing = await run(lab.context(), 'signed.example', { fromMessages: [{ domain: 'signed.example', selector: 's2025' }] });
  assert.equal(finding(missing, 'dkim.selector-without-key')?.severity, 'error');
});

test('two key records at one selector are flagged', async () => {
  const r = await run(lab.context(), 'two.example');
  assert.ok(ids(r).includes('dkim.multiple-records'));
});

test('SERVFAIL on a selector while nothing else has a key gives unknown, not "no key"', async () => {
  lab.faults([{ name: 'google._domainkey.faulty.example', action: 'servfail' }]);
  try {
    const r = await run(lab.context(), 'faulty.example');
    assert.equal(r.status, 'unknown');
    assert.equal(finding(r, 'dkim.lookup-failed')?.severity, 'warn');
    assert.equal(finding(r, 'dkim.no-key-at-tried-selectors')?.severity, 'info');
    assert.deepEqual(r.data.failed, ['google']);
  } finally {
    lab.faults([]);
  }
  const healthy = await run(lab.context(), 'faulty.example');
  assert.equal(healthy.status, 'ok');
  assert.equal(ids(healthy).includes('dkim.lookup-failed'), false);
});

test('a timeout on the selector real mail uses gives unknown even when a guess finds a key', async () => {
  lab.faults([{ name: 's2026._domainkey.signed.example', action: 'drop' }]);
  try {
    const r = await run(lab.context(), 'signed.example', { fromMessages: [{ domain: 'signed.example', selector: 's2026' }] });
    assert.equal(r.status, 'unknown');
    assert.equal(r.data.tried.find((t) => t.selector === 's2026')?.outcome, 'timeout');
  } finally {
    lab.faults([]);
  }
});

test('selectors are looked up in parallel', async () => {
  lab.faults([{ name: '*._domainkey.slow.example', latencyMs: 150 }]);
  try {
    const started = Date.now();
    const r = await run(lab.context(), 'slow.example');
    const elapsed = Date.now() - started;
    assert.ok(r.data.tried.length > 30);
    // Sequential would take tried × 150 ms (over 5 s); two parallel waves take about 300 ms.
    assert.ok(elapsed < 1500, `took ${elapsed} ms`);
  } finally {
    lab.faults([]);
  }
});
