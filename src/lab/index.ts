/**
 * The lab: a small simulated internet for one scenario — its zones on an authoritative DNS server
 * on loopback, its virtual hosts behind the connect map, and a CA the lab trusts. Point any command
 * at it with `--resolver`, `--connect-map` and `--ca` (what `mailsleuth lab` prints), or use the
 * returned values in process (tests, `mailsleuth demo`, `serve --lab`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDnsServer, type DnsServer, type FaultRule } from './dns/index.ts';
import { startHosts, type ReceivedMessage, type RunningService } from './hosts/index.ts';
import { loadScenario, type Scenario } from './scenario.ts';
import { createLabCa } from './tls.ts';

export { compareCauses, listScenarios, loadScenario, SCENARIOS_DIR, type Scenario, type ScenarioSummary, type Expectations } from './scenario.ts';

export const DEFAULT_SCENARIO = 'webhost-spoof';

export interface StartLabOptions {
  /** A shipped scenario's name or a scenario folder's path (default: the reference case). */
  scenario?: string;
  /** DNS server address (default 127.0.0.1) and port (default ephemeral). */
  dnsAddress?: string;
  dnsPort?: number;
  /** Virtual hosts on their real ports (25, 80, 443…) instead of ephemeral ones. */
  realPorts?: boolean;
  /** Also write the CA certificate to a temporary file (`caFile`), removed on close. */
  writeCaFile?: boolean;
  /** DNS faults to inject from the start (latency, SERVFAIL, drops…). */
  faults?: FaultRule[];
}

export interface Lab {
  /** The scenario's name. */
  scenario: string;
  definition: Scenario;
  /** `host:port` of the lab DNS server, for `--resolver`. */
  dns: string;
  dnsServer: DnsServer;
  /** Connect-map rule texts, for `--connect-map` (one flag per rule, or joined with commas). */
  connectMap: string[];
  services: RunningService[];
  /** Messages the lab's SMTP hosts accepted. */
  received: ReceivedMessage[];
  /** The lab CA certificate (PEM), for `--ca` or a dialer's `ca`. */
  caPem: string;
  caFile?: string;
  close(): Promise<void>;
}

export async function startLab(options: StartLabOptions = {}): Promise<Lab> {
  const definition = loadScenario(options.scenario ?? DEFAULT_SCENARIO);
  const ca = await createLabCa({ name: `mailsleuth lab CA (${definition.name})` });
  const hosts = await startHosts({ hosts: definition.hosts, ca, ...(options.realPorts ? { realPorts: true } : {}) });
  let dnsServer: DnsServer;
  try {
    dnsServer = await startDnsServer({
      zones: definition.zones,
      address: options.dnsAddress ?? '127.0.0.1',
      port: options.dnsPort ?? 0,
      // The scenario's own faults (a broken resolver, a dead zone), then any the caller adds.
      faults: [...definition.faults, ...(options.faults ?? [])],
      // A name in no zone reads as "does not exist", as a resolver of this small internet would say.
      outside: 'nxdomain',
    });
  } catch (err) {
    await hosts.close();
    throw err;
  }
  let caDir: string | undefined;
  let caFile: string | undefined;
  if (options.writeCaFile) {
    caDir = mkdtempSync(join(tmpdir(), 'mailsleuth-lab-'));
    caFile = join(caDir, 'lab-ca.pem');
    writeFileSync(caFile, ca.certPem);
  }
  let closed = false;
  return {
    scenario: definition.name,
    definition,
    dns: dnsServer.server,
    dnsServer,
    connectMap: hosts.rules,
    services: hosts.services,
    received: hosts.received,
    caPem: ca.certPem,
    ...(caFile ? { caFile } : {}),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([dnsServer.close(), hosts.close()]);
      if (caDir) rmSync(caDir, { recursive: true, force: true });
    },
  };
}
