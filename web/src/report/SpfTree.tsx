/**
 * The SPF record as a tree: each include and redirect with the record it reached, how many of the
 * ten DNS lookups (RFC 7208 §4.6.4) each part spends, and the total against the limit.
 */
import { arr, num, obj, str, type Obj } from './shape.ts';

/** Lookups that count toward the 10, in this record and everything below it. */
function countLookups(node: Obj): number {
  let n = 0;
  for (const term of arr(node.terms).map(obj)) {
    if (!term) continue;
    if (num(term.lookup) !== null) n++;
    const child = obj(term.record);
    if (child) n += countLookups(child);
  }
  return n;
}

function Node({ node, depth }: { node: Obj; depth: number }) {
  const terms = arr(node.terms).map(obj).filter((t): t is Obj => t !== null);
  const own = terms.filter((t) => num(t.lookup) !== null).length;
  const total = countLookups(node);
  const children = terms.filter((t) => obj(t.record));
  return (
    <li class="spf-node">
      <div>
        <strong>{str(node.domain)}</strong> <span class="muted">({str(node.via) ?? 'record'})</span>{' '}
        <span class="badge">{total} lookup{total === 1 ? '' : 's'}{children.length > 0 ? ` (${own} here)` : ''}</span>
        {str(node.result) && <span class="muted"> · {str(node.result)}</span>}
      </div>
      {str(node.record) ? <code class="record-text">{str(node.record)}</code> : <div class="muted">{str(node.error) ?? 'no SPF record'}</div>}
      {children.length > 0 && depth < 12 && (
        <ul>
          {children.map((t, i) => (
            <Node node={obj(t.record)!} depth={depth + 1} key={i} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** Finds the record trace in the SPF check's data, whatever it is nested under. */
export function spfTrace(data: unknown): Obj | null {
  const d = obj(data);
  if (!d) return null;
  for (const key of ['tree', 'trace']) {
    const candidate = obj(d[key]);
    if (candidate && Array.isArray(candidate.terms)) return candidate;
    const inner = obj(candidate?.trace);
    if (inner && Array.isArray(inner.terms)) return inner;
  }
  return Array.isArray(d.terms) ? d : null;
}

export function SpfTree({ data }: { data: unknown }) {
  const root = spfTrace(data);
  if (!root) return null;
  const d = obj(data)!;
  const lookups = num(d.lookups) ?? countLookups(root);
  const voids = num(d.voidLookups);
  return (
    <section aria-labelledby="spf-h">
      <h2 id="spf-h">SPF include tree</h2>
      <p>
        <strong class={lookups > 10 ? 'over' : undefined}>{lookups} of 10</strong> DNS lookups
        {voids !== null && <> · {voids} of 2 void lookups</>}
      </p>
      <ul class="spf-tree">
        <Node node={root} depth={0} />
      </ul>
    </section>
  );
}
