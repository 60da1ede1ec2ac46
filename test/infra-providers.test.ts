/** Provider identification from live lab DNS: MX, nested SPF includes, NS, web CNAME; and faults. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAuthLab, SOA, type AuthLab } from './auth-checks-lab.ts';
import { run as runProviders } from '../src/checks/providers/index.ts';

const ACME = `$ORIGIN acme.test.
${SOA}
@ NS ns41.domaincontrol.com.
@ NS ns42.domaincontrol.com.
@ MX 0 acme-test.mail.protection.outlook.com.
@ TXT "v=spf1 include:_spf.acme.test -all"
_spf TXT "v=spf1 ip4:192.0.2.10 include:spf.protection.outlook.com -all"
@ A 203.0.113.80
www CNAME acme.github.io.
sub MX 10 aspmx.l.google.com.
sub TXT "v=spf1 mx -all"
gw MX 10 eu-smtp-inbound-1.mimecast.com.
gw TXT "v=spf1 include:eu._netblocks.mimecast.com include:spf.protection.outlook.com ~all"
`;
const OUTLOOK = `$ORIGIN outlook.com.
${SOA}
spf.protection TXT "v=spf1 ip4:40.92.0.0/15 -all"
`;
const MIMECAST = `$ORIGIN mimecast.com.
${SOA}
eu._netblocks TXT "v=spf1 ip4:195.130.217.0/24 ~all"
`;
const GITHUB = `$ORIGIN github.io.
${SOA}
acme A 185.199.108.153
`;

let lab: AuthLab;
before(async () => { lab = await startAuthLab([ACME, OUTLOOK, MIMECAST, GITHUB], '127.0.0.1'); });
after(() => lab.close());

test('Microsoft 365 mail via MX and a nested SPF include, GoDaddy DNS, GitHub Pages web', async () => {
  lab.faults([]);
  const r = await runProviders(lab.context(), 'acme.test');
  assert.equal(r.status, 'info');
  assert.equal(r.data.mailboxHost, 'microsoft365');
  assert.deepEqual(r.data.mail[0]!.evidence.map((e) => e.source).sort(), ['mx', 'spf']);
  assert.deepEqual(r.data.dns.map((d) => d.id), ['godaddy']);
  assert.deepEqual(r.data.web.map((w) => w.id), ['github-pages']);
  assert.deepEqual(r.data.facts.spfIncludes, ['_spf.acme.test', 'spf.protection.outlook.com']);
  assert.deepEqual(r.data.ownSpfAddresses, ["192.0.2.10"], "single addresses from the domain's own records only");
  assert.deepEqual(r.findings.map((f) => f.id), ['providers.identified']);
  assert.match(r.findings[0]!.title, /Microsoft 365.*GoDaddy.*GitHub Pages/);
});

test('mail hosted at Google with no Google include in SPF: a warning with the record to publish', async () => {
  lab.faults([]);
  const r = await runProviders(lab.context(), 'sub.acme.test');
  const f = r.findings.find((x) => x.id === 'providers.spf-missing-include');
  assert.ok(f, 'finding present');
  assert.equal(f.severity, 'warn');
  assert.deepEqual(f.fix!.dns, [{ name: 'sub.acme.test', type: 'TXT', value: 'v=spf1 mx include:_spf.google.com -all' }]);
  assert.match(f.fix!.links![0]!, /^https:\/\/support\.google\.com\//);
  assert.deepEqual(r.data.dns.map((d) => d.id), ['godaddy'], 'NS found at the registrable domain');
});

test('a filtering gateway in MX, the mailbox host behind it from SPF', async () => {
  lab.faults([]);
  const r = await runProviders(lab.context(), 'gw.acme.test');
  assert.equal(r.data.gateway, 'mimecast');
  assert.equal(r.data.mailboxHost, 'microsoft365');
  assert.ok(!r.findings.some((f) => f.id === 'providers.spf-missing-include'));
});

test('a failed include lookup makes the result unknown and suppresses the missing-include guess', async () => {
  lab.faults([{ name: '_spf.acme.test', type: 'TXT', action: 'servfail' }]);
  const r = await runProviders(lab.context(), 'acme.test');
  assert.equal(r.status, 'unknown');
  assert.deepEqual(r.findings.map((f) => f.id).sort(), ['providers.identified', 'providers.lookup-failed']);
  assert.equal(r.data.mailboxHost, 'microsoft365', 'MX still identifies the host');
});

test('a timeout on the NS lookup makes the result unknown, never a confident "no DNS host"', async () => {
  lab.faults([{ name: 'acme.test', type: 'NS', action: 'drop' }]);
  const r = await runProviders(lab.context(), 'acme.test');
  lab.faults([]);
  assert.equal(r.status, 'unknown');
  assert.ok(r.findings.some((f) => f.id === 'providers.lookup-failed'));
  assert.deepEqual(r.data.dns, []);
});
