/**
 * MX check: where mail for a domain goes (RFC 5321 §5.1, RFC 7505) and whether a sender can get
 * there. The lookup is staged so dependent checks start as soon as their input exists: DANE needs
 * only the MX names (`records`), reverse DNS needs each host's addresses (`hosts`).
 */
import type { CheckResult, Context } from '../types.ts';
import { checkStatus } from '../status.ts';
import { lookupMxRecords, type MxRecordSet, type MxKind, type MxTarget } from './records.ts';
import { resolveMxHost, addressLookupFailed, type MxHost, type MxAddress } from './exchange.ts';
import { mxFindings } from './findings.ts';

export type { MxRecordSet, MxKind, MxTarget, MxHost, MxAddress };
export { lookupMxRecords, resolveMxHost, addressLookupFailed, mxFindings };

export interface MxData {
  domain: string;
  kind: MxKind;
  /** Transcript id of the MX query. */
  dns: number;
  /** AD flag of the MX answer. */
  ad: boolean;
  /** Hosts in preference order with their addresses (the implicit MX is the domain itself). */
  hosts: MxHost[];
  nullMx: boolean;
}

/** An MX lookup in flight, stage by stage. */
export interface MxLookup {
  domain: string;
  /** The MX RRset (one query). */
  records: Promise<MxRecordSet>;
  /** One promise per host, available as soon as the MX RRset is in. */
  hosts: Promise<Promise<MxHost>[]>;
  /** The whole check. */
  result: Promise<CheckResult<MxData>>;
}

export function startMx(ctx: Context, domain: string): MxLookup {
  const records = lookupMxRecords(ctx, domain);
  const hosts = records.then((set) => set.targets.map((target) => resolveMxHost(ctx, target)));
  const result = hosts.then(async (pending) => {
    const set = await records;
    const resolved = await Promise.all(pending);
    const findings = mxFindings(set, resolved);
    const incomplete = set.kind === 'failed' || resolved.some(addressLookupFailed);
    const data: MxData = { domain, kind: set.kind, dns: set.dns, ad: set.ad, hosts: resolved, nullMx: set.nullMx };
    return { id: 'mx', status: checkStatus(findings, incomplete), findings, data };
  });
  return { domain, records, hosts, result };
}

export async function run(ctx: Context, domain: string): Promise<CheckResult<MxData>> {
  return startMx(ctx, domain).result;
}
