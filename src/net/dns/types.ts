/**
 * The DNS vocabulary every check speaks. A lookup is never reduced to "records or nothing":
 * the outcome keeps NXDOMAIN, NODATA, SERVFAIL, REFUSED and timeouts apart, because SPF void
 * lookups, temperrors and "lookup failed, not missing" findings all depend on the difference.
 */

export type RecordType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'CNAME' | 'NS' | 'PTR' | 'SOA' | 'TLSA' | 'CAA' | 'SRV';

export const RECORD_TYPES: readonly RecordType[] = ['A', 'AAAA', 'MX', 'TXT', 'CNAME', 'NS', 'PTR', 'SOA', 'TLSA', 'CAA', 'SRV'];

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED' | 'YXDOMAIN' | 'YXRRSET' | 'NXRRSET' | 'NOTAUTH' | 'NOTZONE' | 'RCODE_11' | 'RCODE_12' | 'RCODE_13' | 'RCODE_14' | 'RCODE_15';

/**
 * What became of a query, from the point of view of a check:
 * - `answer`: NOERROR with at least one record of the asked type (possibly behind CNAMEs);
 * - `nodata`: NOERROR, the name exists but has no record of that type (RFC 2308 "NODATA");
 * - `nxdomain`: the name does not exist;
 * - `servfail`, `refused`: the server answered with that error;
 * - `timeout`: no answer from any server within the time allowed (never an empty answer);
 * - `error`: anything else (unreachable server, malformed answer, other rcodes, offline guard).
 */
export type Outcome = 'answer' | 'nodata' | 'nxdomain' | 'servfail' | 'refused' | 'timeout' | 'error';

export interface MxData { preference: number; exchange: string }
export interface SoaData { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
/** `certificate` is the association data in lowercase hex. */
export interface TlsaData { usage: number; selector: number; matchingType: number; certificate: string }
export interface CaaData { flags: number; tag: string; value: string }
export interface SrvData { priority: number; weight: number; port: number; target: string }

interface DataByType {
  A: string;
  AAAA: string;
  CNAME: string;
  NS: string;
  PTR: string;
  MX: MxData;
  /** TXT keeps its separate strings (join them yourself: SPF joins with no space). */
  TXT: string[];
  SOA: SoaData;
  TLSA: TlsaData;
  CAA: CaaData;
  SRV: SrvData;
}

export type RecordOf<T extends RecordType> = { name: string; ttl: number; type: T; data: DataByType[T] };

/** Typed record data, discriminated by `type`. */
export type DnsRecord = { [K in RecordType]: RecordOf<K> }[RecordType];

export type DataOf<T extends RecordType> = DataByType[T];

export interface DnsResult<T extends RecordType = RecordType> {
  /** Transcript index of this lookup: findings cite it as evidence (`dns#12`). */
  id: number;
  name: string;
  type: T;
  outcome: Outcome;
  /** The response code, or null when no response came (timeout, unreachable). */
  rcode: Rcode | null;
  /** Records of the asked type, after following CNAMEs inside the answer. */
  records: RecordOf<T>[];
  /** The whole answer section in order (CNAMEs included), for evidence. */
  answers: DnsRecord[];
  /** CNAME chain followed from `name`, in order (empty when none). */
  cnames: string[];
  /** Authenticated Data flag of the response (DNSSEC validated by the resolver). */
  ad: boolean;
  /** The server that gave this answer (`host:port`), or the last one tried. */
  server: string | null;
  elapsedMs: number;
  /** True when this came from the run's cache or a replay file. */
  cached: boolean;
  /** Human explanation for `error`/`timeout` outcomes. */
  error?: string;
}

/** One line of a run's DNS transcript; serializable, used for record and replay. */
export interface TranscriptEntry {
  id: number;
  name: string;
  type: RecordType;
  outcome: Outcome;
  rcode: Rcode | null;
  answers: DnsRecord[];
  ad: boolean;
  server: string | null;
  elapsedMs: number;
  at: string;
  error?: string;
}

export interface DnsStats {
  queriesSent: number;
  cacheHits: number;
  inflightJoins: number;
  byType: Partial<Record<RecordType, number>>;
  timeouts: number;
}

/** The resolver every check receives through `ctx.resolver`. */
export interface Resolver {
  query<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>>;
  readonly transcript: readonly TranscriptEntry[];
  readonly stats: DnsStats;
  /** `host:port` of the servers in use, or `replay:FILE`. */
  readonly servers: readonly string[];
}

/** Outcomes that say "the data is not known", as opposed to "known to be absent". */
export function isFailure(outcome: Outcome): boolean {
  return outcome === 'servfail' || outcome === 'refused' || outcome === 'timeout' || outcome === 'error';
}
