/**
 * Lab plumbing for the domain-authentication check tests: an authoritative DNS server on loopback
 * with zones written in the test, our DNS client pointed at it, and a run context around both.
 */
import { startDnsServer, parseZone, type DnsServer, type FaultRule } from '../src/lab/dns/index.ts';
import { createResolver } from '../src/net/dns/client.ts';
import { createDialer, type ConnectMapRule } from '../src/net/dialer/index.ts';
import type { Context, RunOptions } from '../src/checks/types.ts';

export interface AuthLab {
  dns: DnsServer;
  /** A fresh context (fresh resolver cache and transcript) for one check run. */
  context(options?: Partial<RunOptions> & { ca?: string[]; connectMap?: ConnectMapRule[] }): Context;
  faults(rules: FaultRule[]): void;
  close(): Promise<void>;
}

/** `zones`: master-file texts, each with its own `$ORIGIN`. */
export async function startAuthLab(zones: string[], address = '127.0.0.1'): Promise<AuthLab> {
  const dns = await startDnsServer({ zones: zones.map((z) => parseZone(z)), address, port: 0 });
  return {
    dns,
    context(options = {}) {
      const { ca, connectMap, ...run } = options;
      return {
        resolver: createResolver({ servers: [dns.server], timeoutMs: 250, retries: 0 }),
        dialer: createDialer({ guard: 'offline', ...(ca ? { ca } : {}), ...(connectMap ? { connectMap } : {}), defaultTimeoutMs: 2000 }),
        options: { timeoutMs: 2000, noProbe: false, selectors: [], keys: {}, ...run },
        now: () => new Date(),
      };
    },
    faults(rules) {
      dns.setFaults(rules);
    },
    close: () => dns.close(),
  };
}

/** A TXT value as zone-file text: quoted, split into strings of at most 255 characters. */
export function txt(value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(value.slice(i, i + 255));
  return parts.map((p) => `"${p.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(' ');
}

export const SOA = '@ SOA ns hostmaster 1 3600 600 86400 60';
