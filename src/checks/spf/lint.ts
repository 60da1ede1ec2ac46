/**
 * SPF lint: what is wrong or risky in a domain's SPF tree, as findings. Pure: it reads the tree
 * that tree.ts walked and the networks flatten.ts listed. Rules for one record (`lintRecord`) run
 * on every record of the tree; rules for the whole tree (lookup and void counts, includes that
 * lead nowhere) run once.
 */
import type { Finding, Severity } from '../types.ts';
import { contains, parseIpLiteral, networkOf, type Network } from './address.ts';
import type { FlatNetwork, Flattened } from './flatten.ts';
import { MECHANISMS, parseRecord, type Mechanism, type SpfRecord } from './parse.ts';
import { nodesOf, type SpfNode } from './tree.ts';

export const MAX_LOOKUPS = 10;
export const MAX_VOID_LOOKUPS = 2;
/** Above this a UDP answer (512 octets without EDNS) risks truncation once the rest of the response is added. */
export const LONG_RECORD_BYTES = 450;
const MAX_STRING = 255;
const TERM_START = new RegExp(`^[+\\-~?]?(?:${MECHANISMS.join('|')})(?:[:/ ]|$)|^(?:redirect|exp)=`, 'i');

function finding(id: string, severity: Severity, title: string, detail: string, extra: Partial<Finding> = {}): Finding {
  return { id, severity, title, detail, ...extra };
}

/** String boundaries that fall inside a term and glue the start of another term onto it (RFC 7208 §3.3). */
function gluedSplits(strings: string[]): { at: number; before: string; after: string }[] {
  const out: { at: number; before: string; after: string }[] = [];
  let at = 0;
  for (let i = 0; i < strings.length - 1; i++) {
    at += strings[i]!.length;
    const left = strings[i]!;
    const right = strings.slice(i + 1).join('');
    if (left.endsWith(' ') || right.startsWith(' ') || !left) continue;
    if (TERM_START.test(right)) out.push({ at, before: left.split(' ').pop() ?? '', after: right.split(' ')[0] ?? '' });
  }
  return out;
}

/** Rules about the text of one record: its strings, its length, its syntax. */
function lintText(domain: string, strings: string[], dns: number[]): Finding[] {
  const out: Finding[] = [];
  const text = strings.join('');
  for (const [i, s] of strings.entries()) {
    const bytes = Buffer.byteLength(s);
    if (bytes > MAX_STRING) out.push(finding('spf.string-too-long', 'error', `SPF string of ${bytes} bytes at ${domain}`, `A TXT string holds at most ${MAX_STRING} bytes; string ${i + 1} of ${domain}'s SPF record has ${bytes}. Split it into several quoted strings: receivers join them with no space in between (RFC 7208 §3.3).`, { dns }));
  }
  for (const glue of gluedSplits(strings)) {
    out.push(finding('spf.split-glued', 'error', `SPF record of ${domain} glues two terms together`, `The TXT strings of a record are joined with no space (RFC 7208 §3.3), so the split at character ${glue.at} turns "${glue.before}" and "${glue.after}" into the single term "${glue.before}${glue.after}". End the first string with a space (or start the next with one).`, { dns, data: { at: glue.at } }));
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > LONG_RECORD_BYTES) {
    out.push(finding('spf.record-long', 'warn', `SPF record of ${domain} is ${bytes} bytes`, `Records over about ${LONG_RECORD_BYTES} bytes may not fit a 512-byte UDP answer with the other TXT records of the name, forcing TCP retries that some receivers do not make. Shorten it (ip4 ranges instead of many single addresses, or move senders to an include on a subdomain).`, { dns, data: { bytes } }));
  }
  return out;
}

function allOf(record: SpfRecord): Mechanism | undefined {
  return record.mechanisms.find((m) => m.name === 'all');
}

/** Rules about the terms of one record. `root`: the domain's own record (policy advice applies there only). */
export function lintRecord(domain: string, record: SpfRecord, root: boolean, dns: number[] = []): Finding[] {
  const out: Finding[] = [];
  const all = allOf(record);
  const allIndex = all ? record.terms.indexOf(all) : -1;
  if (all?.qualifier === '+') {
    out.push(finding('spf.plus-all', 'critical', `${domain}'s SPF record authorizes the whole internet`, root ? `"${all.text}" makes every address on the internet a permitted sender: anyone can send mail that passes SPF as ${domain}.` : `"${all.text}" in ${domain}'s record makes the include of ${domain} match every address on the internet: anyone can send mail that passes SPF as every domain that includes it.`, { dns, fix: { text: root ? `Replace "${all.text}" with "-all" (or "~all" while you finish listing your senders).` : `Remove the include of ${domain}, or ask its operator to fix the record; list the sender's addresses with ip4/ip6 instead.` } }));
  } else if (root && all?.qualifier === '?') {
    out.push(finding('spf.neutral-all', 'warn', `${domain}'s SPF record ends in ?all`, '"?all" says nothing about other senders: receivers treat mail from any address as neutral, so SPF gives no protection against spoofing.', { dns, fix: { text: 'Use "~all" or "-all" once every sending service is listed.' } }));
  } else if (root && all?.qualifier === '~') {
    out.push(finding('spf.softfail-all', 'info', `${domain}'s SPF record ends in ~all`, '"~all" asks receivers to accept but mark mail from unlisted senders. With every sender listed and DMARC enforcing, "-all" states the policy firmly; under DMARC p=quarantine/reject, ~all and -all both fail alignment, so the difference matters most without DMARC.'));
  } else if (root && !all && !record.redirect) {
    out.push(finding('spf.no-all', 'warn', `${domain}'s SPF record has no final "all"`, 'Without an "all" or a redirect, a client that matches nothing gets neutral (RFC 7208 §4.7): unlisted senders are neither refused nor marked.', { dns, fix: { text: 'End the record with "-all" (or "~all").' } }));
  }
  if (all && record.redirect) {
    out.push(finding('spf.redirect-with-all', 'warn', `redirect= in ${domain}'s record is never used`, `"${record.redirect.text}" is ignored because the record has "${all.text}" (RFC 7208 §6.1).`, { dns, fix: { text: `Remove "${all.text}" to delegate to the redirect, or remove the redirect.` } }));
  }
  const after = record.mechanisms.filter((m) => allIndex >= 0 && record.terms.indexOf(m) > allIndex);
  if (after.length) {
    out.push(finding('spf.terms-after-all', 'warn', `Terms after "all" in ${domain}'s record are never evaluated`, `Evaluation stops at "${all!.text}", which always matches, so ${after.map((m) => `"${m.text}"`).join(', ')} ${after.length > 1 ? 'have' : 'has'} no effect. Only the last "all" is the policy.`, { dns, data: { terms: after.map((m) => m.text) } }));
  }
  for (const m of record.mechanisms.filter((x) => x.name === 'ptr')) {
    out.push(finding('spf.ptr-deprecated', 'warn', `${domain}'s record uses the ptr mechanism`, `"${m.text}" is slow, unreliable and "SHOULD NOT be published" (RFC 7208 §5.5); many receivers skip it.`, { dns, fix: { text: 'Replace ptr with the ip4/ip6 ranges or a/mx of the hosts it was meant to cover.' } }));
  }
  for (const m of record.unknownModifiers) {
    const looksLikeMechanism = (MECHANISMS as readonly string[]).includes(m.name);
    out.push(finding('spf.unknown-modifier', looksLikeMechanism ? 'warn' : 'info', `Unknown modifier "${m.name}=" in ${domain}'s record`, looksLikeMechanism ? `"${m.text}" is read as an unknown modifier and ignored; "${m.name}:" with a colon was probably meant.` : `"${m.text}" is ignored by receivers (RFC 7208 §6).`, { dns }));
  }
  return out;
}

function lookupBranches(tree: SpfNode): { term: string; lookups: number }[] {
  return tree.terms.filter((t) => t.counts).map((t) => {
    const child = tree.children.find((c) => c.term === t.term);
    return { term: t.term, lookups: 1 + (child?.lookups ?? 0) };
  }).sort((a, b) => b.lookups - a.lookups);
}

/** Void lookups a client meets when nothing matches (the worst case), by each void rule. */
export function voidLookups(tree: SpfNode): { dualStack: string[]; v4: string[]; v6: string[] } {
  const out = { dualStack: [] as string[], v4: [] as string[], v6: [] as string[] };
  for (const { node } of nodesOf(tree)) {
    for (const t of node.terms) {
      for (const rule of ['dualStack', 'v4', 'v6'] as const) if (t.void?.[rule]) out[rule].push(`${node.domain}: ${t.term}`);
    }
  }
  return out;
}

function lintLimits(tree: SpfNode): Finding[] {
  const out: Finding[] = [];
  const branches = lookupBranches(tree);
  const detail = branches.map((b) => `${b.term}: ${b.lookups}`).join(', ');
  const both = `${tree.lookups} by RFC 7208 §4.6.4 (MX host address lookups not counted), ${tree.lookups + tree.mxHostLookups} if every MX host lookup is counted as some tools do`;
  const data = { lookups: tree.lookups, withMxHosts: tree.lookups + tree.mxHostLookups, limit: MAX_LOOKUPS, branches };
  if (tree.lookups > MAX_LOOKUPS) {
    out.push(finding('spf.too-many-lookups', 'error', `SPF needs ${tree.lookups} DNS lookups; the limit is ${MAX_LOOKUPS}`, `Receivers stop at the ${MAX_LOOKUPS + 1}th DNS-querying term with permerror, so mail from senders listed late in the record fails SPF. Count: ${both}. Per branch: ${detail}.`, { data, fix: { text: 'Remove includes of services you no longer use, replace a/mx with the ip4/ip6 ranges they resolve to (see the flattened list), or move some senders to a subdomain with its own SPF record.' } }));
  } else if (tree.lookups === MAX_LOOKUPS) {
    out.push(finding('spf.lookups-at-limit', 'warn', `SPF uses all ${MAX_LOOKUPS} DNS lookups`, `Any further include, or a provider adding one inside its own include, will break SPF with permerror. Count: ${both}. Per branch: ${detail}.`, { data }));
  }
  const voids = voidLookups(tree);
  if (voids.dualStack.length > MAX_VOID_LOOKUPS) {
    out.push(finding('spf.void-lookups', 'error', `${voids.dualStack.length} void DNS lookups; the limit is ${MAX_VOID_LOOKUPS}`, `Names that do not exist or have no records count as void lookups; receivers return permerror after ${MAX_VOID_LOOKUPS} (RFC 7208 §4.6.4). Void terms: ${voids.dualStack.join('; ')}.`, { data: { terms: voids.dualStack }, fix: { text: 'Remove the terms that name hosts or domains which no longer exist.' } }));
  } else {
    // Receivers that count the client family's answer alone (pyspf, the literal §4.6.4 reading) see more.
    const family = (['v6', 'v4'] as const).find((f) => voids[f].length > MAX_VOID_LOOKUPS);
    if (family) {
      out.push(finding('spf.void-lookups-family', 'warn', `${voids[family].length} void lookups for IP${family} clients at receivers that count per address family`, `Names with no ${family === 'v4' ? 'A' : 'AAAA'} record are void lookups for IP${family} clients at receivers that only look at the client's address family (pyspf and others reading RFC 7208 §4.6.4 literally); they return permerror after ${MAX_VOID_LOOKUPS}. Terms: ${voids[family].join('; ')}.`, { data: { family, terms: voids[family] }, fix: { text: `Give those hosts ${family === 'v4' ? 'IPv4' : 'IPv6'} addresses, or list them with ip4/ip6 instead of a/mx.` } }));
    }
  }
  return out;
}

/** Findings about a node reached by include/redirect that a receiver cannot use. */
function lintBranch(node: SpfNode, parent: SpfNode): Finding[] {
  const dns = node.dns;
  const where = `"${node.term}" in ${parent.domain}'s record`;
  switch (node.status) {
    case 'none':
    case 'nxdomain':
      return [finding(node.status === 'nxdomain' ? 'spf.include-missing' : 'spf.include-no-spf', 'error', `${where} points at ${node.status === 'nxdomain' ? 'a domain that does not exist' : 'a domain without SPF'}`, `${node.error}. An ${node.via} of a domain without an SPF record is permerror (RFC 7208 §5.2, §6.1), so every check that reaches it fails.`, { dns, fix: { text: `Remove "${node.term}" or correct the domain name.` } })];
    case 'multiple':
    case 'syntax-error':
      return [finding('spf.include-permerror', 'error', `${where} leads to a broken record`, `${node.error}${node.syntax ? ` at "${node.syntax.term}"` : ''}: every check that reaches it is permerror.`, { dns })];
    case 'lookup-failed':
      return [finding('spf.include-lookup-failed', 'warn', `Could not look up ${where}`, `${node.error}. What it authorizes is unknown; receivers meeting the same failure return temperror.`, { dns })];
    case 'loop':
      return [finding('spf.include-loop', 'error', `${where} loops`, `${node.error}: receivers follow it until the lookup limit and return permerror.`, { dns })];
    default:
      return [];
  }
}

function lintTerms(node: SpfNode): Finding[] {
  const out: Finding[] = [];
  for (const t of node.terms) {
    if (t.name === 'mx' && (t.hosts?.length ?? 0) > 10) {
      out.push(finding('spf.mx-too-many-hosts', 'error', `"${t.term}" in ${node.domain}'s record names ${t.hosts!.length} MX hosts`, `Receivers look up at most 10 MX hosts per mx mechanism and return permerror when an 11th is needed (RFC 7208 §4.6.4).`, { dns: t.dns }));
    }
    if (t.failed && t.kind === 'mechanism' && t.name !== 'include') {
      out.push(finding('spf.term-lookup-failed', 'warn', `Could not resolve "${t.term}" in ${node.domain}'s record`, `${t.failed}.`, { dns: t.dns }));
    }
  }
  return out;
}

function overlapFindings(networks: FlatNetwork[]): Finding[] {
  const listed = networks.filter((n) => (n.source === 'ip4' || n.source === 'ip6') && n.qualifier === '+');
  const parsed = listed.map((n) => {
    const [addr, prefix] = n.network.split('/');
    return { n, net: networkOf(parseIpLiteral(addr!)!, Number(prefix)) as Network };
  });
  const out: Finding[] = [];
  for (let i = 0; i < parsed.length; i++) {
    for (let j = 0; j < parsed.length; j++) {
      const a = parsed[i]!;
      const b = parsed[j]!;
      if (i === j || !contains(a.net, b.net)) continue;
      const same = a.n.network === b.n.network;
      if (same && j < i) continue;
      out.push(finding(same ? 'spf.ip-duplicate' : 'spf.ip-overlap', 'info', same ? `${a.n.network} is listed twice` : `${b.n.network} is inside ${a.n.network}`, `${b.n.path.join(' → ')} is already covered by ${a.n.path.join(' → ')}; the extra entry only makes the record longer.`, { data: { covering: a.n.path, covered: b.n.path } }));
      if (out.length >= 20) return out;
    }
  }
  return out;
}

/** Findings about the domain's own record: missing, several, unreadable, or not looked up. */
function lintRoot(tree: SpfNode): Finding[] {
  const dns = tree.dns;
  const d = tree.domain;
  switch (tree.status) {
    case 'lookup-failed':
      return [finding('spf.lookup-failed', 'warn', `The SPF record of ${d} could not be looked up`, `${tree.error}. This is not a missing record: receivers meeting the same failure return temperror and usually retry later.`, { dns })];
    case 'none':
    case 'nxdomain':
      return [finding('spf.missing', 'error', `${d} has no SPF record`, `${tree.status === 'nxdomain' ? `${d} does not exist in DNS. ` : ''}No TXT record at ${d} starts with "v=spf1", so receivers get SPF none and cannot tell your mail from forgeries; many treat that as suspicious. A record published as the obsolete SPF type (99) is ignored since RFC 7208 (§3.1, §14.1): it must be TXT.`, { dns, fix: { text: `Publish one TXT record at ${d} that starts with "v=spf1", lists every service that sends mail as ${d} (usually your mail provider's include) and ends with "-all"; if ${d} sends no mail at all, publish "v=spf1 -all".` } })];
    case 'multiple':
      return [finding('spf.multiple-records', 'error', `${d} publishes ${tree.records?.length ?? 2} SPF records`, `A domain must have exactly one SPF record; with several, every receiver returns permerror (RFC 7208 §4.5). Records: ${(tree.records ?? []).map((r) => JSON.stringify(r)).join(', ')}.`, { dns, data: { records: tree.records ?? [] }, fix: { text: 'Merge them into a single TXT record: one "v=spf1", every mechanism of both, one "all" at the end.' } })];
    case 'syntax-error':
      return [finding('spf.permerror', 'error', `${d}'s SPF record has a syntax error`, `${tree.error} (term "${tree.syntax?.term}" at offset ${tree.syntax?.offset}). Receivers return permerror for the whole record (RFC 7208 §4.6), whatever the client.`, { dns, data: { term: tree.syntax?.term, offset: tree.syntax?.offset, record: tree.record } })];
    default:
      return [];
  }
}

/** Every finding for a walked tree. */
export function lintSpf(tree: SpfNode, flat: Flattened): Finding[] {
  const out: Finding[] = [...lintRoot(tree)];
  for (const { node, chain } of nodesOf(tree)) {
    const parent = chain[chain.length - 2];
    if (parent) out.push(...lintBranch(node, parent));
    if (node.lookalikes.length) {
      out.push(finding('spf.lookalike-record', node === tree && node.status !== 'ok' ? 'error' : 'warn', `A TXT record at ${node.domain} looks like SPF but is not one`, `Receivers only use a TXT record that starts exactly with "v=spf1" followed by a space (RFC 7208 §4.5); ${node.lookalikes.map((t) => JSON.stringify(t.slice(0, 80))).join(', ')} is ignored.`, { dns: node.dns }));
    }
    if (node.strings) out.push(...lintText(node.domain, node.strings, node.dns));
    const parsed = node.record ? parseRecord(node.record) : null;
    if (parsed?.ok) out.push(...lintRecord(node.domain, parsed.record, node === tree, node.dns), ...lintTerms(node));
  }
  out.push(...lintLimits(tree), ...overlapFindings(flat.networks));
  return out;
}
