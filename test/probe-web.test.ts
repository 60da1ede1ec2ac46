/**
 * The web check against lab HTTP and HTTPS servers on loopback, reached through the connect map
 * from TEST-NET addresses in the lab zone.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Lab, SOA, listen } from './probe-lab.ts';
import { run as runWeb, parseHsts, type WebData } from '../src/checks/web/index.ts';
import type { CheckResult, Context, Finding } from '../src/checks/types.ts';
import type { DnsServer } from '../src/lab/dns/index.ts';

const lab = new Lab();
let dns: DnsServer;
let ctx: Context;
const HSTS = { 'strict-transport-security': 'max-age=31536000; includeSubDomains' };

before(async () => {
  await lab.init();
  const redirectTo = (url: string) => lab.http({ status: 301, headers: { location: url } });
  const sites: Array<{ name: string; octet: number; https: number | null; http: number | null }> = [];
  const add = (name: string, octet: number, https: number | null, http: number | null) => sites.push({ name, octet, https, http });
  add('valid', 1, await lab.https({ names: ['valid.web.test', 'www.valid.web.test'], headers: HSTS }), await redirectTo('https://valid.web.test/'));
  add('expired', 2, await lab.https({ names: ['expired.web.test'], certificate: 'expired', headers: HSTS }), await redirectTo('https://expired.web.test/'));
  add('selfsigned', 3, await lab.https({ names: ['selfsigned.web.test'], certificate: 'self-signed', headers: HSTS }), await redirectTo('https://selfsigned.web.test/'));
  add('wrongname', 4, await lab.https({ names: ['wrongname.web.test'], certificate: 'wrong-name', headers: HSTS }), await redirectTo('https://wrongname.web.test/'));
  add('nohttps', 5, await lab.closedPort(), await lab.http({ status: 200 }));
  add('noredirect', 6, await lab.https({ names: ['noredirect.web.test'] }), await lab.http({ status: 200 }));
  add('chain', 7, await lab.https({ names: ['chain.web.test'], headers: HSTS }), await redirectTo('http://www.chain.web.test/'));
  add('www.chain', 8, await lab.https({ names: ['www.chain.web.test'], headers: HSTS }), await redirectTo('https://www.chain.web.test/'));
  add('tlsbroken', 9, await hangUpServer(), await lab.http({ status: 200 }));
  add('hostile', 10, await lab.https({ names: ['hostile.web.test'], headers: HSTS }), await lab.raw(`HTTP/1.1 200 OK\r\nX-Junk: ${'a'.repeat(40_000)}`));
  const zone = [`$ORIGIN web.test.`, SOA];
  for (const s of sites) {
    zone.push(`${s.name} A 198.51.100.${s.octet}`);
    if (s.https !== null) lab.route(`198.51.100.${s.octet}:443`, s.https);
    if (s.http !== null) lab.route(`198.51.100.${s.octet}:80`, s.http);
  }
  zone.push('www.valid A 198.51.100.1');
  dns = await lab.dns([zone.join('\n')]);
  ctx = lab.context(dns, { timeoutMs: 1500 });
});

after(() => lab.close());

/** Accepts TCP on "443" and hangs up on the ClientHello: a port open with no working TLS. */
async function hangUpServer(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); s.once('data', () => s.end()); });
  const port = await listen(server);
  lab.closers.push(() => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(r)); });
  return port;
}

const ids = (r: CheckResult<WebData>) => r.findings.map((f) => f.id);
const find = (r: CheckResult<WebData>, id: string): Finding => {
  const f = r.findings.find((x) => x.id === id);
  assert.ok(f, `expected ${id} among ${ids(r).join(', ')}`);
  return f;
};

test('a valid certificate, HSTS and a redirect to HTTPS: ok for the domain and www', async () => {
  const r = await runWeb(ctx, 'valid.web.test');
  assert.equal(r.status, 'ok', JSON.stringify(r.findings, null, 1));
  assert.deepEqual(ids(r), ['web.ok', 'web.ok']);
  assert.deepEqual(r.data.hosts.map((h) => ({ name: h.name, addresses: h.addresses })), [
    { name: 'valid.web.test', addresses: ['198.51.100.1'] },
    { name: 'www.valid.web.test', addresses: ['198.51.100.1'] },
  ]);
  const host = r.data.hosts[0]!;
  assert.equal(host.https?.head?.status, 200);
  assert.equal(host.https?.hsts?.maxAge, 31536000);
  assert.equal(host.http?.reachesHttps, true);
  assert.equal(host.https?.tls?.nameMatch, 'valid.web.test');
});

test('an expired web certificate is an error (browsers refuse it)', async () => {
  const r = await runWeb(ctx, 'expired.web.test');
  assert.equal(find(r, 'web.cert-expired').severity, 'error');
  assert.equal(r.status, 'error');
  assert.equal(r.data.hosts[1]!.status, 'no-address', 'www has no address: not probed, not an error');
});

test('an expired certificate from an untrusted CA is both expired and untrusted', async () => {
  const r = await runWeb(lab.context(dns, { timeoutMs: 1500, trustLabCa: false }), 'expired.web.test');
  assert.deepEqual(ids(r).filter((id) => id.startsWith('web.cert-')).sort(), ['web.cert-expired', 'web.cert-untrusted']);
});

test('a self-signed web certificate is an error', async () => {
  const r = await runWeb(ctx, 'selfsigned.web.test');
  assert.equal(find(r, 'web.cert-self-signed').severity, 'error');
  assert.ok(!ids(r).includes('web.cert-untrusted'));
});

test('a web certificate for another name is an error, checked against the host name', async () => {
  const r = await runWeb(ctx, 'wrongname.web.test');
  assert.equal(find(r, 'web.cert-name-mismatch').severity, 'error');
});

test('a certificate from an untrusted CA is an error', async () => {
  const r = await runWeb(lab.context(dns, { timeoutMs: 1500, trustLabCa: false }), 'valid.web.test');
  assert.equal(find(r, 'web.cert-untrusted').severity, 'error');
});

test('connection refused on 443 is "no HTTPS", its own finding', async () => {
  const r = await runWeb(ctx, 'nohttps.web.test');
  const f = find(r, 'web.no-https');
  assert.equal(f.severity, 'warn');
  assert.equal(r.data.hosts[0]!.http?.head?.status, 200);
  assert.ok(!ids(r).includes('web.no-redirect-to-https'), 'no redirect finding when there is nothing to redirect to');
});

test('a port 443 that hangs up on the handshake is also "no HTTPS"', async () => {
  const r = await runWeb(ctx, 'tlsbroken.web.test');
  assert.match(find(r, 'web.no-https').detail, /TLS handshake fails/);
});

test('HTTP served without a redirect, and HTTPS without HSTS', async () => {
  const r = await runWeb(ctx, 'noredirect.web.test');
  assert.equal(find(r, 'web.no-redirect-to-https').severity, 'warn');
  assert.equal(find(r, 'web.no-hsts').severity, 'info');
});

test('a redirect chain through another host name reaches HTTPS', async () => {
  const r = await runWeb(ctx, 'chain.web.test');
  const http = r.data.hosts[0]!.http!;
  assert.equal(http.reachesHttps, true);
  assert.deepEqual(http.redirects.map((h) => h.address), ['198.51.100.7', '198.51.100.8']);
  assert.ok(!ids(r).includes('web.no-redirect-to-https'));
});

test('an endless HTTP response head is cut off at the size limit', async () => {
  const r = await runWeb(ctx, 'hostile.web.test');
  const http = r.data.hosts[0]!.http!;
  assert.equal(http.failure?.step, 'http');
  assert.match(http.failure?.message ?? '', /larger than 32768 bytes/);
  assert.ok(ids(r).includes('web.could-not-test'));
});

test('--no-probe: skipped without a connection', async () => {
  const r = await runWeb(lab.context(dns, { noProbe: true }), 'valid.web.test');
  assert.equal(r.status, 'skipped');
  assert.deepEqual(r.data.hosts, []);
});

test('HSTS header parsing (RFC 6797 §6.1)', () => {
  assert.deepEqual(parseHsts('max-age="600"; includeSubDomains; preload'), { value: 'max-age="600"; includeSubDomains; preload', maxAge: 600, includeSubDomains: true, preload: true });
  assert.equal(parseHsts('includeSubDomains')?.maxAge, null);
  assert.equal(parseHsts(null), null);
});
