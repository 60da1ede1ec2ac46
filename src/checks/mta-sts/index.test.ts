import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { run, mtaStsCovers } from './index.ts';
import { createLabCa, type CertificateVariant, type LabCa } from '../../lab/tls.ts';
import { parseConnectMap } from '../../net/dialer/index.ts';
import { startAuthLab, SOA, type AuthLab } from '../../../test/auth-checks-lab.ts';

/** What the lab web server does for each mta-sts.<domain> host. */
interface Site { cert?: CertificateVariant; status?: number; body?: string; type?: string; location?: string; hang?: boolean }
const policy = (mode: string, mx: string[], maxAge = 604800) => [`version: STSv1`, `mode: ${mode}`, ...mx.map((m) => `mx: ${m}`), `max_age: ${maxAge}`].join('\r\n') + '\r\n';

const SITES: Record<string, Site> = {
  'good': { body: policy('enforce', ['*.good.example']) },
  'partial': { body: policy('enforce', ['mx1.partial.example']) },
  'trial': { body: policy('testing', ['mx1.trial.example'], 3600) },
  'expired': { cert: 'expired', body: policy('enforce', ['*.expired.example']) },
  'selfsigned': { cert: 'self-signed', body: policy('enforce', ['*.selfsigned.example']) },
  'wrongname': { cert: 'wrong-name', body: policy('enforce', ['*.wrongname.example']) },
  'gone': { status: 404, body: 'not found' },
  'moved': { status: 301, location: 'https://www.moved.example/mta-sts.txt', body: '' },
  'huge': { body: policy('enforce', ['*.huge.example']) + '#'.repeat(70 * 1024) },
  'html': { type: 'text/html', body: policy('enforce', ['*.html.example']) },
  'garbled': { body: 'version: STSv1\r\nmode: sometimes\r\nmax_age: 86400\r\n' },
  'slow': { hang: true },
  'faulty': { body: policy('enforce', ['*.faulty.example']) },
  'mxfault': { body: policy('enforce', ['*.mxfault.example']) },
};

function zone(): string {
  const lines = [`$ORIGIN example.`, SOA];
  for (const name of Object.keys(SITES)) {
    lines.push(`_mta-sts.${name} TXT "v=STSv1; id=20260101000000;"`, `mta-sts.${name} A 192.0.2.80`, `${name} MX 10 mx1.${name}.example.`, `mx1.${name} A 192.0.2.25`);
  }
  lines.push('partial MX 20 backup.partial.example.', 'trial MX 20 mx2.trial.example.');
  lines.push('plain MX 10 mx1.plain.example.');
  lines.push('_mta-sts.nohost TXT "v=STSv1; id=1;"', 'nohost MX 10 mx1.nohost.example.');
  lines.push('_mta-sts.twice TXT "v=STSv1; id=1;"', '_mta-sts.twice TXT "v=STSv1; id=2;"');
  lines.push('_mta-sts.badid TXT "v=STSv1; id=not-valid!;"');
  return lines.join('\n') + '\n';
}

let lab: AuthLab;
let ca: LabCa;
let server: https.Server;
let port = 0;

before(async () => {
  lab = await startAuthLab([zone()]);
  ca = await createLabCa();
  const contexts = new Map<string, tls.SecureContext>();
  for (const [name, site] of Object.entries(SITES)) {
    const cert = await ca.issue(site.cert ?? 'valid', [`mta-sts.${name}.example`]);
    contexts.set(`mta-sts.${name}.example`, tls.createSecureContext({ cert: cert!.certPem, key: cert!.keyPem }));
  }
  const fallback = await ca.issue('valid', ['fallback.example']);
  server = https.createServer({
    cert: fallback!.certPem, key: fallback!.keyPem,
    SNICallback: (servername, cb) => cb(null, contexts.get(servername)),
  }, (req, res) => {
    const site = SITES[(req.headers.host ?? '').replace(/^mta-sts\./, '').replace(/\.example$/, '')];
    if (!site || req.url !== '/.well-known/mta-sts.txt') return void res.writeHead(404).end();
    if (site.hang) return;
    res.writeHead(site.status ?? 200, { 'Content-Type': site.type ?? 'text/plain', ...(site.location ? { Location: site.location } : {}) });
    res.end(site.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await lab.close();
});

const context = (extra: { noProbe?: boolean; timeoutMs?: number } = {}) => lab.context({ ca: [ca.certPem], connectMap: parseConnectMap(`192.0.2.80:443=127.0.0.1:${port}`), ...extra });
const check = (domain: string, extra?: { noProbe?: boolean; timeoutMs?: number }) => run(context(extra), domain);
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id);
const get = <F extends { id: string }>(r: { findings: F[] }, id: string) => r.findings.find((f) => f.id === id);

test('an enforce policy with a valid certificate covering every MX passes', async () => {
  const r = await check('good.example');
  assert.equal(r.status, 'ok');
  assert.deepEqual(ids(r), ['mta-sts.record-found', 'mta-sts.policy-ok', 'mta-sts.mx-covered']);
  assert.equal(r.data.fetch?.certificate?.authorized, true);
  assert.equal(r.data.policy?.mode, 'enforce');
  assert.ok(mtaStsCovers(r.data.policy!, 'mx1.good.example'));
});

test('an MX the policy does not list is an error in enforce mode, a warning in testing', async () => {
  const r = await check('partial.example');
  const f = get(r, 'mta-sts.mx-not-covered')!;
  assert.equal(f.severity, 'error');
  assert.deepEqual(f.data?.uncovered, ['backup.partial.example']);
  assert.equal(r.status, 'error');
  const t = await check('trial.example');
  assert.equal(get(t, 'mta-sts.mx-not-covered')?.severity, 'warn');
  assert.ok(ids(t).includes('mta-sts.mode-testing'));
  assert.ok(ids(t).includes('mta-sts.max-age-short'));
});

test('invalid certificates on the policy host: expired, self-signed, wrong name', async () => {
  for (const name of ['expired', 'selfsigned', 'wrongname']) {
    const r = await check(`${name}.example`);
    const f = get(r, 'mta-sts.policy-cert-invalid');
    assert.equal(f?.severity, 'error', name);
    assert.equal(ids(r).includes('mta-sts.policy-ok'), false, name);
    assert.equal(r.status, 'error', name);
  }
  assert.match(get(await check('expired.example'), 'mta-sts.policy-cert-invalid')!.detail, /CERT_HAS_EXPIRED/);
});

test('HTTP errors: 404, a redirect (never followed), a body over 64 KB', async () => {
  const gone = await check('gone.example');
  assert.match(get(gone, 'mta-sts.policy-fetch-failed')!.detail, /HTTP 404/);
  const moved = await check('moved.example');
  assert.match(get(moved, 'mta-sts.policy-fetch-failed')!.detail, /redirect .* do not follow redirects/);
  const huge = await check('huge.example');
  assert.match(get(huge, 'mta-sts.policy-fetch-failed')!.detail, /64 KB/);
  assert.equal(huge.status, 'error');
});

test('a policy served as text/html warns; a garbled policy is invalid', async () => {
  assert.equal(get(await check('html.example'), 'mta-sts.policy-content-type')?.severity, 'warn');
  const garbled = await check('garbled.example');
  assert.match(get(garbled, 'mta-sts.policy-invalid')!.detail, /mode: sometimes/);
});

test('TXT problems: none, two records, a bad id, a policy host that does not resolve', async () => {
  assert.deepEqual(ids(await check('plain.example')), ['mta-sts.missing']);
  assert.deepEqual(ids(await check('twice.example')), ['mta-sts.multiple-records']);
  assert.deepEqual(ids(await check('badid.example')), ['mta-sts.record-invalid']);
  const nohost = await check('nohost.example');
  assert.ok(ids(nohost).includes('mta-sts.policy-host-missing'));
});

test('--no-probe skips the HTTPS fetch and says so', async () => {
  const r = await check('good.example', { noProbe: true });
  assert.deepEqual(ids(r), ['mta-sts.record-found', 'mta-sts.probe-skipped']);
  assert.equal(r.data.fetch, null);
  assert.notEqual(r.status, 'ok');
});

test('a policy server that never answers times out: unknown, not ok', async () => {
  const started = Date.now();
  const r = await check('slow.example', { timeoutMs: 600 });
  assert.ok(Date.now() - started < 3000);
  assert.equal(r.data.fetch?.outcome, 'timeout');
  assert.ok(ids(r).includes('mta-sts.policy-unreachable'));
  assert.equal(r.status, 'unknown');
});

test('DNS faults in the middle: the TXT, the policy host, the MX lookup — each gives unknown', async () => {
  const cases: [string, string, 'servfail' | 'drop'][] = [
    ['_mta-sts.faulty.example', 'TXT', 'servfail'],
    ['mta-sts.faulty.example', 'A', 'servfail'],
    ['mxfault.example', 'MX', 'drop'],
  ];
  for (const [name, type, action] of cases) {
    lab.faults([{ name, type: type as 'TXT', action }]);
    try {
      const r = await check(name.includes('mxfault') ? 'mxfault.example' : 'faulty.example');
      assert.equal(r.status, 'unknown', `${name} ${type}`);
      assert.ok(ids(r).includes('mta-sts.lookup-failed'), `${name} ${type}: ${ids(r).join(',')}`);
      assert.equal(ids(r).includes('mta-sts.mx-covered'), false);
    } finally {
      lab.faults([]);
    }
  }
  assert.equal((await check('faulty.example')).status, 'ok');
  assert.equal((await check('mxfault.example')).status, 'ok');
});
