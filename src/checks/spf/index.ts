/**
 * The SPF check (RFC 7208), on our own evaluator:
 * - `run(ctx, domain)`: the domain's record, its include tree with per-branch lookup counts, lint
 *   findings and the flattened list of networks it authorizes;
 * - `checkHost(ctx, { ip, sender, helo, domain? })`: what a receiver answers for one client address,
 *   with a trace of every term and lookup (the diagnosis asks it about the addresses in bounces).
 */
import type { CheckResult, Context, Finding } from '../types.ts';
import { checkStatus } from '../status.ts';
import { normalizeDomain } from '../../net/names.ts';
import { authorizedNetworks, flattenSpf, type FlatNetwork, type UnflattenedTerm } from './flatten.ts';
import { lintSpf, MAX_LOOKUPS, MAX_VOID_LOOKUPS, voidLookups } from './lint.ts';
import { walkSpf, type SpfNode } from './tree.ts';

export { checkHost, spfIdentity, type CheckHostInput, type CheckHostOptions } from './evaluate.ts';
export type { CheckHostResult, SpfResult, SpfRecordTrace, SpfTermTrace, SpfLookup, SpfCause } from './types.ts';
export type { SpfNode, TermNode } from './tree.ts';
export type { FlatNetwork, UnflattenedTerm } from './flatten.ts';
export { lintRecord } from './lint.ts';
export { parseRecord, isSpfRecord } from './parse.ts';

export interface SpfData {
  domain: string;
  /** The SPF record (strings joined), null when there is none or several. */
  record: string | null;
  /** Its TXT strings as published. */
  strings: string[] | null;
  tree: SpfNode;
  lookups: { total: number; limit: number; withMxHosts: number; branches: { term: string; lookups: number }[] };
  /** Void lookups of the worst case (nothing matches): `count` by the default rule, `v4`/`v6` per client family. */
  voidLookups: { count: number; v4: number; v6: number; limit: number };
  /** Every network the tree names, in evaluation order, with its path and qualifier. */
  networks: FlatNetwork[];
  /** Terms whose networks cannot be listed (sender-dependent macros, ptr, exists, failed lookups). */
  unresolved: UnflattenedTerm[];
}

function branchLookups(tree: SpfNode): { term: string; lookups: number }[] {
  return tree.terms.filter((t) => t.counts).map((t) => ({ term: t.term, lookups: 1 + (tree.children.find((c) => c.term === t.term)?.lookups ?? 0) }));
}

function summary(data: SpfData): Finding {
  const authorized = data.networks.filter((n) => n.qualifier === '+').length;
  return {
    id: 'spf.ok', severity: 'ok', title: `${data.domain} publishes an SPF record`,
    detail: `${JSON.stringify(data.record)}: ${data.lookups.total} of ${data.lookups.limit} DNS lookups, ${authorized} authorized network${authorized === 1 ? '' : 's'}${data.unresolved.length ? `, ${data.unresolved.length} term${data.unresolved.length === 1 ? '' : 's'} that depend on the sender` : ''}.`,
    dns: data.tree.dns,
  };
}

export async function run(ctx: Context, target: string): Promise<CheckResult<SpfData>> {
  const domain = normalizeDomain(target);
  const tree = await walkSpf(ctx.resolver, domain);
  const flat = flattenSpf(tree);
  const voids = voidLookups(tree);
  const data: SpfData = {
    domain,
    record: tree.record,
    strings: tree.strings,
    tree,
    lookups: { total: tree.lookups, limit: MAX_LOOKUPS, withMxHosts: tree.lookups + tree.mxHostLookups, branches: branchLookups(tree) },
    voidLookups: { count: voids.dualStack.length, v4: voids.v4.length, v6: voids.v6.length, limit: MAX_VOID_LOOKUPS },
    networks: flat.networks,
    unresolved: flat.unresolved,
  };
  const findings = lintSpf(tree, flat);
  if (tree.status === 'ok') findings.unshift(summary(data));
  return { id: 'spf', status: checkStatus(findings, tree.status === 'lookup-failed'), findings, data };
}

/** The addresses the domain's SPF authorizes, as CIDRs (for the blocklist engine and the diagnosis). */
export function authorizedCidrs(data: SpfData): string[] {
  return [...new Set(authorizedNetworks({ networks: data.networks, unresolved: data.unresolved }).map((n) => n.network))];
}
