/**
 * DANE for SMTP (RFC 7672): TLSA records at `_25._tcp.<mx host>`, read the way a DANE-aware sender
 * (Postfix, Exim, Microsoft 365 outbound) reads them. A TLSA RRset is only used when the resolver
 * validated it (AD) and the host's own address records are validated too (§2.2.2); then usages
 * PKIX-TA/PKIX-EE are unusable (§3.1.3) and malformed records are skipped. Certificate matching
 * against the live server is the SMTP probe's part (`tlsaMatches`).
 */
import type { CheckResult, Context } from '../types.ts';
import type { Outcome, TlsaData } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { checkStatus } from '../status.ts';
import { startMx, type MxHost, type MxLookup } from '../mx/index.ts';
import { reviewTlsa, type TlsaReview } from './tlsa.ts';
import { daneFindings } from './findings.ts';

export { reviewTlsa, matchTlsa, tlsaMatches, associationData, type TlsaReview, type TlsaMatch } from './tlsa.ts';

/**
 * - `active`: validated, usable TLSA: DANE senders require TLS with a matching certificate;
 * - `unusable`: validated TLSA, none usable: senders require TLS but cannot authenticate;
 * - `ignored-insecure`: TLSA without DNSSEC validation (or on a host whose addresses are not validated): ignored;
 * - `none`: no TLSA;
 * - `lookup-failed`: unknown (and in a signed zone, DANE senders defer mail until it answers).
 */
export type DaneState = 'active' | 'unusable' | 'ignored-insecure' | 'none' | 'lookup-failed';

export interface DaneHost {
  exchange: string;
  /** `_25._tcp.<host>`. */
  tlsaName: string;
  outcome: Outcome;
  /** Transcript id of the TLSA query. */
  dns: number;
  ad: boolean;
  /** The host's A/AAAA answers carried AD (null when they could not be resolved). */
  addressesSecure: boolean | null;
  records: Array<TlsaData & TlsaReview>;
  state: DaneState;
}

export interface DaneData {
  domain: string;
  /** The MX RRset was validated (not required: RFC 7672 §2.2.1 lets DANE protect hosts of insecure MX). */
  mxSecure: boolean;
  hosts: DaneHost[];
  skipped?: string;
}

export function tlsaName(host: string): string {
  return `_25._tcp.${host}`;
}

function stateOf(outcome: Outcome, ad: boolean, addressesSecure: boolean | null, records: TlsaReview[]): DaneState {
  if (isFailure(outcome)) return 'lookup-failed';
  if (!records.length) return 'none';
  if (!ad || addressesSecure === false) return 'ignored-insecure';
  return records.some((r) => r.usable) ? 'active' : 'unusable';
}

async function checkHost(ctx: Context, exchange: string, host: Promise<MxHost>): Promise<DaneHost> {
  const name = tlsaName(exchange);
  // The TLSA query goes out with the address queries, not after them: both only need the MX name.
  const [tlsa, resolved] = await Promise.all([ctx.resolver.query(name, 'TLSA'), host]);
  const records = tlsa.records.map((r) => ({ ...r.data, ...reviewTlsa(r.data) }));
  const addressesSecure = resolved.status === 'ok' || resolved.status === 'no-address' ? resolved.addressesSecure : null;
  return {
    exchange,
    tlsaName: name,
    outcome: tlsa.outcome,
    dns: tlsa.id,
    ad: tlsa.ad,
    addressesSecure,
    records,
    state: stateOf(tlsa.outcome, tlsa.ad, addressesSecure, records),
  };
}

/** The DANE check over an MX lookup in flight: each host's TLSA query starts as soon as the MX names are known. */
export async function checkDane(ctx: Context, mx: MxLookup): Promise<CheckResult<DaneData>> {
  const set = await mx.records;
  const pendingHosts = await mx.hosts;
  const domain = set.domain;
  if (set.kind === 'failed') {
    return { id: 'dane', status: 'unknown', findings: [], data: { domain, mxSecure: false, hosts: [], skipped: 'the MX lookup failed' } };
  }
  const targets = set.targets.map((t, i) => ({ target: t, host: pendingHosts[i]! })).filter(({ target }) => !target.ipLiteral);
  if (!targets.length) {
    return { id: 'dane', status: 'skipped', findings: [], data: { domain, mxSecure: set.ad, hosts: [], skipped: set.kind === 'null' ? 'the domain has a null MX' : 'no MX host to check' } };
  }
  const hosts = await Promise.all(targets.map(({ target, host }) => checkHost(ctx, target.exchange, host)));
  const findings = daneFindings(domain, hosts);
  const incomplete = hosts.some((h) => h.state === 'lookup-failed');
  return { id: 'dane', status: checkStatus(findings, incomplete), findings, data: { domain, mxSecure: set.ad, hosts } };
}

export async function run(ctx: Context, domain: string): Promise<CheckResult<DaneData>> {
  return checkDane(ctx, startMx(ctx, domain));
}
