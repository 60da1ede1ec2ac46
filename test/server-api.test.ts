/**
 * The HTTP API through `app.request()`, with the real engine diagnosing the lab's reference case:
 * input validation, body and message limits, the queue and the rate limit, the token, the job
 * resource, server-sent events, the three report formats, analyze and blocklist.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLab } from '../src/lab/index.ts';
import { parseConnectMap } from '../src/net/dialer/index.ts';
import { createApp, type ServerNetwork } from '../src/server/index.ts';
import { realEngine } from '../src/server/engine.ts';
import type { ServerLimits } from '../src/server/options.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MESSAGES = join(ROOT, 'scenarios', 'webhost-spoof', 'messages');
const bounceFiles = () => readdirSync(MESSAGES).filter((f) => f.endsWith('.eml')).sort();
const bounceTexts = () => bounceFiles().map((f) => readFileSync(join(MESSAGES, f), 'utf8'));
const bounceText = () => bounceTexts()[0]!;

let lab: Awaited<ReturnType<typeof startLab>>;
let network: ServerNetwork;

before(async () => {
  lab = await startLab({ scenario: 'webhost-spoof' });
  network = { resolvers: [lab.dns], connectMap: lab.connectMap.flatMap(parseConnectMap), ca: [lab.caPem], allowPrivate: true, keys: {}, timeoutMs: 3000 };
});
after(() => lab.close());

function app(limits: Partial<ServerLimits> = {}, token?: string) {
  return createApp({ engine: realEngine(), network, limits, webDist: false, ...(token ? { token } : {}), logError: () => {} });
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error;
}

/** Follows the job's event stream to its end and returns the events. */
async function events(server: ReturnType<typeof app>, id: string): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const res = await server.app.request(`/api/jobs/${id}/events`);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  return (await res.text())
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => ({
      event: block.match(/^event: (.*)$/m)?.[1] ?? 'message',
      data: JSON.parse(block.match(/^data: (.*)$/m)?.[1] ?? 'null') as Record<string, unknown>,
    }));
}

test('bad requests get 400 with a sentence that says what to change', async () => {
  const { app: a } = app();
  const cases: [RequestInit, RegExp][] = [
    [json({}), /"domain" is required/],
    [json({ domain: 'not a domain' }), /invalid domain name/],
    [json({ domain: '203.0.113.80' }), /domain expected, got the IP address/],
    [json({ domain: 'acme.example', bounces: 'text' }), /"bounces" must be a list/],
    [json({ domain: 'acme.example', bounces: [''] }), /is empty/],
    [json({ domain: 'acme.example', options: { resolver: '8.8.8.8' } }), /unknown option "resolver"/],
    [json({ domain: 'acme.example', options: { noProbe: 'yes' } }), /noProbe" must be true or false/],
    [json({ domain: 'acme.example', options: { timeoutMs: 10 } }), /timeoutMs" must be/],
    [json(['acme.example']), /expected a JSON object/],
    [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"domain":' }, /not valid JSON/],
    [{ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'acme.example' }, /send JSON/],
  ];
  for (const [init, message] of cases) {
    const res = await a.request('/api/diagnose', init);
    assert.equal(res.status, 400, `${init.body}`);
    assert.match(await errorOf(res), message);
  }
});

test('limits: body size (413), number and size of messages (400)', async () => {
  const { app: a } = app({ maxBodyBytes: 4096, maxMessages: 2, maxMessageBytes: 1000 });
  const big = await a.request('/api/diagnose', json({ domain: 'acme.example', bounces: ['x'.repeat(5000)] }));
  assert.equal(big.status, 413);
  assert.match(await errorOf(big), /above the limit of 4096 bytes/);
  const many = await a.request('/api/diagnose', json({ domain: 'acme.example', bounces: ['a', 'b', 'c'] }));
  assert.equal(many.status, 400);
  assert.match(await errorOf(many), /at most 2 messages/);
  const large = await a.request('/api/diagnose', json({ domain: 'acme.example', bounces: ['y'.repeat(1500)] }));
  assert.equal(large.status, 400);
  assert.match(await errorOf(large), /above the limit of 1000/);
});

test('the reference case as JSON: job id, events per check, the result with unauthorized-sender first', async () => {
  const server = app();
  const res = await server.app.request('/api/diagnose', json({ domain: 'acme.example', bounces: bounceTexts() }));
  assert.equal(res.status, 202);
  const { id } = (await res.json()) as { id: string };
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(res.headers.get('location'), `/api/jobs/${id}`);

  const stream = await events(server, id);
  const starts = stream.filter((e) => e.event === 'progress' && e.data.kind === 'check-start').map((e) => e.data.check);
  const dones = stream.filter((e) => e.event === 'progress' && e.data.kind === 'check-done').map((e) => e.data.check);
  assert.ok(dones.length >= 5, `progress per check (got ${dones.join(', ')})`);
  for (const check of ['spf', 'dmarc', 'blocklists']) assert.ok(dones.includes(check), `${check} reported done`);
  for (const check of dones) assert.ok(starts.includes(check), `${check} started before it finished`);
  assert.deepEqual(stream.at(-1), { event: 'done', data: { status: 'done' } });

  const job = (await (await server.app.request(`/api/jobs/${id}`)).json()) as { status: string; result: { schema: string; domain: string; causes: { id: string }[] }; progress: { checks: Record<string, string> } };
  assert.equal(job.status, 'done');
  assert.equal(job.result.schema, 'mailsleuth/diagnosis@1');
  assert.equal(job.result.causes[0]?.id, 'unauthorized-sender');
  assert.ok(Object.keys(job.progress.checks).length >= 5);

  // A late subscriber gets the whole story replayed, ending in `done`.
  const replay = await events(server, id);
  assert.deepEqual(replay.filter((e) => e.event !== 'status'), stream.filter((e) => e.event !== 'status'));

  const md = await server.app.request(`/api/jobs/${id}/report.md`);
  assert.equal(md.status, 200);
  assert.match(md.headers.get('content-type') ?? '', /text\/markdown/);
  assert.match(await md.text(), /acme\.example/);
  const html = await server.app.request(`/api/jobs/${id}/report.html`);
  assert.match(html.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.match(await html.text(), /<html/);
  const reportJson = (await (await server.app.request(`/api/jobs/${id}/report.json`)).json()) as { causes: { id: string }[] };
  assert.deepEqual(reportJson.causes.map((c) => c.id), job.result.causes.map((c) => c.id));
});

test('multipart upload of the .eml files gives the same causes', async () => {
  const server = app();
  const form = new FormData();
  form.set('domain', 'acme.example');
  form.set('options', JSON.stringify({ noProbe: false }));
  for (const file of bounceFiles()) form.append('file', new Blob([readFileSync(join(MESSAGES, file))], { type: 'message/rfc822' }), file);
  const res = await server.app.request('/api/diagnose', { method: 'POST', body: form });
  assert.equal(res.status, 202);
  const { id } = (await res.json()) as { id: string };
  await server.jobs.idle();
  const job = (await (await server.app.request(`/api/jobs/${id}`)).json()) as { result: { causes: { id: string }[]; messages: { file: string }[] } };
  assert.equal(job.result.causes[0]?.id, 'unauthorized-sender');
  assert.deepEqual(job.result.messages.map((m) => m.file), bounceFiles());

  const bad = new FormData();
  bad.set('domain', 'acme.example');
  bad.set('resolver', '8.8.8.8');
  const refused = await server.app.request('/api/diagnose', { method: 'POST', body: bad });
  assert.equal(refused.status, 400);
  assert.match(await errorOf(refused), /unknown form field "resolver"/);
});

test('jobs: 404 for an unknown id, 409 for a report not finished yet', async () => {
  const server = app();
  const missing = await server.app.request('/api/jobs/00000000-0000-4000-8000-000000000000');
  assert.equal(missing.status, 404);
  assert.match(await errorOf(missing), /no such job/);
  const res = await server.app.request('/api/diagnose', json({ domain: 'acme.example' }));
  const { id } = (await res.json()) as { id: string };
  const early = await server.app.request(`/api/jobs/${id}/report.md`);
  assert.equal(early.status, 409);
  assert.match(await errorOf(early), /not finished yet/);
  await server.jobs.idle();
  assert.equal((await server.app.request(`/api/jobs/${id}/report.md`)).status, 200);
  assert.equal((await server.app.request('/api/nothing-here')).status, 404);
});

test('past the running slots and the queue, a submission gets 429 with Retry-After', async () => {
  const server = app({ maxRunning: 1, maxQueued: 1 });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await server.app.request('/api/diagnose', json({ domain: 'acme.example', options: { noProbe: true } }))).status);
  assert.deepEqual(statuses, [202, 202, 429]);
  const refused = await server.app.request('/api/diagnose', json({ domain: 'acme.example' }));
  assert.equal(refused.headers.get('retry-after'), '30');
  assert.match(await errorOf(refused), /too many diagnoses waiting/);
  await server.jobs.idle();
  assert.equal((await server.app.request('/api/diagnose', json({ domain: 'acme.example', options: { noProbe: true } }))).status, 202, 'room again once the jobs finish');
  await server.jobs.idle();
});

test('the per-client rate limit answers 429 past its budget, bad requests included', async () => {
  const { app: a, jobs } = app({ rateLimit: { max: 2, windowMs: 60_000 } });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await a.request('/api/analyze', json({ nothing: true }))).status);
  assert.deepEqual(statuses, [400, 400, 429]);
  const limited = await a.request('/api/diagnose', json({ domain: 'acme.example' }));
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.equal((await a.request('/api/health')).status, 200, 'cheap reads are not rate limited');
  await jobs.idle();
});

test('with a token, every API call needs it', async () => {
  const token = 'a-long-enough-test-token-123';
  const { app: a } = app({}, token);
  for (const path of ['/api/health', '/api/jobs/00000000-0000-4000-8000-000000000000']) {
    const res = await a.request(path);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /Bearer/);
  }
  assert.equal((await a.request('/api/diagnose', json({ domain: 'acme.example' }))).status, 401);
  assert.equal((await a.request('/api/health', { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
  const ok = await a.request('/api/health', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('cache-control'), 'no-store', 'API answers are never cached');
  assert.equal(((await ok.json()) as { ok: boolean }).ok, true);
});

test('analyze: one bounce, raw or as JSON, gives its analysis', async () => {
  const { app: a } = app();
  const raw = await a.request('/api/analyze', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: bounceText() });
  assert.equal(raw.status, 200);
  const analysis = (await raw.json()) as { kind: string; bounce: { reason: string } | null; original?: { origin: { ip: string } | null } };
  assert.equal(analysis.kind, 'bounce');
  assert.ok(analysis.bounce?.reason);
  const viaJson = (await (await a.request('/api/analyze', json({ message: bounceText() }))).json()) as typeof analysis;
  assert.deepEqual(viaJson, analysis);
  const none = await a.request('/api/analyze', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: '' });
  assert.equal(none.status, 400);
});

test('blocklist: the lab lists an address a bounce came from, and the domain; bad targets are refused', async () => {
  const { app: a } = app();
  const origins: string[] = [];
  for (const text of bounceTexts()) {
    const analysis = (await (await a.request('/api/analyze', json({ message: text }))).json()) as { original?: { origin: { ip: string | null } | null } | null; origin: { ip: string | null } | null };
    const ip = analysis.original?.origin?.ip ?? analysis.origin?.ip;
    if (ip) origins.push(ip);
  }
  assert.ok(origins.length > 0, 'the bounces name originating addresses');
  const res = await a.request('/api/blocklist', json({ targets: [...origins, 'acme.example'] }));
  assert.equal(res.status, 200);
  const report = (await res.json()) as { results: { target: string; status: string; list: string }[] };
  const listed = report.results.filter((r) => r.status === 'listed');
  assert.ok(listed.some((r) => origins.includes(r.target)), `an originating address is listed (checked ${origins.join(', ')})`);
  assert.ok(listed.some((r) => r.target === 'acme.example'), 'the domain is listed');
  const bad = await a.request('/api/blocklist', json({ targets: ['999.1.1.1'] }));
  assert.equal(bad.status, 400);
  assert.match(await errorOf(bad), /invalid IP address/);
});
