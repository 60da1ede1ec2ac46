import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupFromTxt, nextWalkTarget, selectOrgDomain, treeWalk, type Existence, type FetchRecord } from './discovery.ts';
import { readAs7489, readAs9989 } from './readings.ts';

/** A table of `_dmarc` TXT per name; 'servfail' simulates a failed lookup. Names not listed have none. */
function table(entries: Record<string, string[] | 'servfail'>): { fetch: FetchRecord; asked: string[] } {
  const asked: string[] = [];
  const fetch: FetchRecord = async (domain) => {
    asked.push(domain);
    const e = entries[domain];
    if (e === 'servfail') return lookupFromTxt(domain, 'servfail', asked.length, []);
    return lookupFromTxt(domain, e ? 'answer' : 'nxdomain', asked.length, e ?? []);
  };
  return { fetch, asked };
}
const exists = (value: boolean | null): (() => Promise<Existence>) => async () => ({ exists: value, dns: 99, outcome: value === null ? 'timeout' : value ? 'answer' : 'nxdomain' });

test('tree walk targets: one label at a time, eight or more labels jump to seven (RFC 9989 4.10)', () => {
  assert.equal(nextWalkTarget('a.b.example.com'), 'b.example.com');
  assert.equal(nextWalkTarget('com'), null);
  assert.equal(nextWalkTarget('1.2.3.4.5.6.7.8.9.example'), '4.5.6.7.8.9.example');
  assert.equal(nextWalkTarget('2.3.4.5.6.7.8'), '3.4.5.6.7.8');
});

test('tree walk makes at most eight lookups', async () => {
  const t = table({});
  const walk = await treeWalk('1.2.3.4.5.6.7.8.9.10.example', t.fetch);
  assert.equal(walk.steps.length, 8);
  assert.deepEqual(t.asked, ['1.2.3.4.5.6.7.8.9.10.example', '5.6.7.8.9.10.example', '6.7.8.9.10.example', '7.8.9.10.example', '8.9.10.example', '9.10.example', '10.example', 'example']);
});

test('tree walk stops at psd=n and psd=y, and at a failure', async () => {
  const t = table({ 'b.example.com': ['v=DMARC1; p=reject; psd=n'], 'example.com': ['v=DMARC1; p=none'] });
  const walk = await treeWalk('a.b.example.com', t.fetch);
  assert.deepEqual(t.asked, ['a.b.example.com', 'b.example.com']);
  assert.equal(selectOrgDomain('a.b.example.com', walk.found), 'b.example.com');
  const f = table({ 'b.example.com': 'servfail' });
  const failedWalk = await treeWalk('a.b.example.com', f.fetch);
  assert.equal(failedWalk.failure?.domain, 'b.example.com');
});

test('organizational domain: fewest labels with a record; one below a psd=y; the name itself when nothing', async () => {
  const fewest = table({ 'b.example.com': ['v=DMARC1; p=none'], 'example.com': ['v=DMARC1; p=reject'] });
  assert.equal(selectOrgDomain('a.b.example.com', (await treeWalk('a.b.example.com', fewest.fetch)).found), 'example.com');
  const psd = table({ 'gov.example': ['v=DMARC1; p=reject; psd=y'] });
  assert.equal(selectOrgDomain('mail.agency.gov.example', (await treeWalk('mail.agency.gov.example', psd.fetch)).found), 'agency.gov.example');
  assert.equal(selectOrgDomain('x.example', []), 'x.example');
});

interface Row {
  name: string;
  records: Record<string, string[] | 'servfail'>;
  domain: string;
  exists?: boolean | null;
  r7489: [string, string | null, string | null];
  r9989: [string, string | null, string | null];
}

const rows: Row[] = [
  { name: 'own record: both read p', records: { 'acme.example': ['v=DMARC1; p=reject'] }, domain: 'acme.example', r7489: ['policy', 'reject', 'p'], r9989: ['policy', 'reject', 'p'] },
  { name: 'subdomain inherits sp from the organizational domain', records: { 'acme.example': ['v=DMARC1; p=reject; sp=quarantine'] }, domain: 'shop.acme.example', exists: true, r7489: ['policy', 'quarantine', 'sp'], r9989: ['policy', 'quarantine', 'sp'] },
  { name: 'np=reject with p=none: 9989 applies np to a name that does not exist, 7489 does not know np', records: { 'acme.example': ['v=DMARC1; p=none; np=reject'] }, domain: 'nx.acme.example', exists: false, r7489: ['policy', 'none', 'p'], r9989: ['policy', 'reject', 'np'] },
  { name: 'np does not apply to a name that exists', records: { 'acme.example': ['v=DMARC1; p=none; np=reject'] }, domain: 'www.acme.example', exists: true, r7489: ['policy', 'none', 'p'], r9989: ['policy', 'none', 'p'] },
  { name: 'a public suffix record with psd=y: only 9989 receivers use it', records: { 'co.uk': ['v=DMARC1; p=reject; psd=y'] }, domain: 'acme.co.uk', r7489: ['no-policy', null, null], r9989: ['policy', 'reject', 'p'] },
  { name: 'under a multi-label public suffix the PSL finds the organizational domain', records: { 'acme.co.uk': ['v=DMARC1; p=quarantine; sp=reject'] }, domain: 'mail.acme.co.uk', exists: true, r7489: ['policy', 'reject', 'sp'], r9989: ['policy', 'reject', 'sp'] },
  { name: 'a record on an intermediate name: 7489 ignores it, the tree walk uses the one with fewest labels', records: { 'eu.acme.example': ['v=DMARC1; p=reject'], 'acme.example': ['v=DMARC1; p=none'] }, domain: 'mail.eu.acme.example', exists: true, r7489: ['policy', 'none', 'p'], r9989: ['policy', 'none', 'p'] },
  { name: 'an intermediate record with psd=n is the organizational domain for 9989', records: { 'eu.acme.example': ['v=DMARC1; p=reject; psd=n'], 'acme.example': ['v=DMARC1; p=none'] }, domain: 'mail.eu.acme.example', exists: true, r7489: ['policy', 'none', 'p'], r9989: ['policy', 'reject', 'p'] },
  { name: 't=y softens one step for 9989; pct kept for 7489', records: { 'acme.example': ['v=DMARC1; p=reject; t=y; pct=50'] }, domain: 'acme.example', r7489: ['policy', 'reject', 'p'], r9989: ['policy', 'quarantine', 'p'] },
  { name: 'two records: no DMARC for 7489; 9989 discards them and walks on', records: { 'acme.example': ['v=DMARC1; p=reject', 'v=DMARC1; p=none'], 'example': ['v=DMARC1; p=quarantine; psd=y'] }, domain: 'acme.example', r7489: ['no-policy', null, null], r9989: ['policy', 'quarantine', 'p'] },
  { name: 'invalid p with rua acts as none; without rua no DMARC', records: { 'acme.example': ['v=DMARC1; p=bogus; rua=mailto:d@acme.example'], 'other.example': ['v=DMARC1; p=bogus'] }, domain: 'acme.example', r7489: ['policy', 'none', 'p'], r9989: ['policy', 'none', 'p'] },
  { name: 'nothing anywhere', records: {}, domain: 'acme.example', r7489: ['no-policy', null, null], r9989: ['no-policy', null, null] },
  { name: 'failure at the name is unknown for both', records: { 'acme.example': 'servfail' }, domain: 'acme.example', r7489: ['unknown', null, null], r9989: ['unknown', null, null] },
  { name: 'failure at the organizational domain is unknown for a subdomain', records: { 'acme.example': 'servfail' }, domain: 'www.acme.example', exists: true, r7489: ['unknown', null, null], r9989: ['unknown', null, null] },
  { name: 'failure above an own record does not matter', records: { 'acme.example': 'servfail', 'www.acme.example': ['v=DMARC1; p=reject'] }, domain: 'www.acme.example', r7489: ['policy', 'reject', 'p'], r9989: ['policy', 'reject', 'p'] },
  { name: 'existence unknown while np differs: unknown for 9989', records: { 'acme.example': ['v=DMARC1; p=none; np=reject'] }, domain: 'nx.acme.example', exists: null, r7489: ['policy', 'none', 'p'], r9989: ['unknown', null, null] },
];

for (const row of rows) {
  test(`readings: ${row.name}`, async () => {
    const t = table(row.records);
    const a = await readAs7489(row.domain, t.fetch);
    const b = await readAs9989(row.domain, t.fetch, exists(row.exists === undefined ? true : row.exists));
    assert.deepEqual([a.outcome, a.policy, a.tag], row.r7489, `7489: ${a.why}`);
    assert.deepEqual([b.outcome, b.policy, b.tag], row.r9989, `9989: ${b.why}`);
    assert.ok(a.why.length > 10 && b.why.length > 10);
  });
}

test('reading explanations name the record and the rule', async () => {
  const t = table({ 'co.uk': ['v=DMARC1; p=reject; psd=y'] });
  const b = await readAs9989('acme.co.uk', t.fetch, exists(true));
  assert.match(b.why, /public suffix co\.uk \(psd=y\)/);
  assert.equal(b.orgDomain, 'acme.co.uk');
  const a = await readAs7489('acme.co.uk', t.fetch);
  assert.match(a.why, /no DMARC record at _dmarc\.acme\.co\.uk/);
  const pct = await readAs7489('acme.example', table({ 'acme.example': ['v=DMARC1; p=quarantine; pct=20'] }).fetch);
  assert.equal(pct.pct, 20);
  assert.match(pct.why, /20% of failing mail/);
});
