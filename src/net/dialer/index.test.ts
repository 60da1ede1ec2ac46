import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { Worker } from 'node:worker_threads';
import { createLabCa, type LabCa } from '../../lab/tls.ts';
import { setOfflineGuard } from '../guard.ts';
import { createDialer, DialError, parseConnectMap } from './index.ts';

const closers: Array<() => unknown> = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port)));
}

/** A server that answers every line with its own text, to prove which server a connection reached. */
async function echoServer(tag: string): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write(`${tag}\n`);
  });
  closers.push(() => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(r)); });
  return listen(server);
}

/**
 * A listener whose thread never accepts: once its small backlog is full the kernel drops further
 * SYNs, so a connect really hangs — a connect timeout measured on loopback.
 */
async function unacceptingListener(): Promise<number> {
  const wake = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(`
    const net = require('node:net');
    const { parentPort, workerData } = require('node:worker_threads');
    const server = net.createServer();
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      // Block this thread's event loop (so nothing is accepted) until the test wakes it.
      Atomics.wait(workerData, 0, 0, 30000);
      process.exit(0);
    });`, { eval: true, workerData: wake });
  closers.push(() => {
    Atomics.store(wake, 0, 1);
    Atomics.notify(wake, 0);
    return worker.terminate();
  });
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  // Fill the accept queue (backlog + 1 on Linux) so later SYNs go unanswered.
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    fillers.push(s);
  }
  closers.push(() => fillers.forEach((s) => s.destroy()));
  await new Promise((r) => setTimeout(r, 100));
  return port;
}

let ca: LabCa;
before(async () => {
  ca = await createLabCa();
});

function expectDialError(code: string) {
  return (err: unknown) => {
    assert.ok(err instanceof DialError, `expected DialError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  };
}

test('route: map, refused-by-map, loopback exemption, offline and SSRF guards', () => {
  const map = parseConnectMap('203.0.113.0/24=127.0.1.0/24,198.51.100.1:25=192.0.2.9:25');
  const dialer = createDialer({ connectMap: map, guard: 'none' });
  assert.deepEqual(dialer.route({ host: '203.0.113.80', port: 25 }), { host: '127.0.1.80', port: 25 });
  assert.deepEqual(dialer.route({ host: '127.0.0.5', port: 2525 }), { host: '127.0.0.5', port: 2525 });
  assert.throws(() => dialer.route({ host: '8.8.8.8', port: 25 }), expectDialError('refused-by-map'));
  assert.throws(() => dialer.route({ host: 'mail.example', port: 25 }), expectDialError('error'));
  assert.throws(() => dialer.route({ host: '203.0.113.80', port: 0 }), expectDialError('error'));

  // The test run has MAILSLEUTH_OFFLINE=1; guard 'offline' must hold even without it.
  setOfflineGuard(false);
  try {
    assert.deepEqual(dialer.route({ host: '198.51.100.1', port: 25 }), { host: '192.0.2.9', port: 25 });
    const offline = createDialer({ connectMap: map, guard: 'offline' });
    assert.throws(() => offline.route({ host: '198.51.100.1', port: 25 }), expectDialError('refused-by-guard'));
    assert.deepEqual(offline.route({ host: '203.0.113.9', port: 80 }), { host: '127.0.1.9', port: 80 });
    assert.throws(() => createDialer({ guard: 'offline' }).route({ host: '192.0.2.1', port: 443 }), expectDialError('refused-by-guard'));
  } finally {
    setOfflineGuard(undefined);
  }
  // With no guard option, the process-wide offline guard still refuses.
  assert.throws(() => createDialer().route({ host: '192.0.2.1', port: 443 }), expectDialError('refused-by-guard'));

  // SSRF: judged on the destination the user asked for, before the map sends it to loopback.
  const server = createDialer({ connectMap: parseConnectMap('203.0.113.0/24=127.0.1.0/24,10.0.0.0/8=127.0.0.0/8'), guard: 'ssrf' });
  assert.deepEqual(server.route({ host: '203.0.113.80', port: 25 }), { host: '127.0.1.80', port: 25 });
  for (const host of ['10.0.0.1', '127.0.0.1', '169.254.169.254', '100.64.1.1', 'fd00::1', 'ff02::1', '::ffff:192.168.1.1']) {
    assert.throws(() => server.route({ host, port: 25 }), expectDialError('refused-by-guard'), host);
  }
  const allowing = createDialer({ connectMap: parseConnectMap('10.0.0.0/8=127.0.0.0/8'), guard: 'ssrf', ssrfAllow: ['10.1.0.0/16'] });
  assert.deepEqual(allowing.route({ host: '10.1.2.3', port: 25 }), { host: '127.1.2.3', port: 25 });
  assert.throws(() => allowing.route({ host: '10.2.0.1', port: 25 }), expectDialError('refused-by-guard'));
});

test('connect lands on the mapped loopback server', async () => {
  const a = await echoServer('server-a');
  const b = await echoServer('server-b');
  const dialer = createDialer({ connectMap: parseConnectMap(`203.0.113.80:25=127.0.0.1:${a},203.0.113.80=127.0.0.1:${b}`) });
  for (const [port, tag] of [[25, 'server-a'], [587, 'server-b']] as const) {
    const socket = await dialer.connect({ host: '203.0.113.80', port });
    const line = await new Promise<string>((resolve) => socket.once('data', (d) => resolve(String(d).trim())));
    assert.equal(line, tag);
    socket.destroy();
  }
});

test('a closed port is connection-refused', async () => {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  await assert.rejects(createDialer().connect({ host: '127.0.0.1', port }), expectDialError('connection-refused'));
});

test('a connect that never completes ends in timeout, near the time asked', async () => {
  const port = await unacceptingListener();
  const started = Date.now();
  await assert.rejects(createDialer().connect({ host: '127.0.0.1', port }, { timeoutMs: 300 }), expectDialError('timeout'));
  const took = Date.now() - started;
  assert.ok(took >= 290 && took < 2000, `took ${took} ms`);
});

test('an abort signal stops a hanging connect', async () => {
  const port = await unacceptingListener();
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(createDialer().connect({ host: '127.0.0.1', port }, { timeoutMs: 5000, signal: controller.signal }), expectDialError('error'));
});

async function tlsServer(names: string[], variant: 'valid' | 'self-signed' | 'expired' | 'wrong-name'): Promise<number> {
  const cert = await ca.issue(variant, names);
  const server = tls.createServer({ cert: cert!.certPem, key: cert!.keyPem }, (socket) => socket.end('hello over tls\n'));
  server.on('tlsClientError', () => {});
  closers.push(() => new Promise((r) => server.close(r)));
  return listen(server);
}

test('connectTls reports trust truthfully and never refuses a certificate', async () => {
  const cases = [
    { variant: 'valid', trusted: true, authorized: true, error: null },
    { variant: 'valid', trusted: false, authorized: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    { variant: 'self-signed', trusted: true, authorized: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    { variant: 'expired', trusted: true, authorized: false, error: 'CERT_HAS_EXPIRED' },
    // Node checks the name against the SNI it sent and reports a mismatch the same way.
    { variant: 'wrong-name', trusted: true, authorized: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID' },
  ] as const;
  for (const c of cases) {
    const port = await tlsServer(['mx.lab.example'], c.variant);
    const dialer = createDialer({ connectMap: parseConnectMap(`203.0.113.25:443=127.0.0.1:${port}`), ca: c.trusted ? [ca.certPem] : [] });
    const socket = await dialer.connectTls({ host: '203.0.113.25', port: 443 }, { servername: 'mx.lab.example' });
    const label = `${c.variant} trusted=${c.trusted}`;
    assert.equal(socket.authorized, c.authorized, label);
    const error = socket.authorizationError as unknown;
    assert.equal(error instanceof Error ? (error as NodeJS.ErrnoException).code : (error ?? null), c.error, label);
    const peer = socket.getPeerCertificate();
    const names = c.variant === 'wrong-name' ? 'DNS:localhost.localdomain' : 'DNS:mx.lab.example';
    assert.equal(peer.subjectaltname, names, label);
    assert.equal(tls.checkServerIdentity('mx.lab.example', peer) === undefined, c.variant !== 'wrong-name', label);
    socket.destroy();
  }
});

test('a peer that does not speak TLS is a tls error; one that never answers is a timeout', async () => {
  // resume(): a paused socket never reads the client's FIN and would keep the server open.
  const plain = net.createServer((socket) => socket.resume().end('220 plain smtp here\r\n'));
  closers.push(() => new Promise((r) => plain.close(r)));
  const plainPort = await listen(plain);
  await assert.rejects(createDialer().connectTls({ host: '127.0.0.1', port: plainPort }, { timeoutMs: 2000 }), expectDialError('tls'));

  const silent = new Set<net.Socket>();
  const mute = net.createServer((socket) => { silent.add(socket); socket.on('error', () => {}); });
  closers.push(() => { silent.forEach((s) => s.destroy()); return new Promise((r) => mute.close(r)); });
  const mutePort = await listen(mute);
  const started = Date.now();
  await assert.rejects(createDialer().connectTls({ host: '127.0.0.1', port: mutePort }, { timeoutMs: 300 }), expectDialError('timeout'));
  assert.ok(Date.now() - started < 2000);
});

test('upgradeTls turns a plain socket into TLS after a STARTTLS-style exchange', async () => {
  const cert = await ca.issue('valid', ['smtp.lab.example']);
  const context = tls.createSecureContext({ cert: cert!.certPem, key: cert!.keyPem });
  const server = net.createServer((socket) => {
    socket.write('220 ready\r\n');
    socket.once('data', () => {
      socket.write('220 2.0.0 go ahead\r\n', () => {
        const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
        secure.on('error', () => {});
        secure.on('data', (d) => secure.write(`echo ${String(d)}`));
      });
    });
  });
  closers.push(() => new Promise((r) => server.close(r)));
  const port = await listen(server);
  const dialer = createDialer({ ca: [ca.certPem] });
  const socket = await dialer.connect({ host: '127.0.0.1', port });
  const lines: string[] = [];
  const reader = (d: Buffer) => lines.push(String(d));
  socket.on('data', reader);
  await waitFor(() => lines.join('').includes('220 ready'));
  socket.write('STARTTLS\r\n');
  await waitFor(() => lines.join('').includes('go ahead'));
  socket.off('data', reader);
  const secure = await dialer.upgradeTls(socket, { servername: 'smtp.lab.example' });
  assert.equal(secure.authorized, true);
  assert.match(String(secure.getProtocol()), /^TLSv1\.[23]$/);
  secure.write('ping');
  const reply = await new Promise<string>((resolve) => secure.once('data', (d) => resolve(String(d))));
  assert.equal(reply, 'echo ping');
  secure.destroy();
});

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a refused destination is a rejected promise, not a synchronous throw', async () => {
  const dialer = createDialer({ connectMap: parseConnectMap('203.0.113.0/24=127.0.1.0/24') });
  const attempt = dialer.connect({ host: '8.8.8.8', port: 25 });
  assert.ok(attempt instanceof Promise);
  await assert.rejects(attempt, expectDialError('refused-by-map'));
  await assert.rejects(dialer.connectTls({ host: 'not-an-ip', port: 443 }), expectDialError('error'));
});
