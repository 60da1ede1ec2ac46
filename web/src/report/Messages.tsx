/**
 * The messages given to the run: what each bounce says (reason, status, the receiver's words) and
 * the Received chain of the returned message as a timeline, oldest hop first, with the delay
 * between hops and the originating hop marked.
 */
import { arr, bool, formatSeconds, num, obj, str, type Obj } from './shape.ts';

function Recipients({ bounce }: { bounce: Obj }) {
  const recipients = arr(bounce.recipients).map(obj).filter((r): r is Obj => r !== null);
  if (recipients.length === 0) return null;
  return (
    <table>
      <caption>Recipients the bounce reports</caption>
      <thead>
        <tr>
          <th scope="col">Recipient</th>
          <th scope="col">Reason</th>
          <th scope="col">Status</th>
          <th scope="col">What the receiver said</th>
        </tr>
      </thead>
      <tbody>
        {recipients.map((r, i) => (
          <tr key={i}>
            <td>{str(r.address)}</td>
            <td>
              {str(r.reason)}
              {/* Sisimai's sense: a hard bounce will fail again as is; a soft one may pass once the cause is fixed. */}
              {bool(r.hard) === true ? ' (hard bounce)' : bool(r.hard) === false ? ' (soft bounce)' : ''}
            </td>
            <td>
              {[str(r.replyCode), str(r.status)].filter(Boolean).join(' ')}
              {str(r.statusMeaning) && <div class="muted">{str(r.statusMeaning)}</div>}
            </td>
            <td class="quote">{str(r.diagnostic)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Hops({ hops, originIp }: { hops: Obj[]; originIp: string | null }) {
  if (hops.length === 0) return <p class="muted">No Received headers.</p>;
  return (
    <ol class="timeline" aria-label="Received hops, oldest first">
      {hops.map((hop, i) => {
        const ip = str(hop.fromIp);
        const isOrigin = originIp !== null && ip === originIp;
        const delay = num(hop.delaySeconds);
        return (
          <li key={i} class={isOrigin ? 'hop origin' : 'hop'} data-origin={isOrigin ? 'true' : undefined}>
            <div class="hop-head">
              <strong>{str(hop.from) ?? str(hop.helo) ?? 'unknown host'}</strong>
              {ip && <code>{ip}</code>}
              {isOrigin && <span class="badge origin-badge">origin</span>}
              {bool(hop.local) && <span class="badge">local hand-off</span>}
            </div>
            <div class="hop-body">
              → {str(hop.by) ?? 'unknown'}
              {str(hop.with) && <> with {str(hop.with)}</>}
              {str(hop.date) && <span class="muted"> · {str(hop.date)}</span>}
              {delay !== null && (
                <span class={bool(hop.skew) ? 'delay skew' : 'delay'}>
                  {' '}· {bool(hop.skew) ? 'clock skew ' : '+'}
                  {formatSeconds(delay)}
                </span>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** One Received chain with its originating host: the message's own, or the returned copy's. */
function Chain({ message, title }: { message: Obj; title: string }) {
  const hops = arr(message.hops).map(obj).filter((h): h is Obj => h !== null);
  const origin = obj(message.origin);
  const originIp = str(origin?.ip);
  const submission = arr(message.submission).map(obj).filter((s): s is Obj => s !== null);
  if (hops.length === 0 && !origin) return null;
  return (
    <div class="chain">
      <h4>{title}</h4>
      {origin && (
        <p class="origin-line">
          Originating host: <code>{originIp ?? 'no address recorded'}</code>
          {str(origin.host) && <> ({str(origin.host)})</>}
          {str(origin.kind) === 'local-submission' && <> · submitted locally on that host</>}
          {arr(origin.reasoning).length > 0 && <span class="muted"> — {arr(origin.reasoning).map(str).filter(Boolean).join('; ')}</span>}
        </p>
      )}
      {submission.length > 0 && (
        <p>
          Written by a script:{' '}
          {submission.map((s, i) => (
            <code key={i}>
              {str(s.header)}: {str(s.value)}
            </code>
          ))}
        </p>
      )}
      <Hops hops={hops} originIp={originIp} />
    </div>
  );
}

function Message({ message, index }: { message: Obj; index: number }) {
  const bounce = obj(message.bounce);
  // A bounce carries two chains: its own way to us, and the returned message's way out, which
  // tells where the mail in the domain's name really came from.
  const original = obj(message.original);
  const name = str(message.file) ?? str(message.name) ?? `message ${index + 1}`;
  return (
    <article class="message" aria-labelledby={`msg-${index}`}>
      <h3 id={`msg-${index}`}>
        {name} <span class="muted">({str(message.kind) ?? 'message'})</span>
      </h3>
      {str(message.subject) && <p>Subject: {str(message.subject)}</p>}
      {bounce && (
        <p>
          Bounce reason: <strong>{str(bounce.reason)}</strong>
          {str(bounce.reportingMta) && <> · reported by {str(bounce.reportingMta)}</>}
        </p>
      )}
      {bounce && <Recipients bounce={bounce} />}
      <Chain message={message} title="Received hops of this message, oldest first" />
      {original && <Chain message={original} title="Received hops of the returned message" />}
      {arr(message.problems).length > 0 && (
        <ul class="muted">
          {arr(message.problems).map((p, i) => (
            <li key={i}>{str(p)}</li>
          ))}
        </ul>
      )}
    </article>
  );
}

export function Messages({ messages }: { messages: unknown[] }) {
  const list = messages.map(obj).filter((m): m is Obj => m !== null);
  if (list.length === 0) return null;
  return (
    <section aria-labelledby="messages-h">
      <h2 id="messages-h">Bounces and messages</h2>
      {list.map((m, i) => (
        <Message message={m} index={i} key={i} />
      ))}
    </section>
  );
}
