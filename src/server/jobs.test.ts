/** The job runner: the cap on running jobs, the bounded queue, progress replay, expiry, timeouts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJobQueue, QueueFullError, type JobEvent, type JobWork } from './jobs.ts';
import type { Diagnosis } from '../diagnose/types.ts';

const result = (domain: string) => ({ schema: 'mailsleuth/diagnosis@1', domain } as unknown as Diagnosis);

/** Work that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const work: JobWork = async (job, onProgress) => {
    onProgress({ kind: 'check-start', check: 'spf' });
    await opened;
    onProgress({ kind: 'check-done', check: 'spf', status: 'ok' });
    return result(job.domain);
  };
  return { work, open };
}

const options = { maxRunning: 1, maxQueued: 1, ttlMs: 1000, maxStored: 10, timeoutMs: 5000 };

test('one job runs, the next waits, the one after is refused', async () => {
  const jobs = createJobQueue(options);
  const a = gate();
  const b = gate();
  const first = jobs.submit('a.example', a.work);
  const second = jobs.submit('b.example', b.work);
  assert.throws(() => jobs.submit('c.example', gate().work), QueueFullError);
  await new Promise((r) => setImmediate(r));
  assert.equal(first.status, 'running');
  assert.equal(second.status, 'queued');
  a.open();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(first.status, 'done');
  assert.equal(second.status, 'running');
  b.open();
  await jobs.idle();
  assert.equal(second.status, 'done');
  assert.equal(second.result?.domain, 'b.example');
});

test('a subscriber hears progress and the final status; a failure keeps its message', async () => {
  const jobs = createJobQueue(options);
  const g = gate();
  const job = jobs.submit('a.example', g.work);
  assert.equal(job.status, 'running', 'a free slot starts the job at once');
  const heard: JobEvent[] = [];
  jobs.subscribe(job.id, (e) => heard.push(e));
  g.open();
  await jobs.idle();
  assert.deepEqual(heard.map((e) => (e.type === 'progress' ? e.event.kind : e.status)), ['check-start', 'check-done', 'done']);
  assert.equal(job.progress.length, 2);

  const failing = jobs.submit('b.example', async () => {
    throw new Error('no DNS answer at all\nstack detail');
  });
  await jobs.idle();
  assert.equal(failing.status, 'failed');
  assert.equal(failing.error, 'no DNS answer at all');
});

test('finished jobs expire after the TTL; the oldest go first past maxStored', async () => {
  let now = 0;
  const jobs = createJobQueue({ ...options, maxQueued: 10, maxStored: 2, now: () => now });
  const ids = [];
  for (const d of ['a', 'b', 'c']) {
    ids.push(jobs.submit(`${d}.example`, async (job) => result(job.domain)).id);
    await jobs.idle();
  }
  assert.equal(jobs.get(ids[0]!), undefined, 'the oldest of three finished jobs is dropped when two are kept');
  assert.ok(jobs.get(ids[2]!));
  now = 999;
  assert.ok(jobs.get(ids[2]!));
  now = 1000;
  assert.equal(jobs.get(ids[2]!), undefined);
});

test('a job past its time limit is failed, and its slot frees only when the work settles', async () => {
  const jobs = createJobQueue({ ...options, timeoutMs: 20 });
  const g = gate();
  const job = jobs.submit('slow.example', g.work);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(job.status, 'failed');
  assert.match(job.error ?? '', /did not finish within/);
  assert.equal(jobs.stats().running, 1);
  g.open();
  await jobs.idle();
  assert.equal(jobs.stats().running, 0);
  assert.equal(job.status, 'failed', 'a late result does not revive a timed-out job');
});
