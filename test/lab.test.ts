/**
 * The lab end to end: the reference scenario served in process, its DNS queried with our client,
 * its hosts reached through our dialer and the connect map it returns, then stopped.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type net from 'node:net';
import type tls from 'node:tls';
import PostalMime from 'postal-mime';
import { dkimVerify } from 'mailauth';
import { startLab, type Lab } from '../src/lab/index.ts';
import { createResolver } from '../src/net/dns/client.ts';
import { mailauthResolver } from '../src/net/dns/mailauth.ts';
import type { Resolver } from '../src/net/dns/types.ts';
import { createDialer, DialError, parseConnectMap, type Dialer } from '../src/net/dialer/index.ts';

let lab: Lab;
let resolver: Resolver;
let dialer: Dialer;
before(async () => {
  lab = await startLab({ scenario: 'webhost-spoof', writeCaFile: true });
  resolver = createResolver({ servers: [lab.dns], timeoutMs: 1000, retries: 0 });
  dialer = createDialer({ connectMap: lab.connectMap.flatMap(parseConnectMap), ca: [lab.caPem], guard: 'offline', defaultTimeoutMs: 3000 });
});
after(() => lab?.close());

test('the lab serves the scenario on loopback and says how to reach it', () => {
  assert.equal(lab.scenario, 'webhost-spoof');
  assert.match(lab.dns, /^127\.0\.0\.1:\d+$/);
  assert.match(readFileSync(lab.caFile!, 'utf8'), /BEGIN CERTIFICATE/);
  assert.equal(readFileSync(lab.caFile!, 'utf8'), lab.caPem);
  for (const rule of lab.connectMap) assert.match(rule, /^\d+\.\d+\.\d+\.\d+:\d+=127\.\d+\.\d+\.\d+:\d+$/, rule);
  assert.deepEqual(lab.connectMap.map((r) => r.split('=')[0]).sort(), ['203.0.113.80:25', '203.0.113.80:443', '203.0.113.80:80', '52.101.194.12:25', '52.101.68.10:25']);
});

test('DNS: the domain, its Microsoft 365 side and the blocklists answer as the story says', async () => {
  const mx = await resolver.query('acme.example', 'MX');
  assert.deepEqual(mx.records.map((r) => r.data), [{ preference: 0, exchange: 'acme-example.mail.protection.outlook.com' }]);
  const mxA = await resolver.query('acme-example.mail.protection.outlook.com', 'A');
  assert.deepEqual(mxA.records.map((r) => r.data).sort(), ['52.101.194.12', '52.101.68.10']);
  const txt = await resolver.query('acme.example', 'TXT');
  assert.ok(txt.records.some((r) => r.data.join('') === 'v=spf1 include:spf.protection.outlook.com -all'));
  const include = await resolver.query('spf.protection.outlook.com', 'TXT');
  assert.match(include.records[0]!.data.join(''), /^v=spf1 ip4:40\.92\.0\.0\/15 ip4:40\.107\.0\.0\/16 .* -all$/);
  const dmarc = await resolver.query('_dmarc.acme.example', 'TXT');
  assert.equal(dmarc.records[0]!.data.join(''), 'v=DMARC1; p=none; rua=mailto:dmarc@acme.example');
  const dkim = await resolver.query('selector1._domainkey.acme.example', 'TXT');
  assert.deepEqual(dkim.cnames, ['selector1-acme-example._domainkey.acmeexample.onmicrosoft.com']);
  assert.ok(dkim.records[0]!.data.length >= 2, 'a 2048-bit key spans several TXT strings');
  assert.match(dkim.records[0]!.data.join(''), /^v=DKIM1; k=rsa; p=MIIBIjAN/);
  const ns = await resolver.query('acme.example', 'NS');
  assert.deepEqual(ns.records.map((r) => r.data).sort(), ['ns51.domaincontrol.com', 'ns52.domaincontrol.com']);
  const ptr = await resolver.query('80.113.0.203.in-addr.arpa', 'PTR');
  assert.equal(ptr.records[0]?.data, '203-0-113-80.static.hostingco.example');

  const cases: Array<[string, string | null]> = [
    ['80.113.0.203.zen.spamhaus.org', '127.0.0.4'],
    ['2.0.0.127.zen.spamhaus.org', '127.0.0.2'],
    ['1.0.0.127.zen.spamhaus.org', null],
    ['80.113.0.203.b.barracudacentral.org', '127.0.0.2'],
    ['2.0.0.127.b.barracudacentral.org', '127.0.0.2'],
    ['1.0.0.127.b.barracudacentral.org', null],
    ['acme.example.dbl.spamhaus.org', '127.0.1.2'],
    ['test.dbl.spamhaus.org', '127.0.1.2'],
    ['invalid.dbl.spamhaus.org', null],
    ['80.113.0.203.bl.spamcop.net', null],
  ];
  for (const [name, answer] of cases) {
    const result = await resolver.query(name, 'A');
    if (answer === null) assert.equal(result.outcome, 'nxdomain', name);
    else assert.ok(result.records.some((r) => r.data === answer), `${name} → ${answer}`);
  }
  const why = await resolver.query('80.113.0.203.zen.spamhaus.org', 'TXT');
  assert.equal(why.records[0]?.data.join(''), 'https://check.spamhaus.org/listed/?searchterm=203.0.113.80');
});

/** Collects SMTP replies from a socket, one complete (multi-line) reply per call. */
function smtpReader(socket: net.Socket | tls.TLSSocket) {
  let buffer = '';
  const replies: string[] = [];
  const onData = (chunk: Buffer) => {
    buffer += String(chunk);
    let match: RegExpMatchArray | null;
    while ((match = buffer.match(/^((?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n)/))) {
      buffer = buffer.slice(match[1]!.length);
      replies.push(match[1]!.replace(/\r/g, '').trimEnd());
    }
  };
  socket.on('data', onData);
  return {
    async next(): Promise<string> {
      const until = Date.now() + 3000;
      while (replies.length === 0) {
        if (Date.now() > until) throw new Error('no SMTP reply in time');
        await new Promise((r) => setTimeout(r, 5));
      }
      return replies.shift()!;
    },
    stop: () => socket.off('data', onData),
  };
}

async function starttls(ip: string, servername: string): Promise<{ banner: string; secure: tls.TLSSocket }> {
  const socket = await dialer.connect({ host: ip, port: 25 });
  const reader = smtpReader(socket);
  const banner = await reader.next();
  socket.write('EHLO probe.mailsleuth.test\r\n');
  assert.match(await reader.next(), /STARTTLS/);
  socket.write('STARTTLS\r\n');
  assert.match(await reader.next(), /^220/);
  reader.stop();
  return { banner, secure: await dialer.upgradeTls(socket, { servername }) };
}

test('SMTP: the Microsoft 365 MX presents a trusted certificate; the web host runs its own Postfix', async () => {
  for (const ip of ['52.101.68.10', '52.101.194.12']) {
    const { banner, secure } = await starttls(ip, 'acme-example.mail.protection.outlook.com');
    assert.match(banner, /^220 \w+\.mail\.protection\.outlook\.com ESMTP/);
    assert.equal(secure.authorized, true, `${ip}: ${String(secure.authorizationError)}`);
    assert.match(String(secure.getPeerCertificate().subjectaltname), /DNS:\*\.mail\.protection\.outlook\.com/);
    secure.destroy();
  }
  const web = await starttls('203.0.113.80', 'webhost.acme.example');
  assert.equal(web.banner, '220 webhost.acme.example ESMTP Postfix (Ubuntu)');
  assert.equal(web.secure.authorized, false);
  assert.equal(String(web.secure.authorizationError), 'DEPTH_ZERO_SELF_SIGNED_CERT');
  web.secure.destroy();
});

test('SMTP: the MX takes mail for acme.example only; relaying is refused', async () => {
  const socket = await dialer.connect({ host: '52.101.68.10', port: 25 });
  const reader = smtpReader(socket);
  await reader.next();
  for (const [line, reply] of [
    ['EHLO probe.mailsleuth.test', /^250/],
    ['MAIL FROM:<probe@mailsleuth.test>', /^250/],
    ['RCPT TO:<someone@elsewhere.example>', /^554 5\.7\.1 .*Relay access denied/],
    ['RCPT TO:<info@acme.example>', /^250/],
  ] as const) {
    socket.write(`${line}\r\n`);
    assert.match(await reader.next(), reply, line);
  }
  socket.destroy();
});

test('HTTP: the site answers on 80; nothing listens on 443', async () => {
  const socket = await dialer.connect({ host: '203.0.113.80', port: 80 });
  socket.write('GET / HTTP/1.1\r\nHost: acme.example\r\nConnection: close\r\n\r\n');
  let text = '';
  socket.on('data', (d) => { text += String(d); });
  await new Promise((resolve) => socket.once('end', resolve));
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(text, /<title>Acme Widgets/);
  await assert.rejects(dialer.connectTls({ host: '203.0.113.80', port: 443 }, { servername: 'acme.example' }), (err: unknown) => err instanceof DialError && err.code === 'connection-refused');
});

async function returnedOriginal(file: string): Promise<Buffer> {
  const parsed = await PostalMime.parse(readFileSync(file));
  const part = parsed.attachments.find((a) => a.mimeType === 'message/rfc822');
  assert.ok(part, `${file} carries the returned message`);
  return Buffer.from(part.content as ArrayBuffer);
}

test('messages: the Microsoft 365 original verifies DKIM against the lab; the web host original is unsigned', async () => {
  const messages = lab.definition.messages;
  const ndr = messages.find((m) => m.endsWith('dbl-rejected-from-m365.eml'))!;
  const dsn = messages.find((m) => m.endsWith('returned-from-webhost.eml'))!;
  const verified = await dkimVerify(await returnedOriginal(ndr), { resolver: mailauthResolver(resolver) as never });
  assert.deepEqual(verified.results.map((r) => [r.signingDomain, r.selector, r.status.result]), [['acme.example', 'selector1', 'pass']]);
  const spam = (await returnedOriginal(dsn)).toString();
  assert.doesNotMatch(spam, /^DKIM-Signature:/im);
  assert.match(spam, /^Received: by webhost\.acme\.example \(Postfix, from userid 33\)/m);
  assert.match(readFileSync(dsn, 'utf8'), /^Reporting-MTA: dns; webhost\.acme\.example$/m);
});

test('after close nothing answers', async () => {
  const separate = await startLab({ scenario: 'webhost-spoof' });
  const mapDialer = createDialer({ connectMap: separate.connectMap.flatMap(parseConnectMap), guard: 'offline', defaultTimeoutMs: 1000 });
  (await mapDialer.connect({ host: '203.0.113.80', port: 80 })).destroy();
  await separate.close();
  await assert.rejects(mapDialer.connect({ host: '203.0.113.80', port: 80 }), (err: unknown) => err instanceof DialError && err.code === 'connection-refused');
  const late = await createResolver({ servers: [separate.dns], timeoutMs: 300, retries: 0 }).query('acme.example', 'A');
  assert.notEqual(late.outcome, 'answer');
});

// ——— the `lab` and `demo` commands, as a user runs them ———

const CLI = fileURLToPath(new URL('../bin/mailsleuth.js', import.meta.url));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, MAILSLEUTH_OFFLINE: '1' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Starts `mailsleuth lab …` and resolves once it printed `until` (returns everything printed so far). */
function startLabCommand(args: string[], until: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [CLI, 'lab', ...args], { env: { ...process.env, MAILSLEUTH_OFFLINE: '1' } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += String(d); });
  child.stderr!.on('data', (d) => { err += String(d); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error(`lab did not start: ${out}${err}`)); }, 20_000);
    const check = () => {
      if (until.test(out)) { clearTimeout(timer); resolve({ child, output: () => out }); }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`lab exited ${code}: ${out}${err}`)); });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

test('mailsleuth lab --json: its flags point diagnose at the lab; SIGTERM stops it cleanly', async () => {
  const { child, output } = await startLabCommand(['webhost-spoof', '--json'], /\n/);
  const served = JSON.parse(output().split('\n')[0]!) as { dns: string; flags: string[]; caFile: string; messages: string[]; domain: string };
  assert.equal(served.domain, 'acme.example');
  assert.ok(existsSync(served.caFile));
  const diagnosis = cli(['diagnose', served.domain, ...served.flags, ...served.messages.flatMap((m) => ['--bounce', m]), '--json']);
  assert.equal(diagnosis.status, 1, diagnosis.stderr);
  const causes = (JSON.parse(diagnosis.stdout) as { causes: { id: string }[] }).causes.map((c) => c.id);
  assert.equal(causes[0], 'unauthorized-sender', causes.join(', '));
  const exit = exited(child);
  child.kill('SIGTERM');
  assert.equal(await exit, 0);
  assert.equal(existsSync(served.caFile), false, 'the CA file is removed on stop');
});

test('mailsleuth lab prints what it serves and the exact flags; Ctrl-C stops it', async () => {
  const { child, output } = await startLabCommand([], /Serving until Ctrl-C/);
  const text = output();
  assert.match(text, /Scenario webhost-spoof:/);
  assert.match(text, /203\.0\.113\.80:25 +→ 127\.0\.113\.80:\d+ +smtp "webhost\.acme\.example ESMTP Postfix \(Ubuntu\)"/);
  assert.match(text, /203\.0\.113\.80:443 → 127\.0\.113\.80:\d+ +closed/);
  assert.match(text, /zen\.spamhaus\.org/);
  assert.match(text, /returned-from-webhost\.eml/);
  const flags = /Point other commands at this lab with:\n {2}(.+)\n/.exec(text)?.[1] ?? '';
  assert.match(flags, /^--resolver 127\.0\.0\.1:\d+ --connect-map \S+ --ca \S+lab-ca\.pem$/);
  const resolverFlag = /--resolver (\S+)/.exec(flags)![1]!;
  const listed = cli(['blocklist', '203.0.113.80', '--resolver', resolverFlag, '--json']);
  const results = (JSON.parse(listed.stdout) as { results: { list: string; zone: string; status: string }[] }).results;
  assert.ok(results.some((r) => r.zone === 'zen.spamhaus.org' && r.status === 'listed'), listed.stdout.slice(0, 300));
  const exit = exited(child);
  child.kill('SIGINT');
  assert.equal(await exit, 0);
  assert.match(output(), /SIGINT: lab stopped\./);
});

test('mailsleuth lab --list; an unknown scenario or bad port is a usage error', () => {
  const list = cli(['lab', '--list']);
  assert.equal(list.status, 0);
  assert.match(list.stdout, /^webhost-spoof +acme\.example +Mail hosted at Microsoft 365/m);
  const unknown = cli(['lab', 'no-such-scenario']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown scenario "no-such-scenario" \(known: .*webhost-spoof/);
  const port = cli(['lab', '--port', 'http']);
  assert.equal(port.status, 2);
  assert.match(port.stderr, /invalid --port "http"/);
});

test('mailsleuth demo runs the reference case offline and finds what the scenario expects', () => {
  const demo = cli(['demo']);
  assert.equal(demo.status, 0, demo.stdout.slice(-2000) + demo.stderr);
  assert.match(demo.stdout, /runs offline against the built-in lab/);
  assert.match(demo.stdout, /Root cause: Mail claiming to be from acme\.example is being sent from 203\.0\.113\.80/);
  assert.match(demo.stdout, /The diagnosis names what scenario webhost-spoof expects/);
});
