/**
 * Flattening: every network the SPF tree names (ip4/ip6 terms, and a/mx resolved to addresses)
 * with the path that leads to it, e.g. `acme.example → include:spf.protection.outlook.com →
 * ip4:40.92.0.0/15`, and the qualifier a receiver would answer with for a client in it.
 *
 * The qualifier through includes follows RFC 7208 §5.2: a term inside an included record only
 * makes the include match when it gives pass, and the include term's own qualifier is then the
 * answer; terms of an included record that are not "+" never surface through it. A redirect passes
 * its answer on unchanged (§6.1). Order still matters (the first match wins), so the list keeps the
 * evaluation order; a network listed after a broader one can be shadowed by it.
 */
import type { Family } from './address.ts';
import { formatNetwork, networkOf, parseIpLiteral } from './address.ts';
import type { Qualifier } from './parse.ts';
import type { SpfNode, TermNode } from './tree.ts';

export interface FlatNetwork {
  /** Canonical CIDR (host bits cleared). */
  network: string;
  family: Family;
  /** What a client in this network gets from this entry: "+" authorizes it. */
  qualifier: Qualifier;
  /** `all` stands for every address (0.0.0.0/0 and ::/0) when it surfaces at the root. */
  source: 'ip4' | 'ip6' | 'a' | 'mx' | 'all';
  /** The term that names it, as written. */
  term: string;
  /** a/mx: the host whose address this is. */
  host?: string;
  /** Root domain, then each include/redirect term, then the term (and for a/mx the host). */
  path: string[];
}

/** A term whose networks cannot be listed: it depends on the sender, or its lookup failed. */
export interface UnflattenedTerm {
  term: string;
  path: string[];
  reason: string;
}

export interface Flattened {
  networks: FlatNetwork[];
  unresolved: UnflattenedTerm[];
}

/** The qualifier seen from the root, or null when the term cannot surface through an include. */
function effectiveQualifier(qualifier: Qualifier, chain: SpfNode[]): Qualifier | null {
  let current = qualifier;
  for (let i = chain.length - 1; i > 0; i--) {
    const link = chain[i]!;
    if (link.via !== 'include') continue;
    if (current !== '+') return null;
    current = link.qualifier;
  }
  return current;
}

/** ip4/ip6 name a network; a/mx name host addresses that their CIDR lengths widen (§5.3). */
function cidrOf(address: string, family: Family, term: TermNode): string | null {
  const ip = parseIpLiteral(address);
  if (!ip || ip.family !== family) return null;
  return formatNetwork(networkOf(ip, family === 4 ? (term.cidr4 ?? 32) : (term.cidr6 ?? 128)));
}

function termNetworks(term: TermNode, qualifier: Qualifier, path: string[]): FlatNetwork[] {
  if ((term.name === 'ip4' || term.name === 'ip6') && term.network) {
    const family = term.name === 'ip4' ? 4 : 6;
    const network = cidrOf(term.network, family, term);
    return network ? [{ network, family, qualifier, source: term.name, term: term.term, path: [...path, term.term] }] : [];
  }
  if (term.name === 'all') {
    return (['0.0.0.0/0', '::/0'] as const).map((network, i) => ({ network, family: i === 0 ? 4 : 6, qualifier, source: 'all', term: term.term, path: [...path, term.term] }));
  }
  if (term.name !== 'a' && term.name !== 'mx') return [];
  const source = term.name;
  return (term.hosts ?? []).flatMap((h) => h.addresses.flatMap((address) => {
    const family: Family = address.includes(':') ? 6 : 4;
    const network = cidrOf(address, family, term);
    return network ? [{ network, family, qualifier, source, term: term.term, host: h.host, path: [...path, term.term, h.host] }] : [];
  }));
}

/** Walks the terms in evaluation order: an include's record in its place, a redirect's at the end. */
function flattenNode(node: SpfNode, chain: SpfNode[], root: string, out: Flattened): void {
  const here = [...chain, node];
  const path = [root, ...here.slice(1).map((n) => n.term ?? n.domain)];
  for (const term of node.terms) {
    const child = node.children.find((c) => c.term === term.term);
    if (child && child.via === 'include') {
      flattenNode(child, here, root, out);
      continue;
    }
    if (term.kind !== 'mechanism' || !term.qualifier) continue;
    const qualifier = effectiveQualifier(term.qualifier, here);
    if (!qualifier) continue;
    const at = [...path, term.term];
    if (term.dependsOn) out.unresolved.push({ term: term.term, path: at, reason: `depends on the sender or client (%{${term.dependsOn.join('}, %{')}})` });
    else if (term.failed) out.unresolved.push({ term: term.term, path: at, reason: term.failed });
    else if (term.name === 'ptr') out.unresolved.push({ term: term.term, path: at, reason: 'ptr authorizes by the client\'s reverse DNS, not by address' });
    else if (term.name === 'exists') out.unresolved.push({ term: term.term, path: at, reason: 'exists authorizes by a DNS name, not by address' });
    out.networks.push(...termNetworks(term, qualifier, path));
  }
  const redirect = node.children.find((c) => c.via === 'redirect');
  if (redirect) flattenNode(redirect, here, root, out);
}

export function flattenSpf(tree: SpfNode): Flattened {
  const out: Flattened = { networks: [], unresolved: [] };
  flattenNode(tree, [], tree.domain, out);
  return out;
}

/**
 * The pass-qualified networks named by address: the hosts the domain authorizes to send its mail.
 * A `+all` (every address) is left out: it is a lint finding, not a list of senders.
 */
export function authorizedNetworks(flat: Flattened): FlatNetwork[] {
  return flat.networks.filter((n) => n.qualifier === '+' && n.source !== 'all');
}
