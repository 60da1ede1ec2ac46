/**
 * End to end in a real browser: `mailsleuth serve --lab` as a child process (the real engine on
 * the lab), Debian chromium driven by playwright-core. The reference case through the UI, the
 * permalink, the themes, keyboard labels, and a hostile bounce that must stay inert text.
 * Skips only when /usr/bin/chromium is absent (`apt-get install chromium`).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SCENARIO = join(ROOT, 'scenarios', 'webhost-spoof');
const ARTIFACTS = join(ROOT, 'artifacts');
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser tests`;
if (skip) console.log(`# e2e skipped: ${skip}`);

// Flags from STACK.md: no sandbox as root, and nothing that phones home.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const servers: ChildProcess[] = [];
let baseUrl = '';
let browser: BrowserContext | undefined;
let profile = '';

/** Starts `mailsleuth serve --lab --port 0 [extra…]` and reads the address it prints. */
async function startServe(extra: string[] = []): Promise<string> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'mailsleuth.js'), 'serve', '--lab', '--port', '0', ...extra], {
    cwd: ROOT,
    env: { ...process.env, MAILSLEUTH_OFFLINE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(child);
  const serverOutput: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${serverOutput.join('')}`)), 90_000);
    const onData = (chunk: Buffer) => {
      serverOutput.push(chunk.toString());
      const url = serverOutput.join('').match(/listening on (http:\/\/\S+)/)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => serverOutput.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${serverOutput.join('')}`));
    });
  });
}

before(async () => {
  if (skip) return;
  baseUrl = await startServe();
  profile = mkdtempSync(join(tmpdir(), 'mailsleuth-e2e-'));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1200, height: 900 } });
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  for (const server of servers) {
    if (server.exitCode !== null) continue;
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  if (profile) rmSync(profile, { recursive: true, force: true });
});

interface Watched {
  page: Page;
  errors: string[];
  dialogs: string[];
}

/** A page whose console errors, uncaught exceptions and dialogs are collected for assertions. */
async function openPage(path = '/', base = baseUrl): Promise<Watched> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(base + path);
  return { page, errors, dialogs };
}

function referenceBounces(): string[] {
  const dir = join(SCENARIO, 'messages');
  return readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().map((f) => join(dir, f));
}

async function causeIds(page: Page): Promise<string[]> {
  return page.locator('[data-cause-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-cause-id') ?? ''));
}

/**
 * Runs an expression in the page. Written as text because this file is typechecked for Node,
 * without the DOM library.
 */
function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

/** What a hostile input could have left behind in a document. */
const INJECTION_STATE = `({
  pwned: window.__pwned ?? null,
  scripts: document.querySelectorAll('script').length,
  handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => el.tagName + '[' + a.name + ']')),
  badLinks: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? '').filter((h) => !/^(https?:|\\/)/.test(h)),
  injected: document.querySelectorAll('iframe, img[src="x"], svg').length,
  text: document.body.innerText,
})`;

interface InjectionState {
  pwned: unknown;
  scripts: number;
  handlers: string[];
  badLinks: string[];
  injected: number;
  text: string;
}

test('the reference case through the UI: unauthorized-sender first, origin hop marked, permalink, screenshot', { skip, timeout: 120_000 }, async () => {
  const { page, errors, dialogs } = await openPage();
  await page.getByLabel('Domain').fill('acme.example');
  await page.locator('#files').setInputFiles(referenceBounces());
  await page.getByRole('list', { name: 'Attached bounces' }).waitFor();
  // Submitted from the keyboard: Enter in the domain field.
  await page.getByLabel('Domain').press('Enter');
  await page.getByRole('status').first().waitFor();
  await page.getByTestId('report').waitFor({ timeout: 90_000 });

  const causes = await causeIds(page);
  assert.equal(causes[0], 'unauthorized-sender', `causes shown: ${causes.join(', ')}`);
  for (const id of ['sender-blocklisted', 'domain-blocklisted']) assert.ok(causes.includes(id), `${id} shown (got ${causes.join(', ')})`);
  assert.match(page.url(), /\/r\/[0-9a-f-]{36}$/);

  // The job's own JSON says which address sent the spoofed mail; the timeline must mark that hop.
  const id = page.url().split('/').at(-1)!;
  const job = (await (await fetch(`${baseUrl}/api/jobs/${id}`)).json()) as { result: { causes: { id: string; data?: { originIp?: string } }[] } };
  const originIp = job.result.causes.find((c) => c.id === 'unauthorized-sender')?.data?.originIp;
  assert.ok(originIp, 'the cause names the origin IP');
  await assert.doesNotReject(page.locator('.hop.origin', { hasText: originIp }).first().waitFor({ timeout: 2000 }));
  assert.ok((await page.locator('table.blocklists tr.listed').count()) > 0, 'listings are in the blocklist table');
  assert.ok((await page.locator('a[href^="http"]').count()) > 0, 'delisting and fix links are links');

  await page.screenshot({ path: join(ARTIFACTS, 'e2e-report.png'), fullPage: false });
  await page.screenshot({ path: join(ARTIFACTS, 'e2e-report-full.png'), fullPage: true });

  // The permalink reopens the finished report by itself.
  const again = await openPage(`/r/${id}`);
  await again.page.getByTestId('report').waitFor({ timeout: 10_000 });
  assert.deepEqual(await causeIds(again.page), causes);
  await again.page.close();

  assert.deepEqual(errors, [], 'no console errors');
  assert.deepEqual(dialogs, []);
  await page.close();
});

test('light and dark themes; every control has a label or a name', { skip, timeout: 60_000 }, async () => {
  const { page, errors } = await openPage();
  // The keyboard walks the page in reading order: header, then the form.
  const focused: string[] = [];
  for (let i = 0; i < 7; i++) {
    await page.keyboard.press('Tab');
    focused.push(await inPage<string>(page, "document.activeElement.id || document.activeElement.className || document.activeElement.tagName"));
  }
  assert.deepEqual(focused, ['brand', 'theme', 'domain', 'primary', 'files', 'paste', 'noprobe']);
  const background = () => inPage<string>(page, 'getComputedStyle(document.body).backgroundColor');
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await background();
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await background();
  assert.notEqual(light, dark, 'the system dark preference applies');
  // The switch overrides the system: auto → light → dark.
  await page.getByRole('button', { name: /Colour theme/ }).click();
  assert.equal(await inPage(page, 'document.documentElement.dataset.theme'), 'light');
  assert.equal(await background(), light);
  await page.getByRole('button', { name: /Colour theme/ }).click();
  assert.equal(await inPage(page, 'document.documentElement.dataset.theme'), 'dark');
  await page.screenshot({ path: join(ARTIFACTS, 'e2e-dark.png') });

  const unlabelled = await inPage<string[]>(page, `[
    ...[...document.querySelectorAll('input, textarea, select')].filter((el) => el.labels.length === 0).map((el) => el.outerHTML),
    ...[...document.querySelectorAll('button')].filter((b) => !(b.getAttribute('aria-label') || b.textContent.trim())).map((b) => b.outerHTML),
  ]`);
  assert.deepEqual(unlabelled, []);
  assert.deepEqual(errors, []);
  await page.close();
});

/** A bounce whose every header and DSN field carries markup, script and javascript: links. */
function hostileBounce(): string {
  return [
    'From: "<img src=x onerror=alert(1)>" <MAILER-DAEMON@mx.receiver.example>',
    'To: info@acme.example',
    'Subject: Undelivered <script>window.__pwned=1</script> mail',
    'Date: Sat, 28 Nov 2026 09:00:00 +0000',
    'Message-ID: <"><svg onload=alert(2)>@receiver.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/html',
    '',
    '<html><body><script>window.__pwned=3</script><a href="javascript:alert(3)">click</a></body></html>',
    '--b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; <b onmouseover=alert(4)>mx.receiver.example</b>',
    '',
    'Final-Recipient: rfc822; "<script>alert(5)</script>"@receiver.example',
    'Action: failed',
    'Status: 5.7.1',
    'Diagnostic-Code: smtp; 550 5.7.1 <img src=x onerror="window.__pwned=4"> blocked, see javascript:alert(6) and http://evil.example/"><script>alert(7)</script>',
    '',
    '--b1',
    'Content-Type: message/rfc822',
    '',
    'Received: from <b onmouseover=alert(8)>web</b> (www.acme.example [203.0.113.80]) by mx.receiver.example (<script>alert(9)</script>) with ESMTP id x1; Sat, 28 Nov 2026 08:59:50 +0000',
    'From: "<svg/onload=alert(10)>" <info@acme.example>',
    'To: someone@receiver.example',
    'Subject: <iframe src="javascript:alert(11)"></iframe>',
    'X-PHP-Originating-Script: 33:<script>alert(12)</script>.php',
    'List-Unsubscribe: <javascript:alert(document.cookie)>',
    'Authentication-Results: mx.receiver.example; spf=fail smtp.mailfrom="<img src=x onerror=alert(13)>"',
    '',
    'body',
    '--b1--',
    '',
  ].join('\r\n');
}

test('a hostile bounce renders as text: no script runs, no handler or javascript: link is created', { skip, timeout: 120_000 }, async () => {
  const { page, errors, dialogs } = await openPage();
  const scriptsBefore = (await inPage<InjectionState>(page, INJECTION_STATE)).scripts;
  await page.getByLabel('Domain').fill('acme.example');
  await page.getByLabel(/paste a bounce/).fill(hostileBounce());
  await page.getByRole('button', { name: 'Diagnose' }).click();
  await page.getByTestId('report').waitFor({ timeout: 90_000 });

  const state = await inPage<InjectionState>(page, INJECTION_STATE);
  assert.equal(state.pwned, null, 'no injected script ran');
  assert.deepEqual(state.handlers, []);
  assert.deepEqual(state.badLinks, []);
  assert.equal(state.injected, 0, 'no injected element (iframe, img, svg) exists');
  assert.equal(state.scripts, scriptsBefore);
  assert.ok(state.text.includes('<script>window.__pwned=1</script>'), 'the hostile subject is shown, as text');

  // The downloadable HTML report of the same job must be inert too.
  const id = page.url().split('/').at(-1)!;
  await page.goto(`${baseUrl}/api/jobs/${id}/report.html`);
  const report = await inPage<InjectionState>(page, INJECTION_STATE);
  assert.deepEqual({ pwned: report.pwned, scripts: report.scripts, handlers: report.handlers, injected: report.injected }, { pwned: null, scripts: 0, handlers: [], injected: 0 });
  assert.deepEqual(dialogs, [], 'no dialog opened');
  assert.deepEqual(errors, []);
  await page.close();
});

test('with a token the page asks for it once, then diagnoses and streams progress with it', { skip, timeout: 120_000 }, async () => {
  const token = 'e2e-token-0123456789abcdef';
  const url = await startServe(['--token', token]);
  const { page, errors } = await openPage('/', url);
  await page.getByLabel('This server needs its API token').fill(token);
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByText('lab: webhost-spoof').waitFor();
  await page.getByLabel('Domain').fill('acme.example');
  await page.getByRole('button', { name: 'Diagnose' }).click();
  await page.getByTestId('report').waitFor({ timeout: 90_000 });
  assert.ok((await causeIds(page)).length > 0);
  // The browser's 401 for the first health check is the only console error allowed here.
  assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
  await page.close();
});
