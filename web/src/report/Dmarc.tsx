/**
 * DMARC read both ways: how a receiver following RFC 7489 (Public Suffix List, pct) and one
 * following RFC 9989 (DNS Tree Walk, np, psd, t) apply the published policy, for the domain and
 * for a subdomain that does not exist — the two can differ, and spoofers use the gap.
 */
import { arr, at, num, obj, str, type Obj } from './shape.ts';

function ReadingCell({ reading }: { reading: Obj | null }) {
  if (!reading) return <td class="muted">not read</td>;
  const outcome = str(reading.outcome);
  const policy = str(reading.policy);
  const pct = num(reading.pct);
  return (
    <td>
      <strong>{outcome === 'unknown' ? 'unknown (lookup failed)' : policy ? `${str(reading.tag) ?? 'p'}=${policy}` : 'no DMARC policy'}</strong>
      {pct !== null && pct < 100 && <> · pct={pct}</>}
      {reading.testing === true && <> · test mode (t=y)</>}
      <div class="muted">{str(reading.why)}</div>
    </td>
  );
}

export function Dmarc({ data }: { data: unknown }) {
  const d = obj(data);
  const readings = obj(d?.readings);
  if (!d || !readings) return null;
  const published = obj(d.published);
  const sub = str(readings.nonexistentName);
  return (
    <section aria-labelledby="dmarc-h">
      <h2 id="dmarc-h">DMARC, read both ways</h2>
      {published ? (
        <p>
          Record at <code>_dmarc.{str(published.domain)}</code>
          {published.inherited === true ? ' (inherited from the organizational domain)' : ''}: <code class="record-text">{str(published.text)}</code>
        </p>
      ) : (
        <p>No DMARC record covers {str(d.domain)}.</p>
      )}
      <table class="dmarc">
        <thead>
          <tr>
            <th scope="col">Mail from</th>
            <th scope="col">RFC 7489 receivers (Public Suffix List)</th>
            <th scope="col">RFC 9989 receivers (DNS tree walk)</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">{str(d.domain)}</th>
            <ReadingCell reading={obj(at(readings, 'rfc7489', 'domain'))} />
            <ReadingCell reading={obj(at(readings, 'rfc9989', 'domain'))} />
          </tr>
          <tr>
            <th scope="row">a subdomain that does not exist{sub ? <div class="muted">{sub}</div> : null}</th>
            <ReadingCell reading={obj(at(readings, 'rfc7489', 'nonexistentSubdomain'))} />
            <ReadingCell reading={obj(at(readings, 'rfc9989', 'nonexistentSubdomain'))} />
          </tr>
        </tbody>
      </table>
      {arr(d.failures).length > 0 && (
        <p class="muted">Lookups that failed: {arr(d.failures).map((f) => str(obj(f)?.what)).filter(Boolean).join(', ')}</p>
      )}
    </section>
  );
}
