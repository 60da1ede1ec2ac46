import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { run, effectivePolicy, nonexistentName } from './index.ts';
import { startAuthLab, SOA, type AuthLab } from '../../../test/auth-checks-lab.ts';

const EXAMPLE = `$ORIGIN example.
${SOA}
acme A 192.0.2.1
_dmarc.acme TXT "v=DMARC1; p=reject; rua=mailto:dmarc@acme.example"
www.acme A 192.0.2.1
none A 192.0.2.2
_dmarc.none TXT "v=DMARC1; p=none; np=reject; rua=mailto:dmarc@none.example"
missing A 192.0.2.3
weaksub A 192.0.2.4
_dmarc.weaksub TXT "v=DMARC1; p=reject; sp=none; rua=mailto:d@weaksub.example"
partial A 192.0.2.5
_dmarc.partial TXT "v=DMARC1; p=quarantine; pct=25; rua=mailto:d@partial.example"
twice A 192.0.2.6
_dmarc.twice TXT "v=DMARC1; p=reject"
_dmarc.twice TXT "v=DMARC1; p=none"
badp A 192.0.2.7
_dmarc.badp TXT "v=DMARC1; p=block; rua=dmarc@badp.example"
order A 192.0.2.8
_dmarc.order TXT "p=reject; v=DMARC1"
old A 192.0.2.9
_dmarc.old TXT "v=DMARC1; p=reject; rf=afrf; ri=3600; rua=mailto:d@old.example"
testing A 192.0.2.10
_dmarc.testing TXT "v=DMARC1; p=reject; t=y; rua=mailto:d@testing.example"
ext A 192.0.2.11
_dmarc.ext TXT "v=DMARC1; p=reject; rua=mailto:a@direct.test,mailto:b@wild.test,mailto:c@alias.test; ruf=mailto:d@nobody.test"
faulty A 192.0.2.12
www.faulty A 192.0.2.12
_dmarc.faulty TXT "v=DMARC1; p=reject; rua=mailto:d@faulty.example"
slowreports A 192.0.2.13
_dmarc.slowreports TXT "v=DMARC1; p=reject; rua=mailto:a@slow.test"
`;
const REPORTS = `$ORIGIN test.
${SOA}
ext.example._report._dmarc.direct TXT "v=DMARC1;"
*._report._dmarc.wild TXT "v=DMARC1"
ext.example._report._dmarc.alias CNAME auth.alias.test.
auth.alias TXT "v=DMARC1; "
nobody A 192.0.2.50
slowreports.example._report._dmarc.slow TXT "v=DMARC1"
`;
const UK = `$ORIGIN uk.
${SOA}
_dmarc.co TXT "v=DMARC1; p=reject; psd=y"
unguarded.co A 192.0.2.30
brand.co A 192.0.2.31
_dmarc.brand.co TXT "v=DMARC1; p=quarantine; sp=reject; rua=mailto:d@brand.co.uk"
mail.brand.co A 192.0.2.31
`;

let lab: AuthLab;
before(async () => { lab = await startAuthLab([EXAMPLE, REPORTS, UK]); });
after(() => lab.close());

const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id);
const get = <F extends { id: string }>(r: { findings: F[] }, id: string) => r.findings.find((f) => f.id === id);
const check = (domain: string) => run(lab.context(), domain);

test('an enforced record passes: found, reject for both readings, effective policy enforced', async () => {
  const r = await check('acme.example');
  assert.equal(r.status, 'ok');
  assert.ok(ids(r).includes('dmarc.record-found'));
  for (const bad of ['dmarc.missing', 'dmarc.policy-none', 'dmarc.sp-weaker', 'dmarc.pct-partial', 'dmarc.readings-differ', 'dmarc.lookup-failed', 'dmarc.invalid', 'dmarc.multiple-records']) {
    assert.equal(ids(r).includes(bad), false, bad);
  }
  assert.equal(r.data.readings.rfc7489.domain.policy, 'reject');
  assert.equal(r.data.readings.rfc9989.domain.policy, 'reject');
  assert.equal(r.data.readings.rfc9989.nonexistentSubdomain.policy, 'reject');
  assert.deepEqual(effectivePolicy(r.data), { known: true, policy: 'reject', enforced: true, nonexistentSubdomainPolicy: 'reject' });
  assert.equal(r.data.readings.nonexistentName, nonexistentName('acme.example'));
  assert.equal(r.data.readings.nonexistentOutcome, 'nxdomain');
  assert.ok(get(r, 'dmarc.record-found')!.dns!.length > 0);
});

test('a subdomain inherits the organizational domain\'s policy', async () => {
  const r = await check('www.acme.example');
  assert.equal(r.data.published?.domain, 'acme.example');
  assert.equal(r.data.published?.inherited, true);
  assert.equal(r.data.readings.rfc7489.domain.recordDomain, 'acme.example');
  assert.equal(effectivePolicy(r.data).enforced, true);
});

test('no record: dmarc.missing with the record to publish', async () => {
  const r = await check('missing.example');
  const f = get(r, 'dmarc.missing')!;
  assert.equal(f.severity, 'error');
  assert.equal(f.fix?.dns?.[0]?.name, '_dmarc.missing.example');
  assert.equal(r.status, 'error');
  assert.deepEqual(effectivePolicy(r.data), { known: true, policy: null, enforced: false, nonexistentSubdomainPolicy: null });
});

test('p=none with np=reject: policy-none, and the two receivers read a non-existent subdomain differently', async () => {
  const r = await check('none.example');
  assert.equal(get(r, 'dmarc.policy-none')?.severity, 'warn');
  const nx = r.data.readings;
  assert.equal(nx.rfc7489.nonexistentSubdomain.policy, 'none');
  assert.equal(nx.rfc9989.nonexistentSubdomain.policy, 'reject');
  assert.equal(nx.rfc9989.nonexistentSubdomain.tag, 'np');
  assert.equal(nx.rfc7489.domain.policy, 'none');
  assert.equal(nx.rfc9989.domain.policy, 'none');
  const differ = r.findings.filter((f) => f.id === 'dmarc.readings-differ');
  assert.equal(differ.length, 1);
  assert.match(differ[0]!.detail, /RFC 7489 receivers: none .* RFC 9989 receivers: reject/);
  assert.equal(effectivePolicy(r.data).enforced, false);
});

test('a public suffix record with psd=y: the domain has no record of its own, only 9989 receivers apply the suffix\'s policy', async () => {
  const r = await check('unguarded.co.uk');
  assert.ok(ids(r).includes('dmarc.missing'));
  assert.match(get(r, 'dmarc.missing')!.detail, /public suffix co\.uk/);
  assert.equal(r.data.readings.rfc7489.domain.outcome, 'no-policy');
  assert.equal(r.data.readings.rfc9989.domain.policy, 'reject');
  assert.equal(r.data.readings.rfc9989.domain.orgDomain, 'unguarded.co.uk');
  assert.equal(get(r, 'dmarc.readings-differ')?.severity, 'warn');
  assert.equal(effectivePolicy(r.data).policy, null);
});

test('under a multi-label public suffix (co.uk) the PSL and the tree walk agree on brand.co.uk', async () => {
  const r = await check('mail.brand.co.uk');
  assert.equal(r.data.readings.rfc7489.domain.orgDomain, 'brand.co.uk');
  assert.equal(r.data.readings.rfc9989.domain.orgDomain, 'brand.co.uk');
  assert.equal(r.data.readings.rfc7489.domain.policy, 'reject');
  assert.equal(r.data.readings.rfc9989.domain.policy, 'reject');
  assert.equal(r.data.published?.domain, 'brand.co.uk');
  assert.equal(ids(r).includes('dmarc.readings-differ'), false);
});

test('sp=none under p=reject is flagged as sp-weaker, not as p=none', async () => {
  const r = await check('weaksub.example');
  assert.equal(get(r, 'dmarc.sp-weaker')?.severity, 'warn');
  assert.equal(ids(r).includes('dmarc.policy-none'), false);
  assert.equal(r.data.readings.rfc7489.nonexistentSubdomain.policy, 'none');
  assert.equal(effectivePolicy(r.data).policy, 'reject');
  assert.equal(effectivePolicy(r.data).nonexistentSubdomainPolicy, 'none');
});

test('pct below 100 is partial enforcement for RFC 7489 receivers, and a removed tag for RFC 9989', async () => {
  const r = await check('partial.example');
  assert.equal(get(r, 'dmarc.pct-partial')?.severity, 'warn');
  assert.ok(ids(r).includes('dmarc.removed-tags'));
  assert.equal(effectivePolicy(r.data).enforced, false);
  assert.match(get(r, 'dmarc.readings-differ')!.detail, /quarantine for 25% of failing mail/);
});

test('rf and ri are noted as removed under RFC 9989', async () => {
  const r = await check('old.example');
  assert.equal(get(r, 'dmarc.removed-tags')?.severity, 'info');
  assert.equal(r.status, 'ok');
});

test('t=y: RFC 9989 receivers soften reject to quarantine', async () => {
  const r = await check('testing.example');
  assert.equal(get(r, 'dmarc.testing')?.severity, 'warn');
  assert.equal(r.data.readings.rfc9989.domain.policy, 'quarantine');
  assert.equal(r.data.readings.rfc7489.domain.policy, 'reject');
});

test('two records: multiple-records error and no policy', async () => {
  const r = await check('twice.example');
  assert.equal(get(r, 'dmarc.multiple-records')?.severity, 'error');
  assert.equal(r.data.readings.rfc7489.domain.outcome, 'no-policy');
  assert.equal(ids(r).includes('dmarc.missing'), false);
});

test('invalid p and a bare address in rua are invalid; v=DMARC1 not first is discarded', async () => {
  const bad = await check('badp.example');
  const invalid = bad.findings.filter((f) => f.id === 'dmarc.invalid').map((f) => f.data?.tag);
  assert.deepEqual(invalid.sort(), ['p', 'rua']);
  // no valid rua either, so receivers apply no DMARC at all
  assert.equal(bad.data.readings.rfc7489.domain.outcome, 'no-policy');
  const order = await check('order.example');
  assert.equal(get(order, 'dmarc.invalid')?.data?.tag, 'v');
  assert.ok(ids(order).includes('dmarc.missing'));
});

test('external report destinations: direct, wildcard and CNAME authorizations count; a missing one does not', async () => {
  const r = await check('ext.example');
  const byHost = Object.fromEntries(r.data.reportDestinations.map((d) => [d.host, d.authorization]));
  assert.deepEqual(byHost, { 'direct.test': 'authorized', 'wild.test': 'authorized', 'alias.test': 'authorized', 'nobody.test': 'unauthorized' });
  const unauthorized = r.findings.filter((f) => f.id === 'dmarc.external-report-unauthorized');
  assert.equal(unauthorized.length, 1);
  assert.match(unauthorized[0]!.detail, /ext\.example\._report\._dmarc\.nobody\.test/);
  assert.ok(r.data.reportDestinations.find((d) => d.host === 'alias.test')?.cnames?.includes('auth.alias.test'));
  const own = await check('acme.example');
  assert.deepEqual(own.data.reportDestinations.map((d) => d.authorization), ['not-needed']);
});

test('SERVFAIL at _dmarc gives unknown, never missing', async () => {
  lab.faults([{ name: '_dmarc.missing.example', action: 'servfail' }]);
  try {
    const r = await check('missing.example');
    assert.equal(r.status, 'unknown');
    assert.ok(ids(r).includes('dmarc.lookup-failed'));
    assert.equal(ids(r).includes('dmarc.missing'), false);
    assert.equal(effectivePolicy(r.data).known, false);
  } finally {
    lab.faults([]);
  }
});

test('a timeout at the organizational domain, in the middle of the walk, gives unknown for a subdomain', async () => {
  lab.faults([{ name: '_dmarc.faulty.example', action: 'drop' }]);
  try {
    const r = await check('www.faulty.example');
    assert.equal(r.status, 'unknown');
    assert.equal(r.data.readings.rfc7489.domain.outcome, 'unknown');
    assert.equal(r.data.readings.rfc9989.domain.outcome, 'unknown');
    assert.equal(ids(r).includes('dmarc.missing'), false);
  } finally {
    lab.faults([]);
  }
  const healthy = await check('www.faulty.example');
  assert.equal(healthy.status, 'ok');
});

test('a failed report-authorization lookup gives unknown, not unauthorized', async () => {
  lab.faults([{ name: '*._report._dmarc.slow.test', action: 'servfail' }]);
  try {
    const r = await check('slowreports.example');
    assert.equal(r.data.reportDestinations[0]?.authorization, 'unknown');
    assert.equal(ids(r).includes('dmarc.external-report-unauthorized'), false);
    assert.equal(r.status, 'unknown');
  } finally {
    lab.faults([]);
  }
  assert.equal((await check('slowreports.example')).data.reportDestinations[0]?.authorization, 'authorized');
});
