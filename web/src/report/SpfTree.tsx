/**
 * The SPF record as a tree: each include and redirect with the record it reached, how many of the
 * ten DNS lookups (RFC 7208 §4.6.4) each branch spends, void lookups, and the total against the
 * limit. Reads the SPF check's `tree` (SpfNode: record, terms, lookups, children).
 */
import { arr, num, obj, str, type Obj } from './shape.ts';

const STATUS_TEXT: Record<string, string> = {
  none: 'no SPF record',
  nxdomain: 'the name does not exist',
  multiple: 'several SPF records (permerror)',
  'syntax-error': 'syntax error (permerror)',
  'lookup-failed': 'lookup failed: unknown',
  loop: 'include loop',
  'not-followed': 'not followed',
};

function Node({ node, depth }: { node: Obj; depth: number }) {
  const lookups = num(node.lookups) ?? 0;
  const status = str(node.status) ?? 'ok';
  const children = arr(node.children).map(obj).filter((c): c is Obj => c !== null);
  const voids = arr(node.terms).map(obj).filter((t) => t && (obj(t.void)?.v4 === true || obj(t.void)?.v6 === true)).map((t) => str(t!.term));
  return (
    <li class="spf-node" data-spf-domain={str(node.domain) ?? undefined}>
      <div>
        {str(node.term) && <code class="muted">{str(node.term)}</code>} <strong>{str(node.domain)}</strong>{' '}
        <span class={`badge${lookups > 10 ? ' over' : ''}`}>
          {lookups} lookup{lookups === 1 ? '' : 's'}
        </span>
        {status !== 'ok' && <span class="bad-text"> · {STATUS_TEXT[status] ?? status}</span>}
        {str(node.error) && <div class="muted">{str(node.error)}</div>}
      </div>
      {str(node.record) && <code class="record-text">{str(node.record)}</code>}
      {voids.length > 0 && <div class="muted">void lookups: {voids.join(', ')}</div>}
      {children.length > 0 && depth < 12 && (
        <ul>
          {children.map((c, i) => (
            <Node node={c} depth={depth + 1} key={i} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function SpfTree({ data }: { data: unknown }) {
  const d = obj(data);
  const root = obj(d?.tree);
  if (!d || !root) return null;
  const total = num(obj(d.lookups)?.total) ?? num(root.lookups) ?? 0;
  const limit = num(obj(d.lookups)?.limit) ?? 10;
  const withMx = num(obj(d.lookups)?.withMxHosts);
  const voids = obj(d.voidLookups);
  const networks = arr(d.networks).length;
  return (
    <section aria-labelledby="spf-h">
      <h2 id="spf-h">SPF include tree</h2>
      <p>
        <strong class={total > limit ? 'over' : undefined}>
          {total} of {limit}
        </strong>{' '}
        DNS lookups{withMx !== null && withMx !== total ? ` (${withMx} counting MX host addresses)` : ''}
        {voids && (
          <>
            {' '}· void lookups: {num(voids.v4) ?? 0} for IPv4 clients, {num(voids.v6) ?? 0} for IPv6 (limit {num(voids.limit) ?? 2})
          </>
        )}
        {networks > 0 && <> · {networks} networks named</>}
      </p>
      <ul class="spf-tree">
        <Node node={root} depth={0} />
      </ul>
    </section>
  );
}
