/**
 * A finished diagnosis: the verdict first, then the causes with their evidence and fixes, then the
 * facts behind them (bounces and hops, SPF, blocklists, certificates, DMARC, every check).
 */
import { useState } from 'preact/hooks';
import { downloadReport } from '../api.ts';
import type { Diagnosis } from '../contract.ts';
import { jobPath } from '../route.ts';
import { Blocklists } from './Blocklists.tsx';
import { Causes } from './Causes.tsx';
import { Certificates } from './Certificates.tsx';
import { Checks } from './Checks.tsx';
import { CopyButton } from './CopyButton.tsx';
import { Dmarc } from './Dmarc.tsx';
import { Messages } from './Messages.tsx';
import { SpfTree } from './SpfTree.tsx';

const VERDICT_TEXT = { healthy: 'Healthy', problems: 'Problems found', incomplete: 'Incomplete' } as const;

function Downloads({ id, domain }: { id: string; domain: string }) {
  const [error, setError] = useState<string | null>(null);
  const get = (format: 'json' | 'md' | 'html') => downloadReport(id, format, domain).catch((e: Error) => setError(e.message));
  const permalink = new URL(jobPath(id), location.href).href;
  return (
    <div class="downloads">
      <span>
        Permalink: <a href={jobPath(id)}>{permalink}</a> <CopyButton text={permalink} label="the permalink" />
      </span>
      <span>
        Download:{' '}
        <button type="button" onClick={() => get('json')}>JSON</button>{' '}
        <button type="button" onClick={() => get('md')}>Markdown</button>{' '}
        <button type="button" onClick={() => get('html')}>HTML</button>
      </span>
      {error && <span class="error" role="alert">{error}</span>}
    </div>
  );
}

export function Report({ id, diagnosis: d }: { id: string; diagnosis: Diagnosis }) {
  return (
    <div class="report" data-testid="report">
      <section class={`verdict v-${d.verdict}`} aria-labelledby="verdict-h">
        <h2 id="verdict-h">
          {VERDICT_TEXT[d.verdict] ?? d.verdict}: {d.domain}
        </h2>
        <p class="headline">{d.headline}</p>
        <p class="muted">
          {new Date(d.generatedAt).toLocaleString()} · {(d.durationMs / 1000).toFixed(1)} s · {d.dns.queriesSent} DNS queries
          {d.dns.servers.length > 0 && <> via {d.dns.servers.join(', ')}</>}
        </p>
        <Downloads id={id} domain={d.domain} />
      </section>
      <section aria-labelledby="causes-h">
        <h2 id="causes-h">Causes, most likely first</h2>
        <Causes causes={d.causes} />
      </section>
      <Messages messages={d.messages} />
      <SpfTree data={d.checks.spf?.data} />
      <Blocklists data={d.checks.blocklists?.data} />
      <Certificates checks={d.checks} />
      <Dmarc data={d.checks.dmarc?.data} />
      <Checks checks={d.checks} />
    </div>
  );
}
