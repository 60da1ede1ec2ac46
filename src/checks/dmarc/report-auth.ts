/**
 * External report destinations (RFC 7489 §7.1, RFC 9990 §3): a receiver sends reports to an address
 * outside the policy domain's organization only if that domain publishes
 * `<policy-domain>._report._dmarc.<destination-host>` TXT starting with `v=DMARC1`. A wildcard
 * (`*._report._dmarc.<host>`, erratum 5440) and CNAMEs count; a trailing `;` is fine.
 */
import type { Outcome, Resolver } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { joinTxt } from '../dkim/tag-list.ts';
import { organizationalDomain } from './organizational-domain.ts';
import { isDmarcRecord, type DmarcRecord } from './record.ts';

export interface ReportDestination {
  tag: 'rua' | 'ruf';
  uri: string;
  host: string;
  /** Outside the policy domain's organizational domain: needs authorization. */
  external: boolean;
  authorization: 'not-needed' | 'authorized' | 'unauthorized' | 'unknown';
  /** The authorization name queried (external destinations only). */
  name?: string;
  outcome?: Outcome;
  cnames?: string[];
  dns?: number;
}

export async function checkReportDestinations(resolver: Resolver, policyDomain: string, record: DmarcRecord): Promise<ReportDestination[]> {
  const uris = [
    ...record.rua.map((u) => ({ tag: 'rua' as const, u })),
    ...record.ruf.map((u) => ({ tag: 'ruf' as const, u })),
  ].filter(({ u }) => u.valid && u.host);
  const ownOrg = organizationalDomain(policyDomain) ?? policyDomain;
  return Promise.all(uris.map(async ({ tag, u }) => {
    const host = u.host!;
    const base = { tag, uri: u.uri, host };
    if ((organizationalDomain(host) ?? host) === ownOrg) return { ...base, external: false, authorization: 'not-needed' as const };
    const name = `${policyDomain}._report._dmarc.${host}`;
    const answer = await resolver.query(name, 'TXT');
    const texts = answer.records.map((r) => joinTxt(r.data));
    const authorization = isFailure(answer.outcome) ? 'unknown' : texts.some(isDmarcRecord) ? 'authorized' : 'unauthorized';
    return { ...base, external: true, authorization, name, outcome: answer.outcome, cnames: answer.cnames, dns: answer.id };
  }));
}
