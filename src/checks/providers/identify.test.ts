import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identifyProviders, type ProviderFacts } from './identify.ts';

const cases: Array<{ name: string; facts: ProviderFacts; mail?: string[]; dns?: string[]; web?: string[]; mailboxHost?: string | null; gateway?: string | null; unmatchedMx?: string[] }> = [
  {
    name: 'Microsoft 365 tenant MX and SPF include',
    facts: { mx: ['acme-example.mail.protection.outlook.com.'], spfIncludes: ['spf.protection.outlook.com'] },
    mail: ['microsoft365'], mailboxHost: 'microsoft365', gateway: null, unmatchedMx: [],
  },
  {
    name: 'Microsoft 365 DNSSEC-era MX (mx.microsoft)',
    facts: { mx: ['acme-example.r-v1.mx.microsoft'] },
    mail: ['microsoft365'], mailboxHost: 'microsoft365',
  },
  {
    name: 'Google Workspace, old and new MX names, upper case',
    facts: { mx: ['ASPMX.L.GOOGLE.COM', 'alt1.aspmx.l.google.com', 'smtp.google.com'] },
    mail: ['google-workspace'], mailboxHost: 'google-workspace',
  },
  {
    name: 'Mimecast gateway hides Microsoft 365, found through SPF',
    facts: { mx: ['eu-smtp-inbound-1.mimecast.com'], spfIncludes: ['eu._netblocks.mimecast.com', 'spf.protection.outlook.com'] },
    mail: ['mimecast', 'microsoft365'], mailboxHost: 'microsoft365', gateway: 'mimecast',
  },
  {
    name: 'ESPs are senders, not mailbox hosts',
    facts: { mx: ['mx.self-hosted.example'], spfIncludes: ['sendgrid.net', 'servers.mcsv.net', 'spf.mandrillapp.com'] },
    mail: ['sendgrid', 'mailchimp', 'mandrill'], mailboxHost: null, gateway: null, unmatchedMx: ['mx.self-hosted.example'],
  },
  {
    name: 'a look-alike name is not the provider (suffix needs a label boundary)',
    facts: { mx: ['mail.notoutlook.com', 'evilgoogle.com'], spfIncludes: ['fakesendgrid.net'] },
    mail: [], mailboxHost: null, unmatchedMx: ['mail.notoutlook.com', 'evilgoogle.com'],
  },
  {
    name: 'placeholder includes become patterns (HubSpot, AppRiver)',
    facts: { spfIncludes: ['1234567.spf04.hubspotemail.net', 'acme-com.spf.smtp25.com'] },
    mail: ['hubspot', 'appriver'],
  },
  {
    name: 'Amazon SES include names SES only, not WorkMail or Resend',
    facts: { spfIncludes: ['amazonses.com'] },
    mail: ['amazon-ses'],
  },
  {
    name: 'DNS hosts from NS: GoDaddy and Cloudflare',
    facts: { ns: ['ns41.domaincontrol.com', 'NS42.DOMAINCONTROL.COM.'] },
    dns: ['godaddy'],
  },
  {
    name: 'Route 53 NS by pattern',
    facts: { ns: ['ns-123.awsdns-45.net', 'ns-900.awsdns-12.co.uk'] },
    dns: ['route53'],
  },
  {
    name: 'Cloudflare NS',
    facts: { ns: ['alice.ns.cloudflare.com', 'bob.ns.cloudflare.com'] },
    dns: ['cloudflare'],
  },
  {
    name: 'unknown NS matches nothing',
    facts: { ns: ['ns1.acme.example'] },
    dns: [],
  },
  {
    name: 'web host from CNAME, address and headers',
    facts: { webNames: ['acme.github.io'], webAddresses: ['76.76.21.21'], httpHeaders: { Server: 'cloudflare', 'CF-RAY': 'abc' } },
    web: ['cloudflare', 'vercel', 'github-pages'],
  },
  {
    name: 'header values: equals is exact, includes is a substring',
    facts: { httpHeaders: { server: 'nginx', 'powered-by': 'Shopify Inc' } },
    web: ['shopify'],
  },
];

for (const c of cases) {
  test(`identifyProviders: ${c.name}`, () => {
    const got = identifyProviders(c.facts);
    if (c.mail) assert.deepEqual(got.mail.map((m) => m.id).sort(), [...c.mail].sort());
    if (c.dns) assert.deepEqual(got.dns.map((m) => m.id), c.dns);
    if (c.web) assert.deepEqual(got.web.map((m) => m.id).sort(), [...c.web].sort());
    if (c.mailboxHost !== undefined) assert.equal(got.mailboxHost, c.mailboxHost);
    if (c.gateway !== undefined) assert.equal(got.gateway, c.gateway);
    if (c.unmatchedMx) assert.deepEqual(got.unmatchedMx, c.unmatchedMx);
  });
}

test('matches carry their evidence, setup pages and the SPF include to publish', () => {
  const got = identifyProviders({ mx: ['acme-example.mail.protection.outlook.com'], ns: ['ns1.domaincontrol.com'] });
  const m365 = got.mail[0]!;
  assert.deepEqual(m365.evidence, [{ source: 'mx', value: 'acme-example.mail.protection.outlook.com' }]);
  assert.equal(m365.spfInclude, 'spf.protection.outlook.com');
  assert.match(m365.docs.spf ?? '', /^https:\/\/learn\.microsoft\.com\//);
  assert.deepEqual(m365.dkimSelectors, ['selector1', 'selector2']);
  assert.match(got.dns[0]!.docs.records ?? '', /godaddy\.com/);
});

test('MX-matched providers come first', () => {
  const got = identifyProviders({ mx: ['mx1.privateemail.com'], spfIncludes: ['_spf.google.com', 'spf.privateemail.com'] });
  assert.equal(got.mail[0]!.id, 'namecheap-privateemail');
  assert.equal(got.mailboxHost, 'namecheap-privateemail');
});
