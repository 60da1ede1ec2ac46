/**
 * The HTTP API (Hono). Routes:
 *   POST /api/diagnose            → 202 { id }      (JSON or multipart with .eml files)
 *   GET  /api/jobs/:id            → { id, status, domain, progress, result?, error? }
 *   GET  /api/jobs/:id/events     → server-sent events (see events.ts)
 *   GET  /api/jobs/:id/report.json | report.md | report.html
 *   POST /api/analyze             → one message's analysis
 *   POST /api/blocklist           → { results }
 *   GET  /api/health              → { ok, version, lab, jobs }
 * plus the web UI (web.ts). The engine, the network and the limits are given by the caller.
 */
import { Hono, type Context as HonoContext } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { getConnInfo } from '@hono/node-server/conninfo';
import { InputError } from '../errors.ts';
import type { Diagnosis } from '../diagnose/types.ts';
import { requireToken } from './auth.ts';
import { runContext, type ServerNetwork } from './context.ts';
import type { Engine } from './engine.ts';
import { jobEvents } from './events.ts';
import { parseAnalyzeRequest, parseBlocklistRequest, parseDiagnoseRequest } from './input.ts';
import { createJobQueue, QueueFullError, type Job, type JobQueue } from './jobs.ts';
import { withDefaults, type ServerLimits } from './options.ts';
import { rateLimit } from './rate-limit.ts';
import { mountWeb } from './web.ts';

export interface AppOptions {
  engine: Engine;
  network: ServerNetwork;
  limits?: Partial<ServerLimits>;
  /** When set, every /api call must send `Authorization: Bearer <token>`. */
  token?: string;
  /** The lab scenario being served, shown by /api/health and the UI. */
  lab?: string | null;
  /** Where the built UI is (`dist/web`); `false` serves the API only. */
  webDist?: string | false;
  version?: string;
  /** Server errors (bugs) are logged here, never sent to the client. */
  logError?: (err: unknown) => void;
}

export interface ServerApp {
  app: Hono;
  jobs: JobQueue;
  limits: ServerLimits;
}

/** The peer address over a real socket; `app.request()` in tests has none. */
function clientAddress(c: HonoContext): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'local';
  }
}

function jobView(job: Job) {
  const done = job.progress.filter((e) => e.kind === 'check-done') as { check: string; status: string }[];
  const phases = job.progress.filter((e) => e.kind === 'phase') as { phase: string }[];
  return {
    id: job.id,
    status: job.status,
    domain: job.domain,
    createdAt: new Date(job.createdAt).toISOString(),
    ...(job.startedAt ? { startedAt: new Date(job.startedAt).toISOString() } : {}),
    ...(job.finishedAt ? { finishedAt: new Date(job.finishedAt).toISOString() } : {}),
    // The partial result while running: which checks have finished, with their status.
    progress: { phase: phases.at(-1)?.phase ?? null, checks: Object.fromEntries(done.map((e) => [e.check, e.status])) },
    ...(job.result ? { result: job.result } : {}),
    ...(job.error ? { error: job.error } : {}),
  };
}

export function createApp(options: AppOptions): ServerApp {
  const limits = withDefaults(options.limits);
  const { engine, network } = options;
  const logError = options.logError ?? ((err: unknown) => console.error('mailsleuth serve:', err));
  const jobs = createJobQueue({
    maxRunning: limits.maxRunning,
    maxQueued: limits.maxQueued,
    ttlMs: limits.jobTtlMs,
    maxStored: limits.maxStoredJobs,
    timeoutMs: limits.jobTimeoutMs,
  });
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof HTTPException) return c.json({ error: err.message }, err.status);
    if (err instanceof InputError || (err as { userFacing?: boolean }).userFacing) return c.json({ error: err.message }, 400);
    logError(err);
    return c.json({ error: 'internal error (logged on the server)' }, 500);
  });

  app.use('/api/*', async (c, next) => {
    await next();
    c.header('Cache-Control', c.res.headers.get('Cache-Control') ?? 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
  });
  if (options.token) app.use('/api/*', requireToken(options.token));
  app.use('/api/*', bodyLimit({
    maxSize: limits.maxBodyBytes,
    onError: (c) => c.json({ error: `request body above the limit of ${limits.maxBodyBytes} bytes` }, 413),
  }));
  const costly = rateLimit({ ...limits.rateLimit, clientOf: clientAddress });

  app.get('/api/health', (c) => c.json({ ok: true, version: options.version ?? '0.1.0', lab: options.lab ?? null, jobs: jobs.stats() }));

  app.post('/api/diagnose', costly, async (c) => {
    const request = await parseDiagnoseRequest(c, limits);
    try {
      const job = jobs.submit(request.domain, (_job, onProgress) =>
        engine.diagnose(runContext(network, request.options), { domain: request.domain, messages: request.messages, onProgress }));
      c.header('Location', `/api/jobs/${job.id}`);
      return c.json({ id: job.id }, 202);
    } catch (err) {
      if (!(err instanceof QueueFullError)) throw err;
      c.header('Retry-After', '30');
      return c.json({ error: err.message }, 429);
    }
  });

  const findJob = (c: HonoContext): Job => {
    const job = jobs.get(c.req.param('id') ?? '');
    if (!job) throw new HTTPException(404, { message: 'no such job (it may have expired)' });
    return job;
  };
  const finished = (c: HonoContext): Diagnosis => {
    const job = findJob(c);
    if (job.status === 'failed') throw new HTTPException(409, { message: `the diagnosis failed: ${job.error}` });
    if (!job.result) throw new HTTPException(409, { message: `the diagnosis is not finished yet (status: ${job.status})` });
    return job.result;
  };

  app.get('/api/jobs/:id', (c) => c.json(jobView(findJob(c))));
  app.get('/api/jobs/:id/events', (c) => jobEvents(c, jobs, findJob(c)));
  app.get('/api/jobs/:id/report.json', (c) => {
    c.header('Content-Disposition', `inline; filename="mailsleuth-${findJob(c).domain}.json"`);
    return c.json(finished(c));
  });
  app.get('/api/jobs/:id/report.md', (c) => {
    c.header('Content-Disposition', `inline; filename="mailsleuth-${findJob(c).domain}.md"`);
    return c.body(engine.renderMarkdown(finished(c)), 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
  });
  app.get('/api/jobs/:id/report.html', (c) => {
    // The report embeds text from bounces; a policy with no script source keeps it inert even if
    // the renderer ever missed an escape.
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'");
    return c.html(engine.renderHtml(finished(c)));
  });

  app.post('/api/analyze', costly, async (c) => {
    const message = await parseAnalyzeRequest(c, limits);
    const ctx = runContext(network);
    return c.json(await engine.analyze(message.bytes, { resolver: ctx.resolver }));
  });

  app.post('/api/blocklist', costly, async (c) => {
    const targets = await parseBlocklistRequest(c, limits);
    return c.json(await engine.blocklist(runContext(network), targets));
  });

  app.all('/api/*', (c) => c.json({ error: `no such API route: ${c.req.method} ${c.req.path}` }, 404));
  if (options.webDist !== false) mountWeb(app, options.webDist);
  return { app, jobs, limits };
}

