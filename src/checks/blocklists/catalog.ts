/**
 * The blocklist catalog (`data/dnsbl.json`): which DNS lists exist, what their answers mean, how to
 * reach them, and which of them a run queries. Dead lists stay in the catalog so a report can say
 * why they were skipped — some of their zones now answer "listed" for every address.
 */
import catalogFile from '../../../data/dnsbl.json' with { type: 'json' };
import { InputError } from '../../errors.ts';
import type { Rcode } from '../../net/dns/types.ts';

export type ListKind = 'ip4' | 'ip6' | 'domain';

/** How bad a listing is: `block` and `suspicious` accuse the target of abuse, the others do not. */
export type CodeSeverity = 'block' | 'policy' | 'suspicious' | 'collateral' | 'info' | 'good';

/** Documented error answers of a list (a refusal, never a listing). */
export type CatalogErrorKind =
  | 'public-resolver'
  | 'excessive-volume'
  | 'zone-typo'
  | 'key-rejected'
  | 'ip-on-domain-list'
  | 'query-blocked'
  | 'resolver-not-registered'
  | 'query-error';

export interface ReturnCode {
  /** `127.0.0.2`, a range `127.0.0.5-127.0.0.7`, or a pattern with `x` octets `127.0.x.0`. */
  code: string;
  /** Bitmask lists: the bit of the last octet this code stands for. */
  bit?: number;
  /** Sub-list or short name (SBL, XBL, PBL, phish, black…). */
  label?: string;
  meaning: string;
  severity: CodeSeverity;
  abuse: boolean;
  unverified?: boolean;
}

export interface ErrorCode {
  code?: string;
  /** A response code that means this error for this list (Abusix answers REFUSED to a bad key). */
  rcode?: Rcode;
  bit?: number;
  kind: CatalogErrorKind;
  meaning: string;
  unverified?: boolean;
}

export interface ListAccess {
  publicResolversRefused: boolean | null;
  refusedResolvers?: string[];
  refusalBehaviour?: string;
  /** Id of the key (in `keys`) that switches this list to `keyedZone`. */
  key?: string;
  /** Zone to query with a key, `{key}` standing for it. */
  keyedZone?: string;
  keyRequired: boolean;
  registrationRequired?: boolean;
  freeUse?: string;
}

export interface Delisting {
  autoExpire: boolean | string | null;
  expiry?: string;
  selfService: boolean | string | null;
  paid: boolean | null;
  /** What the list wants before it removes an entry, in plain words. */
  requires: string;
}

export type ListStatus = 'active' | 'dead' | 'migrated' | 'uncertain';

export interface Blocklist {
  id: string;
  name: string;
  operator: string;
  zone: string | null;
  altZones?: string[];
  kinds: ListKind[];
  type: 'blocklist' | 'policy' | 'reputation' | 'allowlist';
  status: ListStatus;
  statusDate?: string;
  statusNote?: string;
  hazard?: string;
  /** `default`: queried on every run; `opt-in`: only when asked for by id; `never`: dead, migrated or without a zone. */
  use: 'default' | 'opt-in' | 'never';
  useNote?: string;
  /** A combined list whose answers already include this one (ZEN covers SBL, XBL, PBL). */
  coveredBy?: string;
  /** Domain lists: query the registered domain, or the full host name (wildcarded zones that list host names). */
  domainQuery?: 'registered' | 'host';
  bitmask?: boolean;
  components?: string[];
  codes: ReturnCode[];
  errors: ErrorCode[];
  access: ListAccess;
  lookupUrl: string | null;
  delistUrl: string | null;
  errorInfoUrls?: string[];
  txtFormat?: string;
  delisting: Delisting;
  usageNote?: string;
  /** Facts that could not be confirmed from an authoritative source. */
  unverified?: string[];
  sources: string[];
}

export interface KeySpec {
  name: string;
  /** CLI flag, or null when only the environment variable sets it. */
  flag: string | null;
  env: string;
  format: string;
  queryForm: string;
  freeTier: boolean | null;
  notes: string;
  docs: string | null;
}

export interface Catalog {
  schema: 'mailsleuth/dnsbl@1';
  factsAsOf: string;
  answerRules: string[];
  /** Well-known public resolvers by operator, which many lists refuse. */
  publicResolvers: { note: string; addresses: Record<string, string[]> };
  keys: Record<string, KeySpec>;
  lists: Blocklist[];
}

/** The catalog shipped with mailsleuth. */
export const catalog: Catalog = catalogFile as unknown as Catalog;

export function findList(id: string, from: Catalog = catalog): Blocklist | undefined {
  const wanted = id.toLowerCase();
  return from.lists.find((l) => l.id === wanted || l.zone === wanted);
}

/** The operator of a well-known public resolver at `server` (`host:port`, `[v6]:port` or an address), or null. */
export function publicResolverName(server: string, from: Catalog = catalog): string | null {
  const host = (server.match(/^\[([^\]]+)\]/)?.[1] ?? (server.split(':').length === 2 ? server.split(':')[0] : server) ?? '').toLowerCase();
  for (const [name, addresses] of Object.entries(from.publicResolvers.addresses)) {
    if (addresses.includes(host)) return name;
  }
  return null;
}

/** A list as this run will query it: the zone with the key filled in, when there is one. */
export interface PlannedList {
  list: Blocklist;
  /** The zone queries go to (contains the key for keyed access). */
  zone: string;
  /** The zone as reports show it: the key replaced by `<key>`. */
  displayZone: string;
  keyed: boolean;
}

export type SkipReason = 'dead' | 'migrated' | 'no-public-zone' | 'needs-key';

export interface SkippedList {
  list: string;
  name: string;
  zone: string | null;
  reason: SkipReason;
  detail: string;
}

export interface ListSelection {
  queried: PlannedList[];
  skipped: SkippedList[];
}

export interface SelectOptions {
  /** List ids (or zones) to query instead of the default set. */
  lists?: readonly string[];
  /** Access keys by key id (`spamhausDqs`, `abusix`, `spamrats`). */
  keys?: Readonly<Record<string, string>>;
}

function skipReason(list: Blocklist): SkippedList | null {
  const base = { list: list.id, name: list.name, zone: list.zone };
  if (list.status === 'dead') {
    const since = list.statusDate ? ` (since ${list.statusDate})` : '';
    return { ...base, reason: 'dead', detail: `never queried: the list is dead${since}. ${list.statusNote ?? ''}`.trim() };
  }
  if (list.status === 'migrated') return { ...base, reason: 'migrated', detail: `never queried: ${list.useNote ?? list.statusNote ?? 'the list moved elsewhere.'}` };
  if (list.use === 'never') return { ...base, reason: 'no-public-zone', detail: `never queried: ${list.useNote ?? 'the list has no public DNS zone.'}` };
  return null;
}

/**
 * Which lists a run queries and which it skips (with the reason a report shows). Without `lists`,
 * the default set; dead and zone-less lists are always skipped, even when asked for by name, and
 * keyed lists are skipped when their key is missing.
 */
export function selectLists(options: SelectOptions = {}, from: Catalog = catalog): ListSelection {
  const queried: PlannedList[] = [];
  const skipped: SkippedList[] = [];
  let chosen: Blocklist[];
  if (options.lists?.length) {
    chosen = [];
    for (const id of options.lists) {
      const list = findList(id, from);
      if (!list) throw new InputError(`unknown blocklist "${id}" (use a list id or zone from data/dnsbl.json)`);
      if (!chosen.includes(list)) chosen.push(list);
    }
  } else {
    chosen = from.lists.filter((l) => l.use !== 'opt-in');
  }
  for (const list of chosen) {
    const skip = skipReason(list);
    if (skip) {
      skipped.push(skip);
      continue;
    }
    const keyId = list.access.key;
    const key = keyId ? options.keys?.[keyId] : undefined;
    if (key && list.access.keyedZone) {
      queried.push({ list, zone: list.access.keyedZone.replace('{key}', key), displayZone: list.access.keyedZone.replace('{key}', '<key>'), keyed: true });
    } else if (list.access.keyRequired || !list.zone) {
      const spec = keyId ? from.keys[keyId] : undefined;
      const how = spec ? ` — give it with ${spec.flag ? `${spec.flag} or ` : ''}${spec.env}` : '';
      skipped.push({ list: list.id, name: list.name, zone: list.access.keyedZone?.replace('{key}', '<key>') ?? null, reason: 'needs-key', detail: `not queried: needs ${spec?.name ?? 'an access key'}${how}` });
    } else {
      queried.push({ list, zone: list.zone, displayZone: list.zone, keyed: false });
    }
  }
  return { queried, skipped };
}

const KEY_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Checks that every key is known and can stand as a DNS label (it becomes part of the query name). */
export function validateKeys(keys: Readonly<Record<string, string | undefined>>, from: Catalog = catalog): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, value] of Object.entries(keys)) {
    if (value === undefined || value === '') continue;
    const spec = from.keys[id];
    if (!spec) throw new InputError(`unknown blocklist key "${id}" (known: ${Object.keys(from.keys).join(', ')})`);
    if (!KEY_LABEL.test(value)) throw new InputError(`invalid ${spec.name}: it must be letters, digits and hyphens (${spec.format})`);
    out[id] = value;
  }
  return out;
}

/** Keys from the environment (SPAMHAUS_DQS_KEY…), overridden by the ones given explicitly. */
export function keysFromEnv(env: NodeJS.ProcessEnv = process.env, from: Catalog = catalog): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, spec] of Object.entries(from.keys)) {
    const value = env[spec.env]?.trim();
    if (value) out[id] = value;
  }
  return out;
}
