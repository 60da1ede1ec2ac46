/** Live progress: each check as it starts and finishes, announced politely to screen readers. */
export interface CheckProgress {
  name: string;
  status: string | null;
}

export function Progress({ checks, phase, queued }: { checks: CheckProgress[]; phase: string | null; queued: boolean }) {
  const done = checks.filter((c) => c.status !== null).length;
  return (
    <section class="progress" aria-labelledby="progress-h">
      <h2 id="progress-h">{queued ? 'Waiting for a free slot…' : 'Diagnosing…'}</h2>
      <p aria-live="polite" role="status">
        {queued ? 'Queued behind other diagnoses.' : `${done} of ${checks.length} checks done${phase ? ` · ${phase}` : ''}`}
      </p>
      <ul class="checklist">
        {checks.map((c) => (
          <li key={c.name} class={c.status ? `done st-${c.status}` : 'running'}>
            <span class={`badge sev-${c.status ?? 'running'}`}>{c.status ?? 'running'}</span> {c.name}
          </li>
        ))}
      </ul>
    </section>
  );
}
