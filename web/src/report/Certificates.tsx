/**
 * The TLS certificates the probes saw (web site and mail servers): who it names, who issued it,
 * when it expires, and whether a client would trust it. The checks keep each handshake as a
 * TlsPeer record; this finds them wherever a check put them.
 */
import type { CheckResult } from '../contract.ts';
import { arr, bool, num, obj, str, type Obj } from './shape.ts';

interface Seen {
  check: string;
  /** The address the handshake was made with, from the probe around it, when it says. */
  address: string | null;
  peer: Obj;
}

function isTlsPeer(o: Obj): boolean {
  return Array.isArray(o.chain) && typeof o.expectedName === 'string';
}

function collect(value: unknown, check: string, out: Seen[], depth: number, address: string | null): void {
  if (depth > 6 || out.length > 40) return;
  if (Array.isArray(value)) {
    for (const v of value) collect(v, check, out, depth + 1, address);
    return;
  }
  const o = obj(value);
  if (!o) return;
  if (isTlsPeer(o)) {
    out.push({ check, address, peer: o });
    return;
  }
  const here = str(o.address) ?? address;
  for (const v of Object.values(o)) collect(v, check, out, depth + 1, here);
}

export function findCertificates(checks: Record<string, CheckResult>): Seen[] {
  const out: Seen[] = [];
  for (const [name, check] of Object.entries(checks)) collect(check.data, name, out, 0, null);
  return out;
}

function verdict(peer: Obj): string {
  const problems: string[] = [];
  if (bool(peer.expired)) problems.push('expired');
  if (bool(peer.notYetValid)) problems.push('not yet valid');
  if (bool(peer.selfSigned)) problems.push('self-signed');
  if (peer.nameMatch === null) problems.push(`does not name ${str(peer.expectedName)}`);
  if (bool(peer.trusted) === false && !bool(peer.selfSigned)) problems.push(`untrusted chain${str(peer.authorizationError) ? ` (${str(peer.authorizationError)})` : ''}`);
  return problems.length ? problems.join(', ') : 'valid';
}

export function Certificates({ checks }: { checks: Record<string, CheckResult> }) {
  const seen = findCertificates(checks);
  if (seen.length === 0) return null;
  return (
    <section aria-labelledby="certs-h">
      <h2 id="certs-h">Certificates</h2>
      <table class="certs">
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">Certificate</th>
            <th scope="col">Valid until</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {seen.map(({ check, address, peer }, i) => {
            const leaf = obj(arr(peer.chain)[0]);
            const days = num(peer.daysLeft);
            const v = verdict(peer);
            return (
              <tr key={i}>
                <td>
                  <code>{str(peer.expectedName)}</code>
                  <div class="muted">
                    {check}
                    {address ? ` · ${address}` : ''}
                    {str(peer.protocol) ? ` · ${str(peer.protocol)}` : ''}
                  </div>
                </td>
                <td>
                  {leaf ? (
                    <>
                      <div>subject: {str(leaf.subject)}</div>
                      <div>issuer: {str(leaf.issuer)}</div>
                      {arr(leaf.altNames).length > 0 && <div class="muted">names: {arr(leaf.altNames).map(str).join(', ')}</div>}
                      {str(leaf.key) && <div class="muted">key: {str(leaf.key)}</div>}
                    </>
                  ) : (
                    <span class="muted">no certificate</span>
                  )}
                </td>
                <td>
                  {str(leaf?.validTo)?.slice(0, 10)}
                  {days !== null && <div class="muted">{days < 0 ? `expired ${-days} days ago` : `${days} days left`}</div>}
                </td>
                <td class={v === 'valid' ? 'ok' : 'bad'}>{v}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
