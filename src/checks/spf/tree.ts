/**
 * The include tree of a domain's SPF record, for lint and flattening: every include and redirect
 * is followed (whatever a given client would match), and every a/mx name is resolved for both
 * families, so the tree shows the worst case — a client that matches nothing evaluates every term.
 * Each node carries its lookup count (RFC 7208 §4.6.4 terms, see limits.ts for the reading) and the
 * void lookups a client of each family would meet. Terms whose target depends on the sender or
 * client (%{i}, %{s}, %{l}, %{h}, %{p}…) are counted but cannot be resolved here.
 */
import type { DnsResult, Resolver } from '../../net/dns/types.ts';
import { isFailure } from '../../net/dns/types.ts';
import { parseClientIp } from './address.ts';
import { isVoid, presentRecord } from './limits.ts';
import { expandMacroString, queryableName, targetName, type MacroToken } from './macro.ts';
import { LOOKUP_TERMS, parseRecord, type Qualifier, type SpfSyntaxError, type Term } from './parse.ts';
import { classifyTxt } from './record.ts';

export type NodeStatus = 'ok' | 'none' | 'nxdomain' | 'multiple' | 'syntax-error' | 'lookup-failed' | 'loop' | 'not-followed';

export interface HostAddresses {
  host: string;
  addresses: string[];
  dns: number[];
  failed?: string;
}

export interface TermNode {
  term: string;
  offset: number;
  /** Mechanism or modifier name, lowercase. */
  name: string;
  kind: 'mechanism' | 'modifier';
  qualifier?: Qualifier;
  /** Counts toward the limit of 10. */
  counts: boolean;
  /** The target name when it could be expanded without a sender. */
  target?: string;
  /** Macro letters that need a real sender or client, when the target depends on them. */
  dependsOn?: string[];
  /** a: the target's addresses; mx: one entry per MX host. */
  hosts?: HostAddresses[];
  /**
   * Whether this term's own query is a void lookup: `dualStack` by the default rule (an `a` name
   * with neither A nor AAAA), `v4`/`v6` when only the client family's answer counts (limits.ts).
   */
  void?: { dualStack: boolean; v4: boolean; v6: boolean };
  /** A lookup of this term failed (timeout, SERVFAIL…), so what it authorizes is unknown. */
  failed?: string;
  /** a redirect next to `all` is never used (RFC 7208 §6.1). */
  ignored?: boolean;
  dns: number[];
  /** CIDR lengths of a/mx/ip4/ip6. */
  cidr4?: number;
  cidr6?: number;
  network?: string;
}

export interface SpfNode {
  domain: string;
  via: 'root' | 'include' | 'redirect';
  /** The include/redirect term that leads here (null at the root). */
  term: string | null;
  qualifier: Qualifier;
  status: NodeStatus;
  error?: string;
  syntax?: SpfSyntaxError;
  record: string | null;
  /** The TXT strings as published. */
  strings: string[] | null;
  /** All SPF records when there are several. */
  records?: string[];
  /** TXT records that look like a failed attempt at SPF (not selected by receivers). */
  lookalikes: string[];
  /** The TXT query was answered NXDOMAIN or empty: a void lookup for the include/redirect term. */
  voidTxt: boolean;
  dns: number[];
  terms: TermNode[];
  /** Terms counting toward the 10 in this record and everything below it. */
  lookups: number;
  /** Address lookups of MX hosts in this record and below (not counted toward the 10 in our reading). */
  mxHostLookups: number;
  children: SpfNode[];
}

/** A walk never follows more records than this: real trees have a few dozen at most. */
const MAX_NODES = 200;
/** Macro letters a domain-level walk can expand: the current domain and the sender's domain. */
const STATIC_LETTERS = new Set(['d', 'o']);
const LOOKALIKE = /^\s*["'\u201c]?\s*(v\s*=\s*spf|spf\s*[=1])/i;

interface Walk {
  resolver: Resolver;
  root: string;
  nodes: number;
}

export async function walkSpf(resolver: Resolver, domain: string): Promise<SpfNode> {
  return walkNode({ resolver, root: domain, nodes: 0 }, domain, 'root', null, '+', []);
}

function emptyNode(domain: string, via: SpfNode['via'], term: string | null, qualifier: Qualifier): SpfNode {
  return { domain, via, term, qualifier, status: 'ok', record: null, strings: null, lookalikes: [], voidTxt: false, dns: [], terms: [], lookups: 0, mxHostLookups: 0, children: [] };
}

async function walkNode(w: Walk, domain: string, via: SpfNode['via'], term: string | null, qualifier: Qualifier, path: string[]): Promise<SpfNode> {
  const node = emptyNode(domain, via, term, qualifier);
  if (path.includes(domain)) return { ...node, status: 'loop', error: `${domain} includes itself through ${[...path, domain].join(' → ')}` };
  if (++w.nodes > MAX_NODES) return { ...node, status: 'not-followed', error: `more than ${MAX_NODES} records in the tree; not followed further` };
  const dns = await w.resolver.query(domain, 'TXT');
  node.dns.push(dns.id);
  node.voidTxt = isVoid(dns);
  const found = classifyTxt(dns);
  node.lookalikes = found.txt.filter((t) => !/^v=spf1( |$)/i.test(t.text) && LOOKALIKE.test(t.text)).map((t) => t.text);
  switch (found.status) {
    case 'temperror': return { ...node, status: 'lookup-failed', error: found.error };
    case 'none': return { ...node, status: found.reason === 'nxdomain' ? 'nxdomain' : 'none', error: found.reason === 'nxdomain' ? `${domain} does not exist` : `${domain} has no SPF record` };
    case 'multiple': return { ...node, status: 'multiple', records: found.records.map((r) => r.text), error: `${domain} publishes ${found.records.length} SPF records` };
    case 'found': break;
  }
  node.record = found.record.text;
  node.strings = found.record.strings;
  const parsed = parseRecord(found.record.text);
  if (!parsed.ok) return { ...node, status: 'syntax-error', syntax: parsed.error, error: parsed.error.message };

  const hasAll = parsed.record.mechanisms.some((m) => m.name === 'all');
  const inner = [...path, domain];
  // Each include/redirect is walked as soon as its own term is resolved, and kept in term order.
  const terms = parsed.record.terms.map((t) => resolveTerm(w, domain, t, hasAll));
  const children = parsed.record.terms.map((t, i) => terms[i]!.then((tn) => {
    const link = (t.kind === 'mechanism' && t.name === 'include') || (t.kind === 'modifier' && t.name === 'redirect' && !tn.ignored);
    if (!link || !tn.target) return null;
    return walkNode(w, tn.target, t.kind === 'mechanism' ? 'include' : 'redirect', t.text, t.kind === 'mechanism' ? t.qualifier : '+', inner);
  }));
  node.terms = await Promise.all(terms);
  node.children = (await Promise.all(children)).filter((c): c is SpfNode => c !== null);
  for (const child of node.children) {
    const tn = node.terms.find((t) => t.term === child.term);
    // The TXT query of an include/redirect target is that term's query: void when empty.
    if (tn) tn.void = { dualStack: child.voidTxt, v4: child.voidTxt, v6: child.voidTxt };
  }
  node.lookups = node.terms.filter((t) => t.counts).length + node.children.reduce((n, c) => n + c.lookups, 0);
  node.mxHostLookups = node.terms.reduce((n, t) => n + (t.name === 'mx' ? Math.min(t.hosts?.length ?? 0, 10) : 0), 0) + node.children.reduce((n, c) => n + c.mxHostLookups, 0);
  return node;
}

/** Expands a domain-spec with only %{d} and %{o} known; anything else makes it sender-dependent. */
function expandStatic(tokens: MacroToken[], domain: string, root: string): { name: string } | { dependsOn: string[] } {
  const dynamic = [...new Set(tokens.flatMap((t) => (t.kind === 'macro' && !STATIC_LETTERS.has(t.letter) ? [t.letter] : [])))];
  if (dynamic.length) return { dependsOn: dynamic };
  const ip = parseClientIp('0.0.0.0')!;
  return { name: targetName(expandMacroString(tokens, { sender: `postmaster@${root}`, domain, ip, helo: '', receiver: '', now: new Date(0) })) };
}

async function resolveTerm(w: Walk, domain: string, t: Term, hasAll: boolean): Promise<TermNode> {
  const base: TermNode = { term: t.text, offset: t.offset, name: t.name, kind: t.kind, counts: LOOKUP_TERMS.includes(t.name), dns: [] };
  if (t.kind === 'modifier') {
    if (t.name === 'redirect' && hasAll) return { ...base, counts: false, ignored: true };
    if (t.name !== 'redirect') return { ...base, counts: false };
    return withTarget(base, t.domainTokens ?? [], domain, w.root);
  }
  const tn: TermNode = { ...base, qualifier: t.qualifier, ...(t.cidr4 !== undefined ? { cidr4: t.cidr4 } : {}), ...(t.cidr6 !== undefined ? { cidr6: t.cidr6 } : {}), ...(t.network ? { network: t.network } : {}) };
  if (!['include', 'a', 'mx', 'exists', 'ptr'].includes(t.name)) return tn;
  const targeted = t.domainTokens ? withTarget(tn, t.domainTokens, domain, w.root) : { ...tn, target: domain };
  if (!targeted.target || t.name === 'include' || t.name === 'ptr') return targeted;
  try {
    if (t.name === 'a') return await resolveA(w, targeted);
    if (t.name === 'mx') return await resolveMx(w, targeted);
    return await resolveExists(w, targeted);
  } catch (err) {
    return { ...targeted, failed: (err as Error).message };
  }
}

function withTarget(tn: TermNode, tokens: MacroToken[], domain: string, root: string): TermNode {
  const expanded = expandStatic(tokens, domain, root);
  if ('dependsOn' in expanded) return { ...tn, dependsOn: expanded.dependsOn };
  const check = queryableName(expanded.name);
  return check.ok ? { ...tn, target: expanded.name } : { ...tn, failed: `target "${expanded.name}" cannot be looked up (${check.reason})` };
}

function failure(dns: DnsResult): Error {
  return new Error(`${dns.type} lookup of ${dns.name} failed: ${dns.outcome}${dns.error ? ` (${dns.error})` : ''}`);
}

async function addresses(w: Walk, host: string): Promise<HostAddresses & { v4Void: boolean; v6Void: boolean }> {
  const [a, aaaa] = await Promise.all([w.resolver.query(host, 'A'), w.resolver.query(host, 'AAAA')]);
  const failed = [a, aaaa].find((d) => isFailure(d.outcome));
  return {
    host, dns: [a.id, aaaa.id], addresses: [...a.records, ...aaaa.records].map(presentRecord),
    v4Void: isVoid(a), v6Void: isVoid(aaaa), ...(failed ? { failed: failure(failed).message } : {}),
  };
}

async function resolveA(w: Walk, tn: TermNode): Promise<TermNode> {
  const found = await addresses(w, tn.target!);
  const host: HostAddresses = { host: found.host, addresses: found.addresses, dns: found.dns };
  return { ...tn, hosts: [host], dns: found.dns, void: { dualStack: found.v4Void && found.v6Void, v4: found.v4Void, v6: found.v6Void }, ...(found.failed ? { failed: found.failed } : {}) };
}

async function resolveMx(w: Walk, tn: TermNode): Promise<TermNode> {
  const mx = await w.resolver.query(tn.target!, 'MX');
  if (isFailure(mx.outcome)) throw failure(mx);
  const names = [...mx.records].sort((a, b) => a.data.preference - b.data.preference).map((r) => r.data.exchange).filter((h) => h !== '');
  // Every host is resolved (not only the first 10) so lint can say which ones a receiver never looks at.
  const hosts = await Promise.all(names.map(async (h) => {
    if (!queryableName(h).ok) return { host: h, addresses: [], dns: [], failed: `MX host "${h}" cannot be looked up` };
    const found = await addresses(w, h);
    return { host: found.host, addresses: found.addresses, dns: found.dns, ...(found.failed ? { failed: found.failed } : {}) };
  }));
  const voided = isVoid(mx);
  return { ...tn, hosts, dns: [mx.id, ...hosts.flatMap((h) => h.dns)], void: { dualStack: voided, v4: voided, v6: voided } };
}

async function resolveExists(w: Walk, tn: TermNode): Promise<TermNode> {
  const a = await w.resolver.query(tn.target!, 'A');
  if (isFailure(a.outcome)) throw failure(a);
  return { ...tn, dns: [a.id], void: { dualStack: isVoid(a), v4: isVoid(a), v6: isVoid(a) } };
}

/** Every node of the tree, depth first, with the chain of nodes that leads to it (root first). */
export function* nodesOf(node: SpfNode, chain: SpfNode[] = []): Generator<{ node: SpfNode; chain: SpfNode[] }> {
  const here = [...chain, node];
  yield { node, chain: here };
  for (const c of node.children) yield* nodesOf(c, here);
}
