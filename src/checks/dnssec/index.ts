/**
 * DNSSEC status of a domain as the run's resolver reports it. mailsleuth does not validate
 * signatures itself: it sends EDNS0 DO and trusts the AD (Authenticated Data) flag of a validating
 * resolver (RFC 4035 §3.2.3, RFC 6840 §5.8). So: AD set → signed and validated; AD clear → unsigned,
 * or a resolver that does not validate (the two cannot be told apart from here); SERVFAIL on every
 * lookup of the domain → the classic face of a broken chain (bad signatures, expired RRSIGs, a DS
 * that matches no key), which a validating resolver hides behind SERVFAIL.
 */
import type { CheckResult, Context, Finding } from '../types.ts';
import type { DnsResult, Outcome } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { checkStatus } from '../status.ts';
import { lookupMxRecords, type MxRecordSet } from '../mx/index.ts';

export type DnssecStatus = 'signed' | 'unsigned' | 'failed' | 'unknown';

export interface DnssecData {
  domain: string;
  status: DnssecStatus;
  /** The lookups judged, with their AD flags. */
  answers: Array<{ type: string; outcome: Outcome; ad: boolean; dns: number }>;
  /** Who validated: the resolver's AD flag, never our own signature checks. */
  validatedBy: 'resolver';
  resolvers: string[];
}

const LIMITS = 'mailsleuth trusts the AD flag of the resolver it queries; it does not check signatures itself. If that resolver does not validate DNSSEC, a signed zone looks unsigned.';

function statusOf(answers: DnssecData['answers']): DnssecStatus {
  const answered = answers.filter((a) => !isFailure(a.outcome));
  if (answered.some((a) => a.ad)) return 'signed';
  if (answered.length) return 'unsigned';
  return answers.every((a) => a.outcome === 'servfail') ? 'failed' : 'unknown';
}

function findingsFor(domain: string, data: DnssecData, servers: string): Finding[] {
  const dns = data.answers.map((a) => a.dns);
  switch (data.status) {
    case 'signed':
      return [{ id: 'dnssec.signed', severity: 'ok', title: `${domain} is DNSSEC-signed and validated`, detail: `The resolver (${servers}) marked the answers as authenticated (AD). ${LIMITS}`, dns }];
    case 'unsigned':
      return [{ id: 'dnssec.unsigned', severity: 'info', title: `${domain} is not DNSSEC-validated`, detail: `The resolver (${servers}) did not mark the answers as authenticated: the zone is unsigned, or this resolver does not validate. ${LIMITS} DNSSEC is optional for mail, but DANE needs it.`, dns }];
    case 'failed':
      return [{ id: 'dnssec.failed', severity: 'error', title: `Every lookup for ${domain} fails with SERVFAIL: likely a DNSSEC validation failure`, detail: `A validating resolver answers SERVFAIL when a signed zone's chain of trust is broken (expired signatures, a DS record at the registrar that matches no key, a botched key rollover). Senders using validating resolvers then cannot find the domain's MX or SPF, and mail queues or bounces. A broken authoritative server gives the same symptom; query with checking disabled (dig +cd) to tell them apart. ${LIMITS}`, dns, fix: { text: `Check the zone with a DNSSEC analyser (e.g. dnsviz.net); re-sign the zone, or remove the DS record at the registrar if DNSSEC was turned off at the DNS host.`, links: [`https://dnsviz.net/d/${domain}/dnssec/`] } }];
    case 'unknown':
      return [{ id: 'dnssec.lookup-failed', severity: 'warn', title: `DNSSEC status of ${domain} is unknown: lookups failed`, detail: data.answers.map((a) => `${a.type}: ${a.outcome}`).join(', '), dns }];
  }
}

/** The DNSSEC check, reusing an MX lookup already in flight when given (one query less, same answer). */
export async function checkDnssec(ctx: Context, domain: string, mx?: Promise<MxRecordSet>): Promise<CheckResult<DnssecData>> {
  const [soa, set] = await Promise.all([ctx.resolver.query(domain, 'SOA'), mx ?? lookupMxRecords(ctx, domain)]);
  const summary = (r: Pick<DnsResult, 'type' | 'outcome' | 'ad' | 'id'>) => ({ type: r.type, outcome: r.outcome, ad: r.ad, dns: r.id });
  const answers = [summary(soa), { type: 'MX', outcome: set.outcome, ad: set.ad, dns: set.dns }];
  const data: DnssecData = { domain, status: statusOf(answers), answers, validatedBy: 'resolver', resolvers: [...ctx.resolver.servers] };
  const findings = findingsFor(domain, data, ctx.resolver.servers.join(', '));
  // Any failed lookup leaves the status open: "unsigned" from one answer while the other failed is a guess.
  const incomplete = answers.some((a) => isFailure(a.outcome));
  return { id: 'dnssec', status: checkStatus(findings, incomplete), findings, data };
}

export async function run(ctx: Context, domain: string): Promise<CheckResult<DnssecData>> {
  return checkDnssec(ctx, domain);
}
