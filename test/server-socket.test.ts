/**
 * The server over real sockets on loopback: events stream while the diagnosis runs, body limits on
 * a real upload, the rate limit keyed by the peer address, the token, the bind rule, and the SSRF
 * guard — a domain whose hosts point at the server's own network is not probed unless allowed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLab } from '../src/lab/index.ts';
import { parseZone, startDnsServer, type DnsServer } from '../src/lab/dns/index.ts';
import { parseConnectMap } from '../src/net/dialer/index.ts';
import { runContext, startServer, type ServerNetwork } from '../src/server/index.ts';
import { realEngine } from '../src/server/engine.ts';
import { isLoopbackHost } from '../src/server/options.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

let lab: Awaited<ReturnType<typeof startLab>>;
let labNetwork: ServerNetwork;

before(async () => {
  lab = await startLab({ scenario: 'webhost-spoof' });
  labNetwork = { resolvers: [lab.dns], connectMap: lab.connectMap.flatMap(parseConnectMap), ca: [lab.caPem], allowPrivate: true, keys: {}, timeoutMs: 3000 };
});
after(() => lab.close());

test('server-sent events arrive while the diagnosis runs, not all at the end', async () => {
  const server = await startServer({ engine: realEngine(), network: labNetwork, port: 0, webDist: false });
  try {
    const res = await fetch(`${server.url}/api/diagnose`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ domain: 'acme.example' }) });
    const { id } = (await res.json()) as { id: string };
    const stream = await fetch(`${server.url}/api/jobs/${id}/events`);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    let statusWhenFirstCheckDone: string | null = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      if (statusWhenFirstCheckDone === null && text.includes('"kind":"check-done"')) {
        // Ask the job while the stream is still open: a streamed event must come before the end.
        statusWhenFirstCheckDone = ((await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as { status: string }).status;
      }
    }
    assert.equal(statusWhenFirstCheckDone, 'running', 'the first check-done event arrived while the job was running');
    assert.match(text, /event: done\ndata: \{"status":"done"\}/);
  } finally {
    await server.close();
  }
});

test('a real upload above the body limit is refused with 413', async () => {
  const server = await startServer({ engine: realEngine(), network: labNetwork, port: 0, webDist: false, limits: { maxBodyBytes: 64 * 1024 } });
  try {
    const form = new FormData();
    form.set('domain', 'acme.example');
    form.append('file', new Blob(['x'.repeat(200 * 1024)]), 'huge.eml');
    const res = await fetch(`${server.url}/api/diagnose`, { method: 'POST', body: form });
    assert.equal(res.status, 413);
    assert.equal(server.jobs.stats().stored, 0, 'no job was created');
  } finally {
    await server.close();
  }
});

/** A POST from a chosen loopback source address (127/8 is all ours). */
function postFrom(localAddress: string, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the rate limit counts each client address on its own', async () => {
  const server = await startServer({ engine: realEngine(), network: labNetwork, port: 0, webDist: false, limits: { rateLimit: { max: 2, windowMs: 60_000 } } });
  try {
    const url = `${server.url}/api/blocklist`;
    const a = [await postFrom('127.0.0.2', url, '{}'), await postFrom('127.0.0.2', url, '{}'), await postFrom('127.0.0.2', url, '{}')];
    const b = await postFrom('127.0.0.3', url, '{}');
    assert.deepEqual(a, [400, 400, 429]);
    assert.equal(b, 400, 'another client still has its budget');
  } finally {
    await server.close();
  }
});

test('a token protects the API over the socket, the event stream included', async () => {
  const token = 'socket-test-token-0123456789';
  const server = await startServer({ engine: realEngine(), network: labNetwork, port: 0, token, webDist: false });
  try {
    assert.equal((await fetch(`${server.url}/api/health`)).status, 401);
    assert.equal((await fetch(`${server.url}/api/health`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const events = await fetch(`${server.url}/api/jobs/00000000-0000-4000-8000-000000000000/events`);
    assert.equal(events.status, 401, 'the event stream is an API call too');
  } finally {
    await server.close();
  }
});

test('binding beyond loopback needs a token (checked before listening)', async () => {
  assert.equal(isLoopbackHost('127.0.0.1'), true);
  assert.equal(isLoopbackHost('::1'), true);
  assert.equal(isLoopbackHost('localhost'), true);
  assert.equal(isLoopbackHost('0.0.0.0'), false);
  assert.equal(isLoopbackHost('192.168.1.10'), false);
  await assert.rejects(startServer({ engine: realEngine(), network: labNetwork, host: '0.0.0.0', port: 0, webDist: false }), /set a token with --token or MAILSLEUTH_TOKEN/);
  await assert.rejects(startServer({ engine: realEngine(), network: labNetwork, host: '0.0.0.0', port: 0, token: 'short', webDist: false }), /at least 16 characters/);
  const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'mailsleuth.js'), 'serve', '--host', '0.0.0.0', '--port', '0', '--no-web-build'], {
    env: { ...process.env, MAILSLEUTH_TOKEN: '' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(cli.status, 2);
  assert.match(cli.stderr, /set a token/);
});

// A domain whose mail, web and MTA-STS policy hosts are the server's own loopback: the classic SSRF
// attempt. The SMTP and web checks skip such addresses by themselves; the MTA-STS policy fetch
// does not, so the dialer's guard is what stops it.
const SSRF_ZONE = `$ORIGIN inward.test.
$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 60
@ NS ns
ns A 192.0.2.53
@ MX 10 mx
mx A 127.0.0.1
@ A 127.0.0.1
www A 127.0.0.1
@ TXT "v=spf1 mx -all"
_dmarc TXT "v=DMARC1; p=reject"
_mta-sts TXT "v=STSv1; id=20261128"
mta-sts A 127.0.0.1
`;

test('SSRF guard: a submitted domain cannot make the server connect to loopback unless allowed', async () => {
  // A listener standing in for an internal service, reached only through 127.0.0.1:443 (the policy host).
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const internal = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.end('554 5.3.2 not a mail server\r\n');
  });
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
  const port = (internal.address() as net.AddressInfo).port;
  const dns: DnsServer = await startDnsServer({ zones: [parseZone(SSRF_ZONE)], address: '127.0.0.1', port: 0 });
  const network = (allowPrivate: boolean): ServerNetwork => ({
    resolvers: [dns.server],
    connectMap: parseConnectMap(`127.0.0.1:443=127.0.0.1:${port}`),
    ca: [],
    allowPrivate,
    keys: {},
    timeoutMs: 2000,
  });
  try {
    // The dialer itself refuses before any packet leaves.
    await assert.rejects(async () => runContext(network(false)).dialer.connect({ host: '127.0.0.1', port: 25 }), (err: Error & { code?: string }) => err.code === 'refused-by-guard' && /loopback/.test(err.message));
    await assert.rejects(async () => runContext(network(false)).dialer.connect({ host: '10.0.0.1', port: 25 }), /private/);
    await assert.rejects(async () => runContext(network(false)).dialer.connect({ host: '169.254.169.254', port: 80 }), /link-local/);

    const guarded = await startServer({ engine: realEngine(), network: network(false), port: 0, webDist: false });
    try {
      const { id } = (await (await fetch(`${guarded.url}/api/diagnose`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ domain: 'inward.test' }) })).json()) as { id: string };
      await guarded.jobs.idle();
      const job = (await (await fetch(`${guarded.url}/api/jobs/${id}`)).json()) as { status: string; result: unknown };
      assert.equal(job.status, 'done');
      assert.equal(connections, 0, 'no connection reached the internal listener');
      assert.match(JSON.stringify(job.result), /refusing to connect to 127\.0\.0\.1:443: loopback address .* not allowed in server mode/);
    } finally {
      await guarded.close();
    }

    const allowed = await startServer({ engine: realEngine(), network: network(true), port: 0, webDist: false });
    try {
      await fetch(`${allowed.url}/api/diagnose`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ domain: 'inward.test' }) });
      await allowed.jobs.idle();
      assert.ok(connections > 0, 'with --allow-private the same diagnosis does connect');
    } finally {
      await allowed.close();
    }
  } finally {
    await dns.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => internal.close(resolve));
  }
});
