/**
 * Blocklist results with decoded listings: what each list's answer means, its TXT reason (as
 * text), and the list's lookup/delisting page from our catalog. Lists that refused to answer are
 * shown as such, never as clean.
 */
import { arr, obj, str, type Obj } from './shape.ts';
import { SafeLink } from './SafeLink.tsx';

function Row({ r }: { r: Obj }) {
  const url = str(r.delistUrl) ?? str(r.lookupUrl) ?? str(r.url);
  const labels = arr(r.labels).map(str).filter(Boolean);
  const listed = r.status === 'listed';
  return (
    <tr class={listed ? 'listed' : 'bl-error'} data-list={str(r.list) ?? undefined}>
      <td>
        <code>{str(r.target)}</code>
        {arr(r.roles).length > 0 && <div class="muted">{arr(r.roles).map(str).join(', ')}</div>}
      </td>
      <td>
        {str(r.listName) ?? str(r.list)}
        <div class="muted">{str(r.zone)}</div>
      </td>
      <td>
        {listed ? <strong>listed</strong> : 'could not check'}
        {labels.length > 0 && <div>{labels.join(', ')}</div>}
        <div class="muted">{arr(r.codes).map(str).join(', ')}</div>
      </td>
      <td>
        {str(r.meaning)}
        {str(r.txt) && <div class="quote">“{str(r.txt)}”</div>}
        {listed && str(r.delisting) && <div class="muted">{str(r.delisting)}</div>}
      </td>
      <td>{url ? <SafeLink href={url}>{listed ? 'Look up / delist' : 'List page'}</SafeLink> : ''}</td>
    </tr>
  );
}

function Table({ rows, caption }: { rows: Obj[]; caption: string }) {
  return (
    <table class="blocklists">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Target</th>
          <th scope="col">List</th>
          <th scope="col">Result</th>
          <th scope="col">Meaning</th>
          <th scope="col">Delisting</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <Row r={r} key={i} />
        ))}
      </tbody>
    </table>
  );
}

export function Blocklists({ data }: { data: unknown }) {
  const report = obj(data);
  if (!report) return null;
  const results = arr(report.results).map(obj).filter((r): r is Obj => r !== null);
  if (results.length === 0) return null;
  const listed = results.filter((r) => r.status === 'listed');
  const failed = results.filter((r) => r.status === 'error');
  const targets = new Set(results.map((r) => str(r.target))).size;
  const lists = new Set(results.map((r) => str(r.list))).size;
  return (
    <section aria-labelledby="bl-h">
      <h2 id="bl-h">Blocklists</h2>
      <p>
        {targets} addresses and names checked against {lists} lists: {listed.length === 0 ? 'not listed anywhere that answered' : `${listed.length} listings`}
        {failed.length > 0 ? `; ${failed.length} lookups refused or failed (unknown, not clean)` : ''}.
      </p>
      {listed.length > 0 && <Table rows={listed} caption="Listings" />}
      {failed.length > 0 && (
        <details>
          <summary>{failed.length} lookups that could not be checked</summary>
          <Table rows={failed} caption="Refused or failed lookups" />
        </details>
      )}
    </section>
  );
}
