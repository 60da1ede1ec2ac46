/**
 * The blocklist engine: every target against every list that takes it, all at once under one
 * concurrency limit, so a whole check costs about one round trip plus the slowest list. A listed
 * answer starts its TXT lookup (the list's reason) at once, without holding up any other lookup.
 */
import type { Resolver } from '../../net/dns/types.ts';
import { catalog as shippedCatalog, publicResolverName, selectLists, validateKeys, type Blocklist, type Catalog, type CodeSeverity, type ListKind, type PlannedList, type SkippedList } from './catalog.ts';
import { classifyAnswer, type Verdict } from './answer.ts';
import { explainError, type LookupError } from './explain.ts';
import { queryName } from './query-name.ts';
import { parseTarget, type BlocklistTarget, type TargetRole } from './target.ts';

export interface BlocklistResult {
  /** The IP address or domain checked. */
  target: string;
  targetKind: ListKind;
  roles: TargetRole[];
  /** Catalog id of the list. */
  list: string;
  listName: string;
  listType: Blocklist['type'];
  /** The zone queried (a key shows as `<key>`). */
  zone: string;
  /** The name looked up (a key shows as `<key>`). */
  query: string;
  status: 'listed' | 'not-listed' | 'error';
  /** The A records answered (listings and error codes alike). */
  codes: string[];
  /** Short names of the matched codes (SBL, XBL, PBL, phish…). */
  labels: string[];
  /** What the listing means, or what went wrong; null when not listed. */
  meaning: string | null;
  /** The worst severity among matched codes (listed only). */
  severity: CodeSeverity | null;
  /** True when a matched code accuses the target of abuse (not policy, collateral or info). */
  abuse: boolean;
  /** The list's TXT answer for a listing (its reason, often with a link). */
  txt: string | null;
  /** Where to look the listing up and ask for removal. */
  url: string | null;
  lookupUrl: string | null;
  delistUrl: string | null;
  /** What the list requires before delisting (listed only). */
  delisting: string | null;
  /** Listed, but resting on a code the catalog marks unverified. */
  unverified?: boolean;
  /**
   * False for a "not listed" that came through a public resolver this list refuses: the resolver,
   * not the list, may have answered (some answer NXDOMAIN for refused lists).
   */
  reliable?: false;
  note?: string;
  error?: LookupError;
  /** Transcript ids of the DNS lookups behind this result. */
  dns: number[];
}

export interface BlocklistReport {
  results: BlocklistResult[];
  /** Lists not queried, and why (dead, migrated, no public zone, key missing). */
  skipped: SkippedList[];
  /** Lists queried in this run. */
  lists: string[];
  resolver: string[];
  /** Problems with the run as a whole (a public resolver that lists refuse); absent when none. */
  warnings?: string[];
  durationMs: number;
}

export interface CheckBlocklistsOptions {
  /** List ids (or zones) to query instead of the default set. */
  lists?: readonly string[];
  /** Access keys by key id: `spamhausDqs`, `abusix`, `spamrats`. */
  keys?: Readonly<Record<string, string>>;
  /**
   * Lookups in flight at once. The default (2048) is one round trip for a domain diagnosis and
   * about two for a hundred addresses; the DNS client's single socket has a 4 MB receive buffer, and
   * `burst` paces the sending so a resolver's own socket is not flooded in one go.
   */
  concurrency?: number;
  /** Lookups started per turn of the event loop (default 256), so a burst does not overflow the resolver's socket. */
  burst?: number;
  /** Fetch the TXT reason of listings (default true). */
  txt?: boolean;
  catalog?: Catalog;
}

export const DEFAULT_CONCURRENCY = 2048;
const MAX_TXT = 1024;
const BURST = 256;
const MAX_NAME = 253;

const SEVERITY_ORDER: CodeSeverity[] = ['good', 'info', 'policy', 'collateral', 'suspicious', 'block'];

/**
 * Runs tasks with at most `max` of them pending at once, in submission order, and starts at most
 * `burst` per turn of the event loop: a resolver reads its single UDP socket while we send, and a
 * thousand datagrams sent in one go overflow its receive buffer (the kernel drops the rest, which
 * would come back as timeouts — "unknown" results for no reason).
 */
function createLimiter(max: number, burst = BURST): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  let startedThisTurn = 0;
  let nextTurn: Promise<void> | null = null;
  const pace = async () => {
    while (startedThisTurn >= burst) {
      nextTurn ??= new Promise((resolve) => setImmediate(() => {
        startedThisTurn = 0;
        nextTurn = null;
        resolve();
      }));
      await nextTurn;
    }
    startedThisTurn++;
  };
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return async (task) => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      await pace();
      return await task();
    } finally {
      release();
    }
  };
}

function fillUrl(template: string | null, target: BlocklistTarget): string | null {
  if (!template) return null;
  const value = encodeURIComponent(target.kind === 'domain' ? (target.registeredDomain ?? target.value) : target.value);
  return template.replace(/\{ip\}|\{domain\}/g, value);
}

function redact(name: string, planned: PlannedList): string {
  return planned.keyed ? name.slice(0, name.length - planned.zone.length) + planned.displayZone : name;
}

function mergeTargets(targets: readonly (string | BlocklistTarget)[]): BlocklistTarget[] {
  const byValue = new Map<string, BlocklistTarget>();
  for (const t of targets) {
    const target = typeof t === 'string' ? parseTarget(t) : t;
    const existing = byValue.get(target.value);
    if (!existing) byValue.set(target.value, { ...target, roles: [...target.roles] });
    else for (const r of target.roles) if (!existing.roles.includes(r)) existing.roles.push(r);
  }
  return [...byValue.values()];
}

interface Lookup {
  planned: PlannedList;
  target: BlocklistTarget;
  name: string;
}

function baseResult(lookup: Lookup): Omit<BlocklistResult, 'status' | 'codes' | 'meaning' | 'dns'> {
  const { planned, target } = lookup;
  const { list } = planned;
  const lookupUrl = fillUrl(list.lookupUrl, target);
  const delistUrl = fillUrl(list.delistUrl, target);
  return {
    target: target.value,
    targetKind: target.kind,
    roles: target.roles,
    list: list.id,
    listName: list.name,
    listType: list.type,
    zone: planned.displayZone,
    query: redact(lookup.name, planned),
    labels: [],
    severity: null,
    abuse: false,
    txt: null,
    url: delistUrl ?? lookupUrl,
    lookupUrl,
    delistUrl,
    delisting: null,
  };
}

function listedFields(list: Blocklist, verdict: Extract<Verdict, { status: 'listed' }>): Partial<BlocklistResult> {
  const severity = verdict.matched.map((c) => c.severity).reduce((a, b) => (SEVERITY_ORDER.indexOf(b) > SEVERITY_ORDER.indexOf(a) ? b : a));
  const meanings = verdict.matched.map((c) => (c.label && !c.meaning.startsWith(c.label) ? `${c.label}: ${c.meaning}` : c.meaning));
  const unrecognised = verdict.unrecognised.length ? `also answered ${verdict.unrecognised.join(', ')}, a code the list does not document` : undefined;
  return {
    labels: [...new Set(verdict.matched.map((c) => c.label).filter((l): l is string => !!l))],
    meaning: meanings.join('; '),
    severity,
    abuse: verdict.matched.some((c) => c.abuse),
    delisting: list.delisting.requires,
    ...(verdict.matched.some((c) => c.unverified) ? { unverified: true } : {}),
    ...(unrecognised ? { note: unrecognised } : {}),
  };
}

function joinTxt(records: { data: string[] }[]): string | null {
  if (!records.length) return null;
  const text = records.map((r) => r.data.join('')).join(' | ');
  return text.length > MAX_TXT ? `${text.slice(0, MAX_TXT)}…` : text;
}

async function checkOne(lookup: Lookup, resolver: Resolver, limit: ReturnType<typeof createLimiter>, options: { txt: boolean; catalog: Catalog }): Promise<BlocklistResult> {
  const base = baseResult(lookup);
  const { planned } = lookup;
  const explain = (verdict: Extract<Verdict, { status: 'error' }>, detail?: string, dns: number[] = []): BlocklistResult => {
    const error = explainError({ planned, kind: verdict.kind, codes: verdict.codes, ...(verdict.meaning ? { meaning: verdict.meaning } : {}), servers: resolver.servers, ...(detail ? { detail } : {}) }, options.catalog);
    return { ...base, status: 'error', codes: verdict.codes, meaning: error.message, error, dns };
  };
  if (lookup.name.length > MAX_NAME) return explain({ status: 'error', codes: [], kind: 'network' }, `the query name is longer than ${MAX_NAME} characters`);
  let answer;
  try {
    answer = await limit(() => resolver.query(lookup.name, 'A'));
  } catch (err) {
    return explain({ status: 'error', codes: [], kind: 'network' }, (err as Error).message);
  }
  const verdict = classifyAnswer(planned.list, answer);
  if (verdict.status === 'error') return explain(verdict, answer.error, [answer.id]);
  if (verdict.status === 'not-listed') return { ...base, status: 'not-listed', codes: [], meaning: null, ...(verdict.note ? { note: verdict.note } : {}), dns: [answer.id] };
  const listed: BlocklistResult = { ...base, status: 'listed', codes: verdict.codes, meaning: null, ...listedFields(planned.list, verdict), dns: [answer.id] };
  if (!options.txt) return listed;
  try {
    const txt = await limit(() => resolver.query(lookup.name, 'TXT'));
    return { ...listed, txt: joinTxt(txt.records), dns: [answer.id, txt.id] };
  } catch {
    return listed; // the reason text is a courtesy: the listing stands without it
  }
}

function refusesPublicResolvers(planned: PlannedList): boolean {
  return planned.list.access.publicResolversRefused === true && !planned.keyed;
}

function publicResolversIn(servers: readonly string[], catalog: Catalog): string[] {
  return servers.flatMap((s) => {
    const name = publicResolverName(s, catalog);
    return name ? [`${name} (${s})`] : [];
  });
}

/** "Not listed" through a public resolver a list refuses is the resolver's word, not the list's. */
function markPublicResolverAnswers(results: BlocklistResult[], lookups: Lookup[], servers: readonly string[], catalog: Catalog): BlocklistResult[] {
  const publics = publicResolversIn(servers, catalog);
  if (!publics.length) return results;
  return results.map((r, i) => {
    const planned = lookups[i]?.planned;
    if (r.status !== 'not-listed' || !planned || !refusesPublicResolvers(planned)) return r;
    return { ...r, reliable: false, note: `queried through ${publics.join(', ')}, a public resolver ${r.listName} refuses: "not listed" may be the resolver's answer, not the list's` };
  });
}

function withWarnings(warnings: string[]): { warnings?: string[] } {
  return warnings.length ? { warnings } : {};
}

function publicResolverWarnings(lookups: Lookup[], servers: readonly string[], catalog: Catalog): string[] {
  const publics = publicResolversIn(servers, catalog);
  const refusing = [...new Set(lookups.filter((l) => refusesPublicResolvers(l.planned)).map((l) => l.planned.list.name))];
  if (!publics.length || !refusing.length) return [];
  return [`The resolver is ${publics.join(', ')}, a public resolver that ${refusing.join(', ')} refuse: their answers are unreliable. Use your own recursive resolver (--resolver) or keyed access (--dqs-key).`];
}

/**
 * Checks every target against every selected list that takes its kind (IP lists for addresses,
 * domain lists for domains), in parallel. Results come in target order, then catalog order.
 */
export async function checkBlocklists(
  ctx: { resolver: Resolver },
  targets: readonly (string | BlocklistTarget)[],
  options: CheckBlocklistsOptions = {},
): Promise<BlocklistReport> {
  const started = performance.now();
  const catalog = options.catalog ?? shippedCatalog;
  // A key becomes part of the query name: a malformed one is the user's mistake, refused before any query.
  // Run options may carry keys for other services: only the catalog's own are read here.
  const keys = validateKeys(Object.fromEntries(Object.entries(options.keys ?? {}).filter(([id]) => id in catalog.keys)), catalog);
  const selection = selectLists({ ...(options.lists ? { lists: options.lists } : {}), keys }, catalog);
  const limit = createLimiter(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY), Math.max(1, options.burst ?? BURST));
  const lookups: Lookup[] = [];
  for (const target of mergeTargets(targets)) {
    for (const planned of selection.queried) {
      const name = queryName(planned, target);
      if (name) lookups.push({ planned, target, name });
    }
  }
  const settings = { txt: options.txt ?? true, catalog };
  const results = await Promise.all(lookups.map((l) => checkOne(l, ctx.resolver, limit, settings)));
  return {
    results: markPublicResolverAnswers(results, lookups, ctx.resolver.servers, catalog),
    skipped: selection.skipped,
    lists: selection.queried.map((p) => p.list.id),
    resolver: [...ctx.resolver.servers],
    ...withWarnings(publicResolverWarnings(lookups, ctx.resolver.servers, catalog)),
    durationMs: Math.round(performance.now() - started),
  };
}
