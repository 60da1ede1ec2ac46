/**
 * Every DNS check of a domain at once, on the run's one resolver and cache. Independent checks
 * start together; dependent lookups start the moment their input exists: TLSA as soon as the MX
 * names are in, reverse DNS and blocklists on each MX host's addresses as soon as that host
 * resolves, DKIM's provider selectors once the MX names tell the provider. Used by
 * `mailsleuth check` and by the diagnosis.
 */
import type { CheckResult, CheckStatus, Context, Finding } from './types.ts';
import { severityRank } from './types.ts';
import { checkStatus } from './status.ts';
import { startMx, addressLookupFailed, type MxLookup } from './mx/index.ts';
import { checkDnssec } from './dnssec/index.ts';
import { checkDane } from './dane/index.ts';
import { checkMxReverseDns, type AddressRef, type AddressFeed } from './ptr/index.ts';
import { checkProviders, identifyProviders } from './providers/index.ts';
import { run as runSpf } from './spf/index.ts';
import { run as runDkim, type SeenSignature } from './dkim/index.ts';
import { run as runDmarc } from './dmarc/index.ts';
import { run as runBimi } from './bimi/index.ts';
import { run as runTlsRpt } from './tls-rpt/index.ts';
import { run as runSmtp } from './smtp/index.ts';
import { run as runMtaSts } from './mta-sts/index.ts';
import { run as runWeb } from './web/index.ts';
import { checkBlocklists, blocklistTargets, blocklistFindings, blocklistStatus, type BlocklistReport, type BlocklistTarget, type TargetRole } from './blocklists/index.ts';
import { isFailure } from '../net/dns/types.ts';

/** Progress of a run, for a live display (the diagnosis forwards these). */
export type CheckProgress =
  | { kind: 'check-start'; check: string }
  | { kind: 'check-done'; check: string; status: CheckStatus };

export interface DomainCheckOptions {
  /** DKIM `d=`/`s=` pairs seen in messages (the diagnosis passes them). */
  fromMessages?: readonly SeenSignature[];
  /** Addresses known to send the domain's mail (e.g. from bounces): reverse DNS and blocklists. */
  senderAddresses?: readonly string[];
  /** Check ids to leave out. */
  skip?: readonly string[];
  onProgress?: (event: CheckProgress) => void;
}

export type Verdict = 'healthy' | 'problems' | 'incomplete';

/** A whole `check` run: the results plus what a report needs around them. */
export interface DomainReport {
  domain: string;
  startedAt: string;
  durationMs: number;
  verdict: Verdict;
  /** Results by check id, in report order. */
  checks: Record<string, CheckResult>;
  /** Every finding, worst first (stable within a severity). */
  findings: Finding[];
  dns: { servers: string[]; queriesSent: number; cacheHits: number; inflightJoins: number; failed: number };
}

/** Report order: routing first, then authentication, then transport security, reputation, who is who. */
export const CHECK_ORDER = ['mx', 'spf', 'dkim', 'dmarc', 'bimi', 'mta-sts', 'tls-rpt', 'dnssec', 'dane', 'ptr', 'blocklists', 'providers', 'smtp', 'web'] as const;

/** A check that throws is a bug, but the rest of the report still stands: it shows as unknown. */
async function guarded(id: string, work: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await work();
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    return { id, status: 'unknown', findings: [{ id: `${id}.crashed`, severity: 'warn', title: `The ${id} check could not complete`, detail: message }], data: {} };
  }
}

async function addressesOf(ctx: Context, name: string): Promise<{ addresses: string[]; failed: boolean }> {
  const answers = await Promise.all([ctx.resolver.query(name, 'A'), ctx.resolver.query(name, 'AAAA')]);
  return { addresses: answers.flatMap((a) => a.records.map((r) => r.data)), failed: answers.some((a) => isFailure(a.outcome)) };
}

/**
 * Batches of values found over time (the SPF walk's own addresses), replayed to late subscribers.
 * `subscribe` resolves when the producer is done.
 */
function batchFeed<T>() {
  const batches: T[][] = [];
  const listeners: Array<(batch: T[]) => void> = [];
  let finish = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    push(batch: T[]) {
      batches.push(batch);
      for (const listen of listeners) listen(batch);
    },
    end: () => finish(),
    subscribe(listen: (batch: T[]) => void): Promise<void> {
      for (const batch of batches) listen(batch);
      listeners.push(listen);
      return done;
    },
  };
}
type Feed<T> = ReturnType<typeof batchFeed<T>>;

/**
 * Blocklists over every address that sends or could send the domain's mail. Each address is
 * queried the moment it is known (the domain at once, the web host after its A lookup, each MX
 * host after its own, SPF addresses as the walk finds them), instead of one pass after the slowest.
 */
async function checkDomainBlocklists(ctx: Context, domain: string, mx: MxLookup, spf: Feed<string>, senderAddresses: readonly string[]): Promise<CheckResult<BlocklistReport>> {
  const launched = new Map<string, BlocklistTarget>();
  const extraRoles = new Map<string, TargetRole[]>();
  const reports: Promise<BlocklistReport>[] = [];
  const launch = (targets: BlocklistTarget[]) => {
    const fresh = targets.filter((t) => {
      if (!launched.has(t.value)) return launched.set(t.value, t), true;
      extraRoles.set(t.value, [...(extraRoles.get(t.value) ?? []), ...t.roles]);
      return false;
    });
    if (fresh.length) reports.push(checkBlocklists(ctx, fresh, { keys: ctx.options.keys }));
  };
  // `domain: ''` asks blocklistTargets for the addresses alone; the domain itself is launched once, first.
  launch(blocklistTargets({ domain, bounceAddresses: [...senderAddresses] }));
  const own = addressesOf(ctx, domain).then((o) => (launch(blocklistTargets({ domain: '', domainAddresses: o.addresses })), o.failed));
  const web = addressesOf(ctx, `www.${domain}`).then((w) => (launch(blocklistTargets({ domain: '', webAddresses: w.addresses })), false));
  const spfDone = spf.subscribe((batch) => launch(blocklistTargets({ domain: '', spf: batch }))).then(() => false);
  const hosts = (await mx.hosts).map((host) => host.then((h) => (launch(blocklistTargets({ domain: '', mx: [{ host: h.exchange, addresses: h.addresses.map((a) => a.ip) }] })), addressLookupFailed(h))));
  const incomplete = (await Promise.all([own, web, spfDone, ...hosts])).some(Boolean) || (await mx.records).kind === 'failed';
  const present = await Promise.all(reports);
  const results = present.flatMap((r) => r.results);
  for (const r of results) for (const role of extraRoles.get(r.target) ?? []) if (!r.roles.includes(role)) r.roles.push(role);
  const report: BlocklistReport = { results, skipped: present[0]?.skipped ?? [], lists: present[0]?.lists ?? [], resolver: [...ctx.resolver.servers], durationMs: Math.max(0, ...present.map((r) => r.durationMs)) };
  const findings = blocklistFindings(report);
  const status = blocklistStatus(report, findings);
  return { id: 'blocklists', status: incomplete && (status === 'ok' || status === 'skipped') ? 'unknown' : status, findings, data: report };
}

/** Starts every check; returns the pending results by id. */
function startChecks(ctx: Context, domain: string, options: DomainCheckOptions): Map<string, Promise<CheckResult>> {
  const mx = startMx(ctx, domain);
  // The domain's own SPF addresses, as the providers' SPF walk finds them: reverse DNS and blocklists start on each batch.
  const ownSpf = batchFeed<string>();
  const providers = checkProviders(ctx, domain, { mx: mx.records, onOwnSpfAddresses: ownSpf.push });
  providers.then(ownSpf.end, ownSpf.end);
  const toSenders = (ips: readonly string[]) => ips.map((ip): AddressRef => ({ ip, role: 'sender' }));
  const senders: AddressFeed[] = [(emit) => ownSpf.subscribe((batch) => emit(toSenders(batch))), async (emit) => emit(toSenders(options.senderAddresses ?? []))];
  const mtaSts = runMtaSts(ctx, domain);
  const mxProviders = mx.records.then((set) => identifyProviders({ mx: set.targets.filter((t) => !t.implicit).map((t) => t.exchange) }).mail.map((m) => m.id));

  // Every consumer handles a failed stage itself; this keeps a stage no started check uses from
  // surfacing as an unhandled rejection.
  for (const stage of [mx.records, mx.hosts, mx.result, providers, mtaSts, mxProviders]) stage.catch(() => {});

  const tasks: Record<string, () => Promise<CheckResult>> = {
    mx: () => mx.result,
    spf: () => runSpf(ctx, domain),
    dkim: async () => runDkim(ctx, domain, { ...(options.fromMessages ? { fromMessages: options.fromMessages } : {}), provider: await mxProviders }),
    dmarc: () => runDmarc(ctx, domain),
    // BIMI reads DMARC itself: the same lookups, answered by the shared cache, without waiting for the DMARC check.
    bimi: () => runBimi(ctx, domain),
    'mta-sts': () => mtaSts,
    'tls-rpt': () => runTlsRpt(ctx, domain),
    dnssec: () => checkDnssec(ctx, domain, mx.records),
    dane: () => checkDane(ctx, mx),
    ptr: () => checkMxReverseDns(ctx, mx, senders),
    blocklists: () => checkDomainBlocklists(ctx, domain, mx, ownSpf, options.senderAddresses ?? []),
    providers: () => providers,
    // Probes need the MX hosts' addresses; the MTA-STS policy (whether a certificate problem blocks
    // delivery) is handed over as a promise so the probes need not wait for the policy fetch.
    smtp: async () => runSmtp(ctx, domain, { mx: (await mx.result).data, mtaSts: mtaSts.then((r) => r.data.policy) }),
    web: () => runWeb(ctx, domain),
  };
  const started = new Map<string, Promise<CheckResult>>();
  const progress = options.onProgress ?? (() => {});
  for (const [id, task] of Object.entries(tasks)) {
    if (options.skip?.includes(id)) continue;
    progress({ kind: 'check-start', check: id });
    started.set(id, guarded(id, task).then((result) => (progress({ kind: 'check-done', check: id, status: result.status }), result)));
  }
  return started;
}

function verdictOf(checks: CheckResult[], findings: Finding[], ctx: Context): Verdict {
  // "DNS gave nothing at all": not one lookup of the run got an answer, not even NXDOMAIN.
  const answered = ctx.resolver.transcript.some((e) => !FAILED.includes(e.outcome));
  if (!answered) return 'incomplete';
  const problem = findings.some((f) => severityRank(f.severity) >= severityRank('warn'));
  // A probe that could not connect (port 25 blocked, --timeout too short) says so in its own check;
  // it is not a problem of the domain. A DNS check that is unknown is: its lookups failed.
  const unknown = checks.some((c) => c.status === 'unknown' && !PROBES.includes(c.id));
  return problem || unknown ? 'problems' : 'healthy';
}

/** Runs every domain check concurrently; results by check id, in report order. */
export async function runDomainChecks(ctx: Context, domain: string, options: DomainCheckOptions = {}): Promise<Record<string, CheckResult>> {
  const pending = startChecks(ctx, domain, options);
  const byId = new Map(await Promise.all([...pending].map(async ([id, p]) => [id, await p] as const)));
  const checks: Record<string, CheckResult> = {};
  for (const id of [...CHECK_ORDER, ...byId.keys()]) {
    const result = byId.get(id);
    if (result && !checks[id]) checks[id] = result;
  }
  return weighSpfAllAgainstDmarc(checks);
}

/**
 * A permissive SPF ending (`?all`, `~all`) is what some providers document (Fastmail's default is
 * `?all`); under an enforced DMARC policy receivers refuse forgeries anyway (they fail DKIM and
 * aligned SPF), so the ending is information there, not a warning.
 */
function weighSpfAllAgainstDmarc(checks: Record<string, CheckResult>): Record<string, CheckResult> {
  const spf = checks.spf;
  const enforced = (checks.dmarc?.data as { effective?: { known: boolean; enforced: boolean } } | undefined)?.effective;
  if (!spf || !enforced?.known || !enforced.enforced) return checks;
  const findings = spf.findings.map((f) => (/^spf\.(?:neutral|softfail)-all$/.test(f.id) && f.severity === 'warn'
    ? { ...f, severity: 'info' as const, detail: `${f.detail} The DMARC policy is enforced, so receivers refuse forgeries regardless.` }
    : f));
  const status = spf.status === 'unknown' || spf.status === 'skipped' ? spf.status : checkStatus(findings, false);
  return { ...checks, spf: { ...spf, findings, status } };
}

const FAILED = ['servfail', 'refused', 'timeout', 'error'];
const PROBES = ['smtp', 'web'];

/** `runDomainChecks` with the verdict, the findings worst first and the DNS figures: what `mailsleuth check` prints. */
export async function checkDomain(ctx: Context, domain: string, options: DomainCheckOptions = {}): Promise<DomainReport> {
  const startedAt = ctx.now();
  const t0 = performance.now();
  const checks = await runDomainChecks(ctx, domain, options);
  const all = Object.values(checks);
  const findings = all.flatMap((c) => c.findings).map((f, i) => ({ f, i }))
    .sort((a, b) => severityRank(b.f.severity) - severityRank(a.f.severity) || a.i - b.i)
    .map(({ f }) => f);
  const s = ctx.resolver.stats;
  return {
    domain,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    verdict: verdictOf(all, findings, ctx),
    checks,
    findings,
    dns: { servers: [...ctx.resolver.servers], queriesSent: s.queriesSent, cacheHits: s.cacheHits, inflightJoins: s.inflightJoins, failed: ctx.resolver.transcript.filter((e) => FAILED.includes(e.outcome)).length },
  };
}

/** Counts of checks by status, for headlines. */
export function statusCounts(checks: Record<string, CheckResult>): Partial<Record<CheckStatus, number>> {
  const out: Partial<Record<CheckStatus, number>> = {};
  for (const c of Object.values(checks)) out[c.status] = (out[c.status] ?? 0) + 1;
  return out;
}
