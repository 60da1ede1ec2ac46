/**
 * Reverse DNS check: PTR and forward confirmation for the addresses that receive and send a
 * domain's mail. `checkReverseDns` works on any single address (the diagnosis uses it for IPs seen
 * in bounces); the check itself starts on each MX host's addresses as soon as that host resolves.
 */
import type { CheckResult, Context, Finding } from '../types.ts';
import { checkStatus } from '../status.ts';
import { startMx, addressLookupFailed, type MxLookup, type MxRecordSet } from '../mx/index.ts';
import { lookupReverseDns, type ReverseDns } from './reverse.ts';
import { reverseDnsFindings, type AddressRole, type ReverseDnsContext } from './findings.ts';

export { lookupReverseDns, reverseDnsFindings, type ReverseDns, type AddressRole, type ReverseDnsContext };
export { reviewPtrName, type PtrNameReview, type PtrKind } from './generic.ts';

/** Addresses checked per run: enough for every real MX set, bounded against hostile zones. */
export const MAX_ADDRESSES = 24;

export interface AddressRef {
  ip: string;
  role: AddressRole;
  host?: string;
}

export type ReverseDnsResult = ReverseDns & { role: AddressRole; host?: string; findings: Finding[] };

export interface PtrData {
  addresses: Array<ReverseDns & { role: AddressRole; host?: string }>;
  /** Why nothing was checked (null MX, MX lookup failed…). */
  skipped?: string;
}

/** Reverse DNS and FCrDNS of any address, with findings weighted by the address's role. */
export async function checkReverseDns(ctx: Context, ip: string, context: ReverseDnsContext = { role: 'sender' }): Promise<ReverseDnsResult> {
  const r = await lookupReverseDns(ctx, ip);
  return { ...r, role: context.role, ...(context.host ? { host: context.host } : {}), findings: reverseDnsFindings(r, context) };
}

/** A source of addresses that finds them over time (an SPF walk): it calls `emit` per batch and resolves when done. */
export type AddressFeed = (emit: (refs: AddressRef[]) => void) => Promise<void>;
export type AddressSource = Promise<AddressRef[]> | AddressFeed;

/**
 * Reverse DNS for addresses that arrive over time (one group per MX host, batches from an SPF
 * walk): each address's lookups start the moment it is known, not when all are. Each address is
 * checked once, up to MAX_ADDRESSES.
 */
export async function checkAddressesReverseDns(ctx: Context, sources: ReadonlyArray<AddressSource>): Promise<ReverseDnsResult[]> {
  const seen = new Set<string>();
  const launched: Promise<ReverseDnsResult>[] = [];
  const emit = (refs: AddressRef[]) => {
    for (const ref of refs) {
      if (seen.has(ref.ip) || seen.size >= MAX_ADDRESSES) continue;
      seen.add(ref.ip);
      launched.push(checkReverseDns(ctx, ref.ip, { role: ref.role, ...(ref.host ? { host: ref.host } : {}) }));
    }
  };
  await Promise.all(sources.map((source) => (typeof source === 'function' ? source(emit) : source.then(emit))));
  return Promise.all(launched);
}

function mxSkipReason(set: MxRecordSet): string | null {
  if (set.kind === 'failed') return 'the MX lookup failed';
  if (set.kind === 'null') return 'the domain has a null MX';
  if (set.kind === 'domain-not-found') return 'the domain does not exist';
  return null;
}

/** The reverse DNS check over a domain's MX host addresses (and any extra sending addresses). */
export async function checkMxReverseDns(ctx: Context, mx: MxLookup, senders: ReadonlyArray<AddressSource> = []): Promise<CheckResult<PtrData>> {
  const hostPromises = await mx.hosts;
  const hostGroups = hostPromises.map((pending) =>
    pending.then((host) => host.addresses.filter((a) => !a.special).map((a): AddressRef => ({ ip: a.ip, role: 'mx', host: host.exchange }))),
  );
  const results = await checkAddressesReverseDns(ctx, [...hostGroups, ...senders]);
  const set = await mx.records;
  const skipped = results.length ? null : (mxSkipReason(set) ?? 'no public address to check');
  const findings = results.flatMap((r) => r.findings);
  const confirmed = results.filter((r) => r.status === 'ok');
  if (confirmed.length) {
    findings.push({
      id: 'ptr.ok',
      severity: 'ok',
      title: confirmed.length === results.length
        ? results.length === 1 ? 'The address checked has forward-confirmed reverse DNS' : `All ${results.length} addresses checked have forward-confirmed reverse DNS`
        : `${confirmed.length} of ${results.length} addresses checked have forward-confirmed reverse DNS`,
      detail: confirmed.map((r) => `${r.ip} → ${r.name}`).join('; '),
      data: { addresses: confirmed.map((r) => ({ ip: r.ip, name: r.name })) },
      dns: confirmed.flatMap((r) => [r.dns, ...r.forward.map((f) => f.dns)]),
    });
  }
  // An MX host whose addresses are unknown has reverse DNS that is unknown too.
  const hostsUnknown = (await Promise.all(hostPromises)).some(addressLookupFailed);
  const incomplete = results.some((r) => r.status === 'lookup-failed') || set.kind === 'failed' || hostsUnknown;
  const addresses = results.map(({ findings: _, ...r }) => r);
  const status = skipped && !incomplete ? 'skipped' : checkStatus(findings, incomplete);
  return { id: 'ptr', status, findings, data: { addresses, ...(skipped ? { skipped } : {}) } };
}

export async function run(ctx: Context, domain: string): Promise<CheckResult<PtrData>> {
  return checkMxReverseDns(ctx, startMx(ctx, domain));
}
