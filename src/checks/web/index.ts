/**
 * Web check (the reference story's certificate step): the domain and its `www`, HTTPS on 443
 * (certificate, HSTS) and HTTP on 80 (redirect to HTTPS). The web host's addresses are kept in
 * `data.hosts` because the diagnosis and the blocklist engine reuse them: a web server that sends
 * mail in the domain's name is the reference case's root cause.
 */
import type { CheckResult, Context } from '../types.ts';
import { checkStatus } from '../status.ts';
import { probeWebHost, type WebHostResult } from './host.ts';
import { webFindings } from './findings.ts';

export type { WebHostResult, HttpsProbe, HttpProbe, Hsts, WebHostStatus } from './host.ts';
export type { RedirectHop } from './redirect.ts';
export { parseHsts } from './host.ts';
export { webFindings } from './findings.ts';

export interface WebCheckInput {
  /** Host names to probe; default the domain and `www.<domain>`. */
  names?: string[];
}

export interface WebData {
  domain: string;
  skipped?: string;
  hosts: WebHostResult[];
}

export function webNames(domain: string): string[] {
  return domain.startsWith('www.') ? [domain] : [domain, `www.${domain}`];
}

export async function run(ctx: Context, domain: string, input: WebCheckInput = {}): Promise<CheckResult<WebData>> {
  if (ctx.options.noProbe) return { id: 'web', status: 'skipped', findings: [], data: { domain, skipped: 'probes are off (--no-probe)', hosts: [] } };
  const hosts = await Promise.all((input.names ?? webNames(domain)).map((name) => probeWebHost(ctx, name)));
  const findings = webFindings(hosts);
  // Unknown when the apex could not be looked up, or when no HTTPS answer (nor a clear refusal) came from any host.
  const apexFailed = hosts[0]?.status === 'lookup-failed';
  const probed = hosts.filter((h) => h.status === 'ok');
  const learned = probed.some((h) => h.https && (h.https.tls || h.https.failure?.kind === 'connection-refused' || h.https.failure?.step === 'tls'));
  const incomplete = apexFailed || (probed.length > 0 && !learned);
  return { id: 'web', status: checkStatus(findings, incomplete), findings, data: { domain, hosts } };
}
