/**
 * One job, from its permalink: live progress while it runs (server-sent events), then the
 * report; a finished job opened later shows its report at once.
 */
import { useEffect, useState } from 'preact/hooks';
import { getJob, streamJob } from '../api.ts';
import type { JobView } from '../contract.ts';
import { Report } from '../report/Report.tsx';
import { Progress, type CheckProgress } from './Progress.tsx';

export function JobPage({ id }: { id: string }) {
  const [job, setJob] = useState<JobView | null>(null);
  const [checks, setChecks] = useState<CheckProgress[]>([]);
  const [phase, setPhase] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    async function follow() {
      let current = await getJob(id);
      setJob(current);
      if (current.status === 'queued' || current.status === 'running') {
        await streamJob(id, (e) => {
          if (e.event === 'status') setJob((j) => (j ? { ...j, status: e.data.status as JobView['status'] } : j));
          if (e.event !== 'progress') return;
          const p = e.data;
          if (p.kind === 'phase') setPhase(p.phase);
          else if (p.kind === 'check-start') setChecks((cs) => (cs.some((c) => c.name === p.check) ? cs : [...cs, { name: p.check, status: null }]));
          else setChecks((cs) => (cs.some((c) => c.name === p.check) ? cs.map((c) => (c.name === p.check ? { ...c, status: p.status } : c)) : [...cs, { name: p.check, status: p.status }]));
        }, abort.signal);
        current = await getJob(id);
        setJob(current);
      }
    }
    follow().catch((err: Error) => {
      if (!abort.signal.aborted) setError(err.message);
    });
    return () => abort.abort();
  }, [id]);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!job) return <p role="status">Loading…</p>;
  if (job.status === 'failed') return <p class="error" role="alert">The diagnosis of {job.domain} failed: {job.error}</p>;
  if (job.status === 'done' && job.result) return <Report id={id} diagnosis={job.result} />;
  return <Progress checks={checks} phase={phase} queued={job.status === 'queued'} />;
}
