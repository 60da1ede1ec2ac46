import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import type tls from 'node:tls';
import { InputError } from '../../errors.ts';
import { createDialer, DialError, parseConnectMap, type Dialer } from '../../net/dialer/index.ts';
import { createLabCa } from '../tls.ts';
import { loopbackFor, parseHostsFile, startHosts, type RunningHosts } from './index.ts';

const HOSTS = {
  hosts: [
    { ip: '198.51.100.10', names: ['mx.lab.example'], services: { 25: { type: 'smtp', banner: 'Postfix', localDomains: ['lab.example'] } } },
    { ip: '198.51.100.11', names: ['mx.lab.example'], services: { 25: { type: 'smtp', certificate: 'expired' } } },
    { ip: '198.51.100.12', names: ['mx.lab.example'], services: { 25: { type: 'smtp', certificate: 'self-signed' } } },
    { ip: '198.51.100.13', names: ['mx.lab.example'], services: { 25: { type: 'smtp', certificate: 'wrong-name', certificateNames: ['other.example'] } } },
    { ip: '198.51.100.14', names: ['mx.lab.example'], services: { 25: { type: 'smtp', starttls: false } } },
    { ip: '198.51.100.15', names: ['slow.lab.example'], services: { 25: { type: 'smtp', greetingDelayMs: 400 } } },
    { ip: '198.51.100.16', names: ['pit.lab.example'], services: { 25: { type: 'smtp', tarpit: true } } },
    { ip: '198.51.100.17', names: ['open.lab.example'], services: { 25: { type: 'smtp', relay: true } } },
    {
      ip: '198.51.100.20', names: ['www.lab.example'], services: {
        80: { type: 'http', redirectToHttps: true },
        443: { type: 'https', hsts: 'max-age=31536000', body: 'secure hello' },
      },
    },
    { ip: '198.51.100.21', names: ['www.lab.example'], services: { 443: { type: 'https', certificate: 'expired' } } },
    { ip: '198.51.100.22', names: ['www.lab.example'], services: { 443: { type: 'https', certificate: 'self-signed' } } },
    { ip: '198.51.100.23', names: ['www.lab.example'], services: { 443: { type: 'https', certificate: 'wrong-name' } } },
    { ip: '198.51.100.24', names: ['www.lab.example'], services: { 80: { type: 'http', status: 503, body: 'down', headers: { 'Retry-After': '60' } }, 443: { type: 'closed' } } },
  ],
};

let hosts: RunningHosts;
let trusting: Dialer;
let plain: Dialer;
before(async () => {
  const ca = await createLabCa();
  hosts = await startHosts({ hosts: parseHostsFile(JSON.stringify(HOSTS)), ca });
  const connectMap = hosts.rules.flatMap(parseConnectMap);
  trusting = createDialer({ connectMap, ca: [ca.certPem], guard: 'offline', defaultTimeoutMs: 3000 });
  plain = createDialer({ connectMap, guard: 'offline', defaultTimeoutMs: 3000 });
});
after(() => hosts?.close());

/** Reads SMTP replies off a socket: each call returns the next complete (possibly multi-line) reply. */
function replies(socket: net.Socket | tls.TLSSocket) {
  let buffer = '';
  const waiting: Array<(reply: string) => void> = [];
  const ready: string[] = [];
  const onData = (chunk: Buffer) => {
    buffer += String(chunk);
    let match: RegExpMatchArray | null;
    while ((match = buffer.match(/^((?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n)/))) {
      buffer = buffer.slice(match[1]!.length);
      const reply = match[1]!.replace(/\r/g, '').trimEnd();
      const next = waiting.shift();
      if (next) next(reply);
      else ready.push(reply);
    }
  };
  socket.on('data', onData);
  return {
    next: (ms = 3000) => new Promise<string>((resolve, reject) => {
      const early = ready.shift();
      if (early !== undefined) return resolve(early);
      const timer = setTimeout(() => reject(new Error('no SMTP reply in time')), ms);
      waiting.push((reply) => { clearTimeout(timer); resolve(reply); });
    }),
    send: async (line: string) => {
      socket.write(`${line}\r\n`);
    },
    stop: () => socket.off('data', onData),
  };
}

async function greet(ip: string, dialer = trusting, port = 25) {
  const socket = await dialer.connect({ host: ip, port });
  const smtp = replies(socket);
  return { socket, smtp, banner: await smtp.next() };
}

test('STARTTLS with every certificate variant tells the truth about trust', async () => {
  const cases = [
    { ip: '198.51.100.10', dialer: 'trusting', authorized: true, error: null, san: 'DNS:mx.lab.example' },
    { ip: '198.51.100.10', dialer: 'plain', authorized: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', san: 'DNS:mx.lab.example' },
    { ip: '198.51.100.11', dialer: 'trusting', authorized: false, error: 'CERT_HAS_EXPIRED', san: 'DNS:mx.lab.example' },
    { ip: '198.51.100.12', dialer: 'trusting', authorized: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT', san: 'DNS:mx.lab.example' },
    { ip: '198.51.100.13', dialer: 'trusting', authorized: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID', san: 'DNS:other.example' },
  ] as const;
  for (const c of cases) {
    const dialer = c.dialer === 'trusting' ? trusting : plain;
    const { socket, smtp, banner } = await greet(c.ip, dialer);
    assert.match(banner, /^220 mx\.lab\.example ESMTP/, c.ip);
    await smtp.send('EHLO probe.test');
    assert.match(await smtp.next(), /^250-.*\n(?:250[- ].*\n)*.*STARTTLS/m, `${c.ip} offers STARTTLS`);
    await smtp.send('STARTTLS');
    assert.match(await smtp.next(), /^220 /);
    smtp.stop();
    const secure = await dialer.upgradeTls(socket, { servername: 'mx.lab.example' });
    const label = `${c.ip} via ${c.dialer}`;
    assert.equal(secure.authorized, c.authorized, label);
    const error = secure.authorizationError as unknown;
    assert.equal(error instanceof Error ? (error as NodeJS.ErrnoException).code : (error ?? null), c.error, label);
    assert.equal(secure.getPeerCertificate().subjectaltname, c.san, label);
    const after = replies(secure);
    await after.send('EHLO probe.test');
    const ehlo = await after.next();
    assert.match(ehlo, /^250/);
    assert.doesNotMatch(ehlo, /STARTTLS/, 'no STARTTLS offered inside TLS');
    secure.destroy();
  }
});

test('STARTTLS off: not offered and refused when tried anyway', async () => {
  const { socket, smtp } = await greet('198.51.100.14');
  await smtp.send('EHLO probe.test');
  assert.doesNotMatch(await smtp.next(), /STARTTLS/);
  await smtp.send('STARTTLS');
  assert.match(await smtp.next(), /^5\d\d /);
  socket.destroy();
});

test('a greeting delay holds the 220 back; a tarpit never sends one', async () => {
  const started = Date.now();
  const { socket, banner } = await greet('198.51.100.15');
  const waited = Date.now() - started;
  assert.match(banner, /^220 slow\.lab\.example/);
  assert.ok(waited >= 400, `greeted after ${waited} ms`);
  socket.destroy();

  const pit = await trusting.connect({ host: '198.51.100.16', port: 25 });
  const smtp = replies(pit);
  await assert.rejects(smtp.next(800), /no SMTP reply/);
  pit.destroy();
});

test('recipients: nothing accepted by default, local domains accepted, an open relay takes anything', async () => {
  const closed = await greet('198.51.100.10');
  await closed.smtp.send('EHLO probe.test');
  await closed.smtp.next();
  await closed.smtp.send('MAIL FROM:<probe@elsewhere.test>');
  assert.match(await closed.smtp.next(), /^250/);
  await closed.smtp.send('RCPT TO:<someone@far-away.test>');
  assert.match(await closed.smtp.next(), /^554 5\.7\.1 <someone@far-away\.test>: Relay access denied/);
  await closed.smtp.send('RCPT TO:<postmaster@lab.example>');
  assert.match(await closed.smtp.next(), /^250/);
  closed.socket.destroy();

  const open = await greet('198.51.100.17');
  await open.smtp.send('EHLO probe.test');
  await open.smtp.next();
  await open.smtp.send('MAIL FROM:<probe@elsewhere.test>');
  await open.smtp.next();
  await open.smtp.send('RCPT TO:<someone@far-away.test>');
  assert.match(await open.smtp.next(), /^250/);
  await open.smtp.send('DATA');
  assert.match(await open.smtp.next(), /^354/);
  await open.smtp.send('Subject: relay test\r\n\r\nhello\r\n.');
  assert.match(await open.smtp.next(), /^250/);
  open.socket.destroy();
  assert.deepEqual(hosts.received.map((m) => [m.host, m.from, m.to]), [['198.51.100.17:25', 'probe@elsewhere.test', ['someone@far-away.test']]]);
});

async function httpGet(ip: string, port: number, secure: boolean, dialer = trusting): Promise<{ head: string; body: string; socket: net.Socket | tls.TLSSocket }> {
  const socket = secure ? await dialer.connectTls({ host: ip, port }, { servername: 'www.lab.example' }) : await dialer.connect({ host: ip, port });
  socket.write('GET /path?q=1 HTTP/1.1\r\nHost: www.lab.example\r\nConnection: close\r\n\r\n');
  let text = '';
  socket.on('data', (d) => { text += String(d); });
  await new Promise((resolve) => socket.once('end', resolve));
  const split = text.indexOf('\r\n\r\n');
  return { head: text.slice(0, split), body: text.slice(split + 4), socket };
}

test('HTTP redirects to HTTPS; HTTPS serves HSTS with a trusted certificate', async () => {
  const redirect = await httpGet('198.51.100.20', 80, false);
  assert.match(redirect.head, /^HTTP\/1\.1 301/);
  assert.match(redirect.head, /\r\nLocation: https:\/\/www\.lab\.example\/path\?q=1\r\n/i);

  const page = await httpGet('198.51.100.20', 443, true);
  assert.match(page.head, /^HTTP\/1\.1 200/);
  assert.match(page.head, /\r\nStrict-Transport-Security: max-age=31536000/i);
  assert.equal(page.body, 'secure hello');
  assert.equal((page.socket as tls.TLSSocket).authorized, true);

  const down = await httpGet('198.51.100.24', 80, false);
  assert.match(down.head, /^HTTP\/1\.1 503/);
  assert.match(down.head, /\r\nRetry-After: 60/i);
  assert.doesNotMatch(down.head, /Strict-Transport-Security/i, 'no HSTS over plain HTTP');
});

test('HTTPS certificate variants', async () => {
  const cases = [['198.51.100.21', 'CERT_HAS_EXPIRED'], ['198.51.100.22', 'DEPTH_ZERO_SELF_SIGNED_CERT'], ['198.51.100.23', 'ERR_TLS_CERT_ALTNAME_INVALID']] as const;
  for (const [ip, code] of cases) {
    const page = await httpGet(ip, 443, true);
    const secure = page.socket as tls.TLSSocket;
    assert.equal(secure.authorized, false, ip);
    const error = secure.authorizationError as unknown;
    assert.equal(error instanceof Error ? (error as NodeJS.ErrnoException).code : error, code, ip);
    assert.match(page.head, /^HTTP\/1\.1 200/, `${ip}: the page is still served`);
  }
});

test('a closed port refuses; a port not in the hosts file is refused by the map', async () => {
  await assert.rejects(trusting.connect({ host: '198.51.100.24', port: 443 }), (err: unknown) => err instanceof DialError && err.code === 'connection-refused');
  await assert.rejects(trusting.connect({ host: '198.51.100.24', port: 8080 }), (err: unknown) => err instanceof DialError && err.code === 'refused-by-map');
  await assert.rejects(trusting.connect({ host: '192.0.2.99', port: 25 }), (err: unknown) => err instanceof DialError && err.code === 'refused-by-map');
});

test('services listen on loopback addresses derived from the virtual IP, one rule each', () => {
  assert.equal(loopbackFor('203.0.113.80'), '127.0.113.80');
  assert.equal(loopbackFor('2001:db8::25'), '127.0.0.1');
  const smtp = hosts.services.find((s) => s.ip === '198.51.100.10')!;
  assert.match(smtp.listen, /^127\.0\.100\.10:\d+$/);
  assert.equal(hosts.rules.length, hosts.services.length);
  assert.ok(hosts.rules.includes(`198.51.100.10:25=${smtp.listen}`));
  assert.match(smtp.summary, /STARTTLS \(valid certificate\).*accepts mail for lab\.example/);
});

test('a bad hosts file is one clear InputError naming the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{}, /"hosts" must be a list/],
    [{ hosts: [{ ip: 'mail.example', services: {} }] }, /hosts\[0\]\.ip: "mail\.example" is not an IP address/],
    [{ hosts: [{ ip: '192.0.2.1', services: { 99999: { type: 'closed' } } }] }, /"99999" is not a port/],
    [{ hosts: [{ ip: '192.0.2.1', services: { 25: { type: 'smtpd' } } }] }, /\.type: must be "smtp"/],
    [{ hosts: [{ ip: '192.0.2.1', names: ['a.example'], services: { 25: { type: 'smtp', certificate: 'bogus' } } }] }, /certificate: must be one of valid, expired/],
    [{ hosts: [{ ip: '192.0.2.1', names: ['a.example'], services: { 25: { type: 'smtp', startls: true } } }] }, /unknown field "startls"/],
    [{ hosts: [{ ip: '192.0.2.1', services: { 25: { type: 'smtp' } } }] }, /needs a "hostname"/],
    [{ hosts: [{ ip: '192.0.2.1', names: ['a.example'], services: { 25: { type: 'smtp', certificate: 'none' } } }] }, /STARTTLS needs a certificate/],
    [{ hosts: [{ ip: '192.0.2.1', names: ['a.example'], services: { 80: { type: 'http', hsts: 'max-age=1' } } }] }, /plain HTTP has no certificate or HSTS/],
    [{ hosts: [{ ip: '192.0.2.1', services: { 443: { type: 'https' } } }] }, /a certificate needs names/],
    [{ hosts: [{ ip: '192.0.2.1', services: { 80: { type: 'http', status: 42 } } }] }, /must be an HTTP status/],
    [{ hosts: [{ ip: '192.0.2.1', services: {} }, { ip: '192.0.2.1', services: {} }] }, /host 192\.0\.2\.1: listed twice/],
  ];
  for (const [json, message] of cases) {
    assert.throws(() => parseHostsFile(JSON.stringify(json), 'x/hosts.json'), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, /^x\/hosts\.json: /);
      assert.match(err.message, message);
      return true;
    }, JSON.stringify(json));
  }
  assert.throws(() => parseHostsFile('{ not json', 'h.json'), /h\.json: file: not valid JSON/);
});

test('real ports: services listen on their own port numbers; a taken port is a clear error', async () => {
  const file = parseHostsFile(JSON.stringify({
    hosts: [{ ip: '192.0.2.1', names: ['real.lab.example'], bind: '127.0.99.1', services: { 2525: { type: 'smtp', starttls: false }, 8080: { type: 'http', body: 'real' } } }],
  }));
  const ca = await createLabCa();
  const real = await startHosts({ hosts: file, ca, realPorts: true });
  try {
    assert.deepEqual(real.rules, ['192.0.2.1:2525=127.0.99.1:2525', '192.0.2.1:8080=127.0.99.1:8080']);
    const dialer = createDialer({ connectMap: real.rules.flatMap(parseConnectMap), guard: 'offline' });
    const { socket, banner } = await greet('192.0.2.1', dialer, 2525);
    assert.match(banner, /^220 real\.lab\.example ESMTP/);
    socket.destroy();
    await assert.rejects(startHosts({ hosts: file, ca, realPorts: true }), (err: unknown) => err instanceof InputError && /127\.0\.99\.1:2525 for 192\.0\.2\.1:2525: address already in use/.test(err.message));
  } finally {
    await real.close();
  }
});
