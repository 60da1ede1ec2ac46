/**
 * TLS-RPT check (RFC 8460): does the domain ask sending servers to report TLS failures when they
 * deliver to it? Without it, MTA-STS or DANE problems go unseen until mail bounces.
 */
import type { CheckResult, Context, Finding } from '../types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { joinTxt } from '../dkim/tag-list.ts';
import { normalizeDomain } from '../dmarc/organizational-domain.ts';
import { isTlsRptRecord, parseTlsRptRecord, type TlsRptRecord } from './record.ts';

export type { TlsRptRecord, TlsRptUri } from './record.ts';
export { parseTlsRptRecord } from './record.ts';

export interface TlsRptData {
  domain: string;
  /** `_smtp._tls.<domain>` */
  name: string;
  outcome: string;
  /** TXT at the name that start with v=TLSRPTv1. */
  records: string[];
  record: TlsRptRecord | null;
  errors: string[];
}

export async function run(ctx: Context, target: string): Promise<CheckResult<TlsRptData>> {
  const domain = normalizeDomain(target);
  const name = `_smtp._tls.${domain}`;
  const answer = await ctx.resolver.query(name, 'TXT');
  const records = answer.records.map((r) => joinTxt(r.data).trim()).filter(isTlsRptRecord);
  const parsed = records.length === 1 ? parseTlsRptRecord(records[0]!) : null;
  const data: TlsRptData = { domain, name, outcome: answer.outcome, records, record: parsed?.record ?? null, errors: parsed?.errors ?? [] };
  const dns = [answer.id];
  const finding = (f: Omit<Finding, 'dns'>): CheckResult<TlsRptData> => ({ id: 'tls-rpt', status: isFailure(answer.outcome) ? 'unknown' : f.severity, findings: [{ ...f, dns }], data });
  const example = `v=TLSRPTv1; rua=mailto:tlsrpt@${domain}`;

  if (isFailure(answer.outcome)) {
    return finding({ id: 'tls-rpt.lookup-failed', severity: 'warn', title: 'TLS-RPT lookup failed', detail: `The lookup of ${name} TXT failed (${answer.outcome}); whether TLS reporting is set up is unknown.` });
  }
  if (records.length > 1) {
    return finding({
      id: 'tls-rpt.multiple-records', severity: 'error', title: `${records.length} TLS-RPT records`,
      detail: `${name} has ${records.length} records starting with v=TLSRPTv1; senders then assume the domain does not use TLS reporting (RFC 8460 §3).`,
      data: { records }, fix: { text: 'Keep exactly one TLS-RPT record.', dns: [{ name, type: 'TXT', value: records[0]! }] },
    });
  }
  if (!parsed) {
    return finding({
      id: 'tls-rpt.missing', severity: 'info', title: 'No TLS-RPT record',
      detail: `${name} has no TLS-RPT record (${answer.outcome}): sending servers will not report TLS or MTA-STS/DANE failures when delivering to ${domain}.`,
      fix: { text: 'Publish a TLS-RPT record to receive daily TLS failure reports.', dns: [{ name, type: 'TXT', value: example }] },
    });
  }
  if (parsed.errors.length || !parsed.record.rua.some((u) => u.valid)) {
    return finding({
      id: 'tls-rpt.invalid', severity: 'error', title: 'Invalid TLS-RPT record',
      detail: `${name}: ${parsed.errors.join('; ')}.`, data: { record: parsed.record.text, errors: parsed.errors },
      fix: { text: 'Publish a record of the form v=TLSRPTv1; rua=mailto:<address> (or https:<url>).', dns: [{ name, type: 'TXT', value: example }] },
    });
  }
  return finding({
    id: 'tls-rpt.found', severity: 'ok', title: 'TLS-RPT record found',
    detail: `${name}: reports go to ${parsed.record.rua.map((u) => u.uri).join(', ')}.`, data: { rua: parsed.record.rua.map((u) => u.uri) },
  });
}
