import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './index.ts';
import { startAuthLab, SOA, type AuthLab } from '../../../test/auth-checks-lab.ts';

const ZONE = `$ORIGIN example.
${SOA}
brand A 192.0.2.1
_dmarc.brand TXT "v=DMARC1; p=reject; rua=mailto:d@brand.example"
default._bimi.brand TXT "v=BIMI1; l=https://brand.example/logo.svg; a=https://brand.example/vmc.pem"
news.brand A 192.0.2.1
lax A 192.0.2.2
_dmarc.lax TXT "v=DMARC1; p=none; rua=mailto:d@lax.example"
default._bimi.lax TXT "v=BIMI1; l=https://lax.example/logo.svg"
half A 192.0.2.3
_dmarc.half TXT "v=DMARC1; p=quarantine; pct=50"
default._bimi.half TXT "v=BIMI1; l=https://half.example/logo.svg; a=https://half.example/vmc.pem"
plain A 192.0.2.4
nope A 192.0.2.5
_dmarc.nope TXT "v=DMARC1; p=reject"
default._bimi.nope TXT "v=BIMI1; l=; a=;"
insecure A 192.0.2.6
_dmarc.insecure TXT "v=DMARC1; p=reject"
default._bimi.insecure TXT "v=BIMI1; l=http://insecure.example/logo.svg"
`;

let lab: AuthLab;
before(async () => { lab = await startAuthLab([ZONE]); });
after(() => lab.close());

const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id);
const check = (d: string) => run(lab.context(), d);

test('a BIMI record with DMARC at reject passes', async () => {
  const r = await check('brand.example');
  assert.equal(r.status, 'ok');
  assert.deepEqual(ids(r), ['bimi.found']);
  assert.equal(r.data.dmarcEnforced, true);
});

test('a subdomain falls back to the organizational domain\'s record', async () => {
  const r = await check('news.brand.example');
  assert.equal(r.data.name, 'default._bimi.brand.example');
  assert.ok(ids(r).includes('bimi.found'));
});

test('BIMI with DMARC p=none or pct<100 is flagged: logos are not shown', async () => {
  const lax = await check('lax.example');
  assert.ok(ids(lax).includes('bimi.dmarc-not-enforced'));
  assert.ok(ids(lax).includes('bimi.no-certificate'));
  assert.equal(lax.status, 'warn');
  const half = await check('half.example');
  assert.match(half.findings.find((f) => f.id === 'bimi.dmarc-not-enforced')!.detail, /pct=50/);
});

test('no record is info; a declination is info; an http logo is invalid', async () => {
  assert.deepEqual(ids(await check('plain.example')), ['bimi.missing']);
  assert.deepEqual(ids(await check('nope.example')), ['bimi.declined']);
  const insecure = await check('insecure.example');
  assert.ok(ids(insecure).includes('bimi.invalid'));
  assert.equal(insecure.status, 'error');
});

test('a failed lookup gives unknown, not missing; so does a DMARC failure behind a BIMI record', async () => {
  lab.faults([{ name: 'default._bimi.plain.example', action: 'servfail' }]);
  try {
    const r = await check('plain.example');
    assert.equal(r.status, 'unknown');
    assert.deepEqual(ids(r), ['bimi.lookup-failed']);
  } finally {
    lab.faults([]);
  }
  lab.faults([{ name: '_dmarc.brand.example', action: 'drop' }]);
  try {
    const r = await check('brand.example');
    assert.equal(r.status, 'unknown');
    assert.ok(ids(r).includes('bimi.dmarc-unknown'));
  } finally {
    lab.faults([]);
  }
});
