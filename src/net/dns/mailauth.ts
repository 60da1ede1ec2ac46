/**
 * mailauth's resolver contract, served by our Resolver: its lookups then land in our cache and our
 * transcript, and never on the system resolver. mailauth counts a void lookup only for
 * ENOTFOUND/ENODATA; every other error code becomes temperror, as RFC 7208 §5 wants.
 */
import type { DnsRecord, Resolver, RecordType } from './types.ts';

export type MailauthResolver = (name: string, rrtype: string) => Promise<unknown[]>;

const CODES: Record<string, string> = {
  nxdomain: 'ENOTFOUND',
  nodata: 'ENODATA',
  servfail: 'ESERVFAIL',
  refused: 'EREFUSED',
  timeout: 'ETIMEOUT',
  error: 'ECONNREFUSED',
};

export function mailauthResolver(resolver: Resolver): MailauthResolver {
  return async (name, rrtype) => {
    const type = rrtype.toUpperCase() as RecordType;
    const result = await resolver.query(name, type);
    if (result.outcome !== 'answer') {
      const err = new Error(`${type} ${name}: ${result.outcome}${result.error ? ` (${result.error})` : ''}`) as Error & { code?: string };
      err.code = CODES[result.outcome] ?? 'ESERVFAIL';
      throw err;
    }
    return (result.records as DnsRecord[]).map((r) => {
      switch (r.type) {
        case 'MX': return { exchange: r.data.exchange, priority: r.data.preference };
        case 'TXT': return r.data;
        default: return r.data;
      }
    });
  };
}
