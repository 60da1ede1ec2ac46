import { useState } from 'preact/hooks';
import type { Cause, Fix } from '../contract.ts';
import { CopyButton } from './CopyButton.tsx';
import { SafeLink } from './SafeLink.tsx';

/** A DNS record as it is typed into a zone file or a DNS host's form. */
export function recordText(r: { name: string; type: string; value: string }): string {
  const value = r.type.toUpperCase() === 'TXT' ? JSON.stringify(r.value) : r.value;
  return `${r.name}. ${r.type} ${value}`;
}

function FixItem({ fix }: { fix: Fix }) {
  return (
    <li>
      <p>{fix.text}</p>
      {(fix.dns ?? []).map((r, i) => (
        <div class="record" key={i}>
          <code>{recordText(r)}</code>
          <CopyButton text={recordText(r)} label={`the ${r.type} record for ${r.name}`} />
        </div>
      ))}
      {(fix.links ?? []).length > 0 && (
        <ul class="links">
          {(fix.links ?? []).map((l) => (
            <li key={l}>
              <SafeLink href={l} />
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

/** Evidence lines, the first few shown and the rest one click away (a refusal can cite fifty lists). */
function Evidence({ lines }: { lines: string[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? lines : lines.slice(0, EVIDENCE_SHOWN);
  return (
    <>
      <ul class="evidence">
        {shown.map((e, j) => (
          <li key={j}>{e}</li>
        ))}
      </ul>
      {lines.length > EVIDENCE_SHOWN && (
        <button type="button" class="more" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${lines.length} evidence lines`}
        </button>
      )}
    </>
  );
}

const EVIDENCE_SHOWN = 4;

export function Causes({ causes }: { causes: Cause[] }) {
  if (causes.length === 0) return <p>No cause found: nothing explains a delivery problem.</p>;
  return (
    <ol class="causes">
      {causes.map((cause, i) => (
        <li key={cause.id + i}>
          <article class={`cause sev-${cause.severity}`} data-cause-id={cause.id} aria-labelledby={`cause-${i}`}>
            <h3 id={`cause-${i}`}>{cause.summary}</h3>
            <p class="meta">
              <code>{cause.id}</code> · <span class={`badge sev-${cause.severity}`}>{cause.severity}</span> · confidence{' '}
              {Math.round(cause.confidence * 100)}%
            </p>
            {cause.evidence.length > 0 && (
              <>
                <h4>Evidence</h4>
                <Evidence lines={cause.evidence} />
              </>
            )}
            {cause.fixes.length > 0 && (
              <>
                <h4>Fix</h4>
                <ol class="fixes">
                  {cause.fixes.map((f, j) => (
                    <FixItem fix={f} key={j} />
                  ))}
                </ol>
              </>
            )}
          </article>
        </li>
      ))}
    </ol>
  );
}
