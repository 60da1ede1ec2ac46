/**
 * BIMI check: the logo record at `default._bimi.<domain>` (falling back to the organizational
 * domain), and the condition every mailbox provider sets before showing a logo: DMARC enforced
 * (quarantine or reject, for all mail, subdomains included).
 */
import { severityRank, worstSeverity, type CheckResult, type Context, type Finding } from '../types.ts';
import { isFailure, type DnsResult } from '../../net/dns/types.ts';
import { joinTxt } from '../dkim/tag-list.ts';
import { normalizeDomain, organizationalDomain } from '../dmarc/organizational-domain.ts';
import { run as runDmarc, type DmarcData } from '../dmarc/index.ts';
import { isBimiRecord, parseBimiRecord, type BimiProblem, type BimiRecord } from './record.ts';

export type { BimiRecord } from './record.ts';
export { parseBimiRecord } from './record.ts';

export interface BimiOptions {
  /** The DMARC check's data for the same domain, to avoid running it twice. */
  dmarc?: DmarcData;
}

export interface BimiData {
  domain: string;
  /** Where the record was found (`default._bimi.<domain or org domain>`), or null. */
  name: string | null;
  record: BimiRecord | null;
  problems: BimiProblem[];
  lookups: { name: string; outcome: string; dns: number }[];
  /** DMARC as BIMI needs it: null when it could not be determined. */
  dmarcEnforced: boolean | null;
}

const SELECTOR = 'default';

export async function run(ctx: Context, target: string, options: BimiOptions = {}): Promise<CheckResult<BimiData>> {
  const domain = normalizeDomain(target);
  const org = organizationalDomain(domain);
  const names = [domain, ...(org && org !== domain ? [org] : [])].map((d) => `${SELECTOR}._bimi.${d}`);
  const lookups: BimiData['lookups'] = [];
  let found: { name: string; text: string; dns: number; count: number } | null = null;
  let failure: DnsResult | null = null;
  for (const name of names) {
    const answer = await ctx.resolver.query(name, 'TXT');
    lookups.push({ name, outcome: answer.outcome, dns: answer.id });
    if (isFailure(answer.outcome)) {
      failure = answer;
      break;
    }
    const texts = answer.records.map((r) => joinTxt(r.data).trim()).filter(isBimiRecord);
    if (texts.length) {
      found = { name, text: texts[0]!, dns: answer.id, count: texts.length };
      break;
    }
  }

  const parsed = found ? parseBimiRecord(found.text) : null;
  const dmarcEnforced = parsed && !parsed.record.declined ? await dmarcEnforcement(ctx, domain, options.dmarc) : null;
  const data: BimiData = { domain, name: found?.name ?? null, record: parsed?.record ?? null, problems: parsed?.problems ?? [], lookups, dmarcEnforced: dmarcEnforced?.enforced ?? null };
  const findings = bimiFindings(data, found, failure, dmarcEnforced);
  const worst = worstSeverity(findings.filter((f) => f.id !== 'bimi.lookup-failed' && f.id !== 'bimi.dmarc-unknown'));
  const unknown = failure !== null || (dmarcEnforced !== null && dmarcEnforced.enforced === null);
  const status = severityRank(worst) >= severityRank('error') ? worst : unknown ? 'unknown' : worst;
  return { id: 'bimi', status, findings, data };
}

interface Enforcement {
  enforced: boolean | null;
  why: string;
  dns: number[];
}

/** BIMI requires p=quarantine or reject at 100% and no sp=none (draft §4.3). */
async function dmarcEnforcement(ctx: Context, domain: string, given?: DmarcData): Promise<Enforcement> {
  const dmarc = given ?? (await runDmarc(ctx, domain)).data;
  const dns = dmarc.published ? [dmarc.published.dns] : [];
  if (!dmarc.effective.known) return { enforced: null, why: 'the DMARC lookups failed', dns };
  if (!dmarc.published) return { enforced: false, why: 'the domain has no DMARC record', dns };
  const r = dmarc.published.record;
  if (!dmarc.effective.enforced) return { enforced: false, why: `the DMARC policy is not enforced (${dmarc.effective.policy ? `p=${r.p}${r.pct !== null && r.pct < 100 ? `, pct=${r.pct}` : ''}${r.t === 'y' ? ', t=y' : ''}` : 'no policy applies'})`, dns };
  if (r.sp === 'none') return { enforced: false, why: 'sp=none leaves subdomains unenforced', dns };
  return { enforced: true, why: `DMARC is enforced (p=${r.p})`, dns };
}

function bimiFindings(data: BimiData, found: { name: string; dns: number; count: number } | null, failure: DnsResult | null, dmarc: Enforcement | null): Finding[] {
  const findings: Finding[] = [];
  if (failure) {
    findings.push({ id: 'bimi.lookup-failed', severity: 'warn', title: 'BIMI lookup failed', detail: `The lookup of ${failure.name} TXT failed (${failure.outcome}); whether a BIMI record is published is unknown.`, dns: [failure.id] });
    return findings;
  }
  if (!found || !data.record) {
    findings.push({
      id: 'bimi.missing', severity: 'info', title: 'No BIMI record',
      detail: `No BIMI record at ${data.lookups.map((l) => l.name).join(' nor ')}. BIMI is optional: it shows the brand logo next to authenticated mail at Gmail, Yahoo and Apple Mail.`,
      dns: data.lookups.map((l) => l.dns),
    });
    return findings;
  }
  const dns = [found.dns];
  if (found.count > 1) findings.push({ id: 'bimi.multiple-records', severity: 'error', title: `${found.count} BIMI records`, detail: `${found.name} has ${found.count} BIMI records; receivers ignore them all.`, dns });
  for (const p of data.problems) {
    findings.push({ id: p.severity === 'error' ? 'bimi.invalid' : 'bimi.syntax-warning', severity: p.severity, title: `BIMI record: ${p.message.split(':')[0]}`, detail: `${found.name}: ${p.message}.`, dns });
  }
  if (data.record.declined) {
    findings.push({ id: 'bimi.declined', severity: 'info', title: 'BIMI declined', detail: `${found.name} publishes an empty l= and a=: the domain asks receivers to show no logo.`, dns });
    return findings;
  }
  if (!data.problems.some((p) => p.severity === 'error')) {
    findings.push({ id: 'bimi.found', severity: 'ok', title: 'BIMI record found', detail: `${found.name}: logo ${data.record.logo}${data.record.authority ? `, mark certificate ${data.record.authority}` : ''}.`, data: { logo: data.record.logo, authority: data.record.authority }, dns });
  }
  if (!data.record.authority) {
    findings.push({ id: 'bimi.no-certificate', severity: 'info', title: 'No mark certificate (a=)', detail: 'Without a Verified Mark Certificate or Common Mark Certificate, Gmail and Apple Mail do not show the logo; Yahoo may.', dns });
  }
  if (dmarc?.enforced === false) {
    findings.push({
      id: 'bimi.dmarc-not-enforced', severity: 'warn', title: 'BIMI needs DMARC enforcement',
      detail: `No receiver shows a BIMI logo unless DMARC is p=quarantine or p=reject for all mail: ${dmarc.why}.`,
      dns: [...dns, ...dmarc.dns],
      fix: { text: 'Move DMARC to p=quarantine or p=reject with no pct below 100 and no sp=none.' },
    });
  } else if (dmarc?.enforced === null) {
    findings.push({ id: 'bimi.dmarc-unknown', severity: 'warn', title: 'DMARC enforcement unknown', detail: `Whether DMARC meets BIMI's requirement is unknown: ${dmarc.why}.`, dns });
  }
  return findings;
}
