/** Every check with its status and findings, collapsed: the detail behind the causes. */
import type { CheckResult } from '../contract.ts';

export function Checks({ checks }: { checks: Record<string, CheckResult> }) {
  // Only well-formed check results: a malformed entry must not take the whole report down.
  const entries = Object.entries(checks).filter(([, c]) => c && typeof c.status === 'string' && Array.isArray(c.findings));
  if (entries.length === 0) return null;
  return (
    <section aria-labelledby="checks-h">
      <h2 id="checks-h">All checks</h2>
      {entries.map(([name, check]) => (
        <details key={name} class={`check st-${check.status}`}>
          <summary>
            <span class={`badge sev-${check.status}`}>{check.status}</span> {name}{' '}
            <span class="muted">({check.findings.length} findings)</span>
          </summary>
          <ul>
            {check.findings.map((f, i) => (
              <li key={i} class={`finding sev-${f.severity}`}>
                <span class={`badge sev-${f.severity}`}>{f.severity}</span> <strong>{f.title}</strong> <code class="muted">{f.id}</code>
                {f.detail && <p>{f.detail}</p>}
              </li>
            ))}
          </ul>
        </details>
      ))}
    </section>
  );
}
