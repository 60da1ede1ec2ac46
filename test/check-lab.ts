/**
 * Lab zones for the `check` tests: a healthy domain with every record a check looks at, a broken
 * one, the reverse zone, and an empty zone for every blocklist queried by default (so "not listed"
 * is a real NXDOMAIN from the lab, not a REFUSED for a zone the lab does not serve).
 */
import type { DnsRecord, RecordType, Resolver } from '../src/net/dns/types.ts';
import { generateKeyPairSync } from 'node:crypto';
import { parseZone, startDnsServer, type DnsServer, type FaultRule, type Zone } from '../src/lab/dns/index.ts';
import { selectLists } from '../src/checks/blocklists/index.ts';
import { createResolver } from '../src/net/dns/client.ts';
import { createDialer } from '../src/net/dialer/index.ts';
import type { Context, RunOptions } from '../src/checks/types.ts';
import { txt, SOA } from './auth-checks-lab.ts';

export { SOA };

const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

export const HEALTHY = `$ORIGIN healthy.test.
$TTL 300
${SOA}
@ NS ns1.domaincontrol.com.
@ MX 10 mx1
@ MX 20 mx2
mx1 A 192.0.2.25
mx2 A 192.0.2.26
@ A 192.0.2.80
www CNAME @
@ TXT "v=spf1 ip4:192.0.2.27 mx include:_spf.healthy.test -all"
out A 192.0.2.27
_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@healthy.test"
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@healthy.test"
s1._domainkey TXT ${txt(`v=DKIM1; k=rsa; p=${dkimKey}`)}
`;

export const BROKEN = `$ORIGIN broken.test.
$TTL 300
${SOA}
@ MX 0 .
@ MX 10 mx.broken.test.
mx CNAME mx1.healthy.test.
@ TXT "v=spf1 +all"
`;

export const REVERSE = `$ORIGIN 2.0.192.in-addr.arpa.
${SOA}
25 PTR mx1.healthy.test.
26 PTR mx2.healthy.test.
27 PTR out.healthy.test.
`;

/** Every zone a default blocklist run queries, empty: every lookup is NXDOMAIN, "not listed". */
export function blocklistZones(): Zone[] {
  return selectLists({}).queried.map((p) => parseZone(`$ORIGIN ${p.zone}.\n${SOA}\n`));
}

/** The `test.` TLD, last so the specific zones win (DMARC's RFC 9989 tree walk asks `_dmarc.test`). */
export const TLD = `$ORIGIN test.\n${SOA}\n`;

export async function startCheckLab(faults: FaultRule[] = []): Promise<DnsServer> {
  return startDnsServer({ zones: [...[HEALTHY, BROKEN, REVERSE].map((z) => parseZone(z)), ...blocklistZones(), parseZone(TLD)], address: '127.0.0.1', port: 0, faults });
}

export function labContext(server: string, options: Partial<RunOptions> = {}, dns: { timeoutMs?: number } = {}): Context {
  return {
    // Generous: a loaded CI machine can stall a loopback answer past a second; tests of timeouts pass their own.
    resolver: createResolver({ servers: [server], timeoutMs: dns.timeoutMs ?? 2500, retries: 0 }),
    dialer: createDialer({ guard: 'offline', defaultTimeoutMs: 1000 }),
    options: { timeoutMs: 1000, noProbe: true, selectors: [], keys: {}, ...options },
    now: () => new Date(),
  };
}

/** One lookup as a wrapped resolver saw it: when it was asked, when answered, and what came back. */
export interface TimedLookup { name: string; type: RecordType; start: number; end: number; answers: DnsRecord[] }

/** `inner`, reporting every lookup it answers (cache hits included) to `record`. */
export function recordingResolver(inner: Resolver, record: (lookup: TimedLookup) => void): Resolver {
  return {
    transcript: inner.transcript,
    stats: inner.stats,
    servers: inner.servers,
    async query<T extends RecordType>(name: string, type: T) {
      const start = performance.now();
      const result = await inner.query(name, type);
      record({ name: name.toLowerCase().replace(/\.$/, ''), type, start, end: performance.now(), answers: result.answers });
      return result;
    },
  };
}
