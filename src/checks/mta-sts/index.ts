/**
 * MTA-STS check (RFC 8461): the `_mta-sts` TXT record, the policy fetched over HTTPS as a sender
 * fetches it (valid certificate required), and whether its `mx` patterns cover every MX host —
 * an MX the policy does not list is one that MTA-STS senders refuse to deliver to in enforce mode.
 */
import { severityRank, worstSeverity, type CheckResult, type Context, type Finding } from '../types.ts';
import { isFailure, type Outcome } from '../../net/dns/types.ts';
import { normalizeDomain } from '../dmarc/organizational-domain.ts';
import { isStsRecord, parseStsRecord, type StsRecord } from './record.ts';
import { mtaStsCovers, parsePolicy, type PolicyProblem, type StsPolicy } from './policy.ts';
import { fetchPolicy, type PolicyFetch } from './fetch.ts';
import { stsFindings } from './findings.ts';

export { mtaStsCovers, parsePolicy, type StsPolicy, type StsMode } from './policy.ts';
export { parseStsRecord, type StsRecord } from './record.ts';
export type { PolicyFetch, PolicyCertificate } from './fetch.ts';

export interface MtaStsData {
  domain: string;
  txt: { name: string; outcome: Outcome; records: string[]; record: StsRecord | null; errors: string[]; dns: number };
  /** Null when not fetched (no record, or `--no-probe`). */
  fetch: PolicyFetch | null;
  probeSkipped: boolean;
  policy: StsPolicy | null;
  policyProblems: PolicyProblem[];
  mx: { outcome: Outcome; hosts: { host: string; covered: boolean }[]; nullMx: boolean; dns: number } | null;
}

export async function run(ctx: Context, target: string): Promise<CheckResult<MtaStsData>> {
  const domain = normalizeDomain(target);
  const name = `_mta-sts.${domain}`;
  const answer = await ctx.resolver.query(name, 'TXT');
  const records = answer.records.map((r) => r.data.join('').trim()).filter(isStsRecord);
  const parsed = records.length === 1 ? parseStsRecord(records[0]!) : null;
  const data: MtaStsData = {
    domain,
    txt: { name, outcome: answer.outcome, records, record: parsed?.record ?? null, errors: parsed?.errors ?? [], dns: answer.id },
    fetch: null,
    probeSkipped: false,
    policy: null,
    policyProblems: [],
    mx: null,
  };

  // Without exactly one valid record senders look no further (RFC 8461 §3.1), and neither do we.
  if (parsed && parsed.errors.length === 0) {
    const [fetched, mx] = await Promise.all([ctx.options.noProbe ? Promise.resolve(null) : fetchPolicy(ctx, domain), ctx.resolver.query(domain, 'MX')]);
    data.probeSkipped = ctx.options.noProbe;
    data.fetch = fetched;
    if (fetched?.outcome === 'fetched' && fetched.body !== null) {
      const p = parsePolicy(fetched.body);
      data.policy = p.policy;
      data.policyProblems = p.problems;
    }
    const hosts = mx.records.map((r) => r.data.exchange.toLowerCase().replace(/\.$/, ''));
    const nullMx = hosts.length === 1 && (hosts[0] === '' || hosts[0] === '.');
    data.mx = {
      outcome: mx.outcome,
      nullMx,
      hosts: nullMx ? [] : hosts.map((host) => ({ host, covered: data.policy ? mtaStsCovers(data.policy, host) : false })),
      dns: mx.id,
    };
  }

  const findings = stsFindings(data);
  return { id: 'mta-sts', status: statusOf(data, findings), findings, data };
}

function statusOf(data: MtaStsData, findings: Finding[]): CheckResult['status'] {
  const worst = worstSeverity(findings.filter((f) => f.id !== 'mta-sts.lookup-failed' && f.id !== 'mta-sts.policy-unreachable'));
  if (severityRank(worst) >= severityRank('error')) return worst;
  const fetchFailed = data.fetch?.outcome === 'dns-failed' || data.fetch?.outcome === 'unreachable' || data.fetch?.outcome === 'timeout';
  const mxFailed = data.mx !== null && data.policy !== null && isFailure(data.mx.outcome);
  if (isFailure(data.txt.outcome) || fetchFailed || mxFailed) return 'unknown';
  // Only the TXT record was seen: not enough to call the policy working.
  if (data.probeSkipped) return 'info';
  return worst === 'info' && findings.some((f) => f.severity === 'ok') ? 'ok' : worst;
}
