/**
 * `GET /api/jobs/:id/events`: the job's progress as server-sent events. A late subscriber first
 * gets what already happened (the job's status and every progress event so far), then the live
 * events, then one `done` event, and the stream closes. Events:
 *   `status`   {"status":"queued"|"running"}
 *   `progress` a ProgressEvent ({"kind":"check-start","check":"spf"} …)
 *   `done`     {"status":"done"|"failed","error"?}
 */
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { Job, JobEvent, JobQueue } from './jobs.ts';

/** Proxies close idle connections; a comment line every so often keeps the stream open. */
const HEARTBEAT_MS = 15_000;

type Outgoing = { event: string; data: unknown };

function toOutgoing(event: JobEvent): Outgoing {
  if (event.type === 'progress') return { event: 'progress', data: event.event };
  if (event.status === 'done' || event.status === 'failed') {
    return { event: 'done', data: { status: event.status, ...(event.error ? { error: event.error } : {}) } };
  }
  return { event: 'status', data: { status: event.status } };
}

function snapshot(job: Job): Outgoing[] {
  const finished = job.status === 'done' || job.status === 'failed';
  const out: Outgoing[] = finished ? [] : [{ event: 'status', data: { status: job.status } }];
  for (const event of job.progress) out.push({ event: 'progress', data: event });
  if (finished) out.push(toOutgoing({ type: 'status', status: job.status, ...(job.error ? { error: job.error } : {}) }));
  return out;
}

export function jobEvents(c: Context, jobs: JobQueue, job: Job): Response {
  // The snapshot and the subscription happen in the same tick, so no event falls between them.
  const pending = snapshot(job);
  let wake: (() => void) | null = null;
  const unsubscribe = jobs.subscribe(job.id, (event) => {
    pending.push(toOutgoing(event));
    wake?.();
  });
  c.header('Cache-Control', 'no-store');
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    let closed = false;
    stream.onAbort(() => {
      closed = true;
      wake?.();
    });
    const heartbeat = setInterval(() => {
      void stream.write(': keep-alive\n\n').catch(() => {});
    }, HEARTBEAT_MS);
    try {
      await drain(stream, pending, () => closed, (resolve) => (wake = resolve));
    } finally {
      clearInterval(heartbeat);
      unsubscribe();
    }
  });
}

/** Writes events in order until the `done` event is written or the client goes away. */
async function drain(stream: SSEStreamingApi, pending: Outgoing[], isClosed: () => boolean, onWake: (resolve: () => void) => void): Promise<void> {
  let seq = 0;
  while (!isClosed()) {
    const next = pending.shift();
    if (!next) {
      await new Promise<void>((resolve) => onWake(resolve));
      continue;
    }
    await stream.writeSSE({ event: next.event, data: JSON.stringify(next.data), id: String(seq++) });
    if (next.event === 'done') return;
  }
}
