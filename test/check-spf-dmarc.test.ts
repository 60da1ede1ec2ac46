/** A permissive SPF ending weighed against the DMARC policy (Fastmail documents `?all`). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { runDomainChecks } from '../src/checks/index.ts';
import { startAuthLab } from './auth-checks-lab.ts';

const zone = (name: string, dmarc: string) => `$ORIGIN ${name}.
@ SOA ns hostmaster 1 3600 600 86400 60
@ MX 10 in1-smtp.messagingengine.com.
@ TXT "v=spf1 include:spf.messagingengine.com ?all"
_dmarc TXT "${dmarc}"
`;
const lab = await startAuthLab([
  zone('enforced.test', 'v=DMARC1; p=reject; rua=mailto:d@enforced.test'),
  zone('monitoring.test', 'v=DMARC1; p=none; rua=mailto:d@monitoring.test'),
  '$ORIGIN spf.messagingengine.com.\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ TXT "v=spf1 ip4:66.111.4.0/24 ?all"\n',
  // The parent zone, so RFC 9989's tree walk gets NXDOMAIN above the domain, as on the internet.
  '$ORIGIN test.\n@ SOA ns hostmaster 1 3600 600 86400 60\n',
]);
after(() => lab.close());

const neutralAll = async (domain: string) => {
  const checks = await runDomainChecks(lab.context({ noProbe: true }), domain, { skip: ['blocklists', 'dkim', 'bimi', 'mta-sts', 'tls-rpt', 'dane', 'ptr', 'providers'] });
  return checks.spf!.findings.find((f) => f.id === 'spf.neutral-all');
};

test('?all under an enforced DMARC policy is information: receivers refuse forgeries anyway', async () => {
  const f = await neutralAll('enforced.test');
  assert.equal(f?.severity, 'info');
  assert.match(f!.detail, /DMARC policy is enforced/);
});

test('?all without DMARC enforcement stays a warning', async () => {
  assert.equal((await neutralAll('monitoring.test'))?.severity, 'warn');
});
