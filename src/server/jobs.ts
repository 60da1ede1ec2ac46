/**
 * The job runner: diagnoses run in the background with a cap on how many run at once, a bounded
 * queue behind them, progress kept for late subscribers (server-sent events replay it), and
 * finished jobs kept for a while so a report has a permalink. The work itself is a function given
 * by the caller, so the runner knows nothing about DNS or the engine.
 */
import { randomUUID } from 'node:crypto';
import type { Diagnosis, ProgressEvent } from '../diagnose/types.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** What a subscriber hears: progress from the engine, then one status change per transition. */
export type JobEvent = { type: 'progress'; event: ProgressEvent } | { type: 'status'; status: JobStatus; error?: string };

export interface Job {
  id: string;
  domain: string;
  status: JobStatus;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Progress so far, bounded; replayed to every new subscriber. */
  progress: ProgressEvent[];
  result?: Diagnosis;
  error?: string;
}

export type JobWork = (job: Job, onProgress: (event: ProgressEvent) => void) => Promise<Diagnosis>;

export interface JobQueueOptions {
  maxRunning: number;
  maxQueued: number;
  ttlMs: number;
  maxStored: number;
  timeoutMs: number;
  /** The clock; tests move it to expire jobs. */
  now?: () => number;
}

export class QueueFullError extends Error {
  constructor(queued: number) {
    super(`too many diagnoses waiting (${queued}); try again in a minute`);
    this.name = 'QueueFullError';
  }
}

/** A run emits a few events per check; this bound only stops a runaway engine from eating memory. */
const MAX_PROGRESS_EVENTS = 2000;

export interface JobQueue {
  submit(domain: string, work: JobWork): Job;
  get(id: string): Job | undefined;
  /** Calls `listener` for every later event of the job; returns the unsubscribe function. */
  subscribe(id: string, listener: (event: JobEvent) => void): () => void;
  stats(): { running: number; queued: number; stored: number };
  /** Drops expired jobs now (also done on every submit and get). */
  sweep(): void;
  /** Resolves when no job is running or queued (for a clean shutdown and for tests). */
  idle(): Promise<void>;
}

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const now = options.now ?? Date.now;
  const jobs = new Map<string, Job>();
  const work = new Map<string, JobWork>();
  const listeners = new Map<string, Set<(event: JobEvent) => void>>();
  const waiting: string[] = [];
  let running = 0;
  let idleWaiters: (() => void)[] = [];

  function emit(job: Job, event: JobEvent): void {
    for (const listener of listeners.get(job.id) ?? []) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (a closed stream) must not stop the job or the other subscribers.
      }
    }
  }

  function finish(job: Job, outcome: { result?: Diagnosis; error?: string }): void {
    if (job.status === 'done' || job.status === 'failed') return;
    job.finishedAt = now();
    if (outcome.result) {
      job.result = outcome.result;
      job.status = 'done';
      emit(job, { type: 'status', status: 'done' });
    } else {
      job.error = outcome.error ?? 'the diagnosis failed';
      job.status = 'failed';
      emit(job, { type: 'status', status: 'failed', error: job.error });
    }
    listeners.delete(job.id);
  }

  function start(job: Job, run: JobWork): void {
    running++;
    job.status = 'running';
    job.startedAt = now();
    emit(job, { type: 'status', status: 'running' });
    const onProgress = (event: ProgressEvent) => {
      if (job.status !== 'running') return;
      if (job.progress.length < MAX_PROGRESS_EVENTS) job.progress.push(event);
      emit(job, { type: 'progress', event });
    };
    const timer = setTimeout(() => finish(job, { error: `the diagnosis did not finish within ${Math.round(options.timeoutMs / 1000)} s` }), options.timeoutMs);
    timer.unref();
    // The slot is released only when the work settles, even after a timeout, so the cap on
    // concurrent runs holds for real and not just on paper.
    Promise.resolve()
      .then(() => run(job, onProgress))
      .then(
        (result) => finish(job, { result }),
        (err: unknown) => finish(job, { error: describeError(err) }),
      )
      .finally(() => {
        clearTimeout(timer);
        running--;
        pump();
      });
  }

  function pump(): void {
    while (running < options.maxRunning && waiting.length > 0) {
      const id = waiting.shift()!;
      const job = jobs.get(id);
      const run = work.get(id);
      work.delete(id);
      if (job && run) start(job, run);
    }
    if (running === 0 && waiting.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  function sweep(): void {
    const t = now();
    const finished: Job[] = [];
    for (const job of jobs.values()) {
      if (job.finishedAt === undefined) continue;
      if (t - job.finishedAt >= options.ttlMs) jobs.delete(job.id);
      else finished.push(job);
    }
    // Map order is insertion order: the first finished jobs found are the oldest.
    for (let i = 0; i < finished.length - options.maxStored; i++) jobs.delete(finished[i]!.id);
  }

  return {
    submit(domain, run) {
      sweep();
      const busy = running >= options.maxRunning;
      if (busy && waiting.length >= options.maxQueued) throw new QueueFullError(waiting.length);
      const job: Job = { id: randomUUID(), domain, status: 'queued', createdAt: now(), progress: [] };
      jobs.set(job.id, job);
      work.set(job.id, run);
      waiting.push(job.id);
      pump();
      return job;
    },
    get(id) {
      sweep();
      return jobs.get(id);
    },
    subscribe(id, listener) {
      const job = jobs.get(id);
      // A finished job has nothing more to say; its subscribers read its final state instead.
      if (!job || job.status === 'done' || job.status === 'failed') return () => {};
      let set = listeners.get(id);
      if (!set) listeners.set(id, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    stats: () => ({ running, queued: waiting.length, stored: jobs.size }),
    sweep,
    idle() {
      if (running === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

/** A user's mistake keeps its message; anything else is summarised without a stack trace. */
function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
