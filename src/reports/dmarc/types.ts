/**
 * The vocabulary of DMARC aggregate reports as this tool reads them: one report (RFC 7489
 * Appendix C, or RFC 9990 with the `urn:ietf:params:xml:ns:dmarc-2.0` namespace) as plain data,
 * and the summary of many reports joined by sending source. Everything is serializable.
 */

export type DmarcSchema = 'rfc7489' | 'rfc9990';

/** Published policy as the reporter saw it; null where the report left it out. */
export interface PolicyPublished {
  domain: string;
  p: string | null;
  /** Subdomain policy; null when the reporter left it out (then it is `p`). */
  sp: string | null;
  /** RFC 9990: policy for non-existent subdomains. */
  np: string | null;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  /** RFC 7489 only (RFC 9990 removed it). */
  pct: number | null;
  fo: string | null;
  /** RFC 9990 `t=y` test mode. */
  testing: boolean | null;
  /** RFC 9990: `psl` (RFC 7489 discovery) or `treewalk` (RFC 9989). */
  discoveryMethod: string | null;
}

export interface PolicyOverride {
  /** `forwarded`, `mailing_list`, `trusted_forwarder`, `local_policy`, `sampled_out`, `policy_test_mode`, `other`. */
  type: string;
  comment: string | null;
}

/** A DKIM result as the receiver verified it, uninterpreted with respect to DMARC. */
export interface DkimAuth {
  domain: string;
  selector: string | null;
  result: string;
  humanResult: string | null;
}

export interface SpfAuth {
  domain: string;
  /** `mfrom` or `helo`; null when the reporter left it out (then it is `mfrom`). */
  scope: string | null;
  result: string;
  humanResult: string | null;
}

export interface ReportRecord {
  sourceIp: string;
  count: number;
  /** `none`, `quarantine`, `reject`, or RFC 9990's `pass`. */
  disposition: string;
  /** Aligned DKIM result (`policy_evaluated/dkim`). */
  dkim: 'pass' | 'fail';
  /** Aligned SPF result (`policy_evaluated/spf`). */
  spf: 'pass' | 'fail';
  reasons: PolicyOverride[];
  headerFrom: string;
  envelopeFrom: string | null;
  envelopeTo: string | null;
  authDkim: DkimAuth[];
  authSpf: SpfAuth[];
}

/** Codes of the reporter bugs that are read through rather than refused. */
export type QuirkCode =
  | 'byte-order-mark' | 'leading-whitespace' | 'encoding' | 'xml-entity' | 'missing-sp' | 'empty-pct' | 'iso-date'
  | 'millisecond-timestamp' | 'swapped-date-range' | 'padded-value' | 'value-case'
  | 'duplicate-record' | 'mapped-ipv6' | 'missing-policy-evaluated' | 'nonstandard-alignment-result';

export interface Quirk {
  code: QuirkCode;
  detail: string;
}

export interface AggregateReport {
  schema: DmarcSchema;
  namespace: string | null;
  orgName: string;
  email: string | null;
  extraContactInfo: string | null;
  generator: string | null;
  reportId: string;
  /** Epoch seconds, UTC. */
  begin: number;
  end: number;
  /** The reporter's own `<error>` notes (policy record errors it met). */
  errors: string[];
  policy: PolicyPublished;
  records: ReportRecord[];
  quirks: Quirk[];
  /** Records left out (no source IP, a count that is not a number), in plain words. */
  problems: string[];
}

/**
 * How a sending source relates to the domain:
 * - `aligned`: passes DMARC, with the other mechanism in order too;
 * - `forwarded`: mail that left the domain's own sender and was relayed on (forwarder, mailing
 *   list), seen by the reporter's own override reason, ARC, a known forwarder, or a list signature;
 * - `misconfigured`: a legitimate sender of the domain (it holds the domain's DKIM key or is in its
 *   SPF) with one mechanism broken or unaligned: a service to fix before it fails DMARC;
 * - `unauthorized`: fails DMARC with no sign of the domain's own DKIM or SPF: spoofing, or a sender
 *   nobody set up.
 */
export type SourceClass = 'aligned' | 'forwarded' | 'misconfigured' | 'unauthorized';

export const SOURCE_CLASSES: readonly SourceClass[] = ['aligned', 'forwarded', 'misconfigured', 'unauthorized'];

/**
 * What a record shows to be wrong, for rules that map sources to causes:
 * - `spoofed`: neither SPF nor DKIM of the domain (class unauthorized; cause `unauthorized-sender`);
 * - `spf-not-authorized`: the domain's own envelope fails SPF from this host (`spf-not-authorizing-sender`);
 * - `dkim-missing`: no DKIM signature, DMARC rests on SPF alone (`dkim-missing`);
 * - `dkim-not-aligned`: DKIM signs with another domain, or a subdomain under adkim=s;
 * - `dkim-failing`: the domain's own signature fails (`dkim-failing`);
 * - `spf-not-aligned`: SPF passes for the domain's subdomain under aspf=s;
 * - `relayed`: forwarding or a mailing list (class forwarded): nothing to fix.
 */
export type SourceIssue = 'spoofed' | 'spf-not-authorized' | 'dkim-missing' | 'dkim-not-aligned' | 'dkim-failing' | 'spf-not-aligned' | 'relayed';

/** A value seen for a source, with the messages it covers. */
export interface Tally {
  value: string;
  messages: number;
}

export interface PassFail {
  pass: number;
  fail: number;
}

export interface SourceDkim {
  domain: string;
  selector: string | null;
  result: string;
  messages: number;
}

export interface SourceSpf {
  domain: string;
  /** `mfrom` (also when the reporter left the scope out) or `helo`. */
  scope: string;
  result: string;
  messages: number;
}

export interface SourceReverseDns {
  /** The name a receiver would use (forward-confirmed first), or null. */
  name: string | null;
  ptr: string[];
  /** Forward-confirmed; null when a lookup failed. */
  fcrdns: boolean | null;
  status: 'ok' | 'no-ptr' | 'not-confirmed' | 'lookup-failed';
  /** Transcript id of the PTR query. */
  dns: number;
}

export interface SourceRow {
  ip: string;
  /** Sum of `count` over every record of this source. */
  messages: number;
  class: SourceClass;
  /** Messages per class (a source can mix: a shared ESP address, forwarding next to direct mail). */
  classes: Record<SourceClass, number>;
  /** DMARC result per message: a failure is aligned DKIM and aligned SPF both failed. */
  dmarc: PassFail;
  spfAligned: PassFail;
  dkimAligned: PassFail;
  headerFrom: Tally[];
  envelopeFrom: Tally[];
  dispositions: Tally[];
  overrides: Tally[];
  spf: SourceSpf[];
  dkim: SourceDkim[];
  reporters: Tally[];
  /** Issue codes with the messages they cover, most first (empty for a clean aligned source). */
  issues: { issue: SourceIssue; messages: number }[];
  /** Why the source got its class, most messages first. */
  evidence: string[];
  /** The fix for a misconfigured or unauthorized source, in plain words. */
  fix: string | null;
  /** A known forwarder or mailing list this source matched, by name. */
  forwarder: string | null;
  /** Present when reverse DNS was looked up (a resolver was given). */
  reverseDns?: SourceReverseDns;
}

export interface Totals {
  messages: number;
  sources: number;
  dmarc: PassFail;
  spfAligned: PassFail;
  dkimAligned: PassFail;
  byClass: Record<SourceClass, number>;
  byDisposition: Record<string, number>;
}

export interface InputSummary {
  name: string;
  kind: 'xml' | 'gzip' | 'zip' | 'eml' | null;
  /** Reports read from this input (after deduplication they may count elsewhere). */
  reports: number;
  /** One line when the input could not be read at all. */
  error?: string;
}

export interface ReportSummary {
  /** Where the XML came from, through its containers. */
  source: string;
  schema: DmarcSchema;
  reporter: string;
  email: string | null;
  reportId: string;
  policyDomain: string;
  begin: string;
  end: string;
  records: number;
  messages: number;
  errors: string[];
}

export interface DuplicateReport {
  source: string;
  /** The `source` of the report kept in its place. */
  duplicateOf: string;
  reporter: string;
  reportId: string;
  /** False when the copies disagree on their records; the first read was kept. */
  identical: boolean;
}

export interface PolicySeen extends PolicyPublished {
  /** Reports that showed this exact policy. */
  reports: number;
  reporters: string[];
}

export interface ToleratedQuirk {
  code: QuirkCode;
  detail: string;
  /** Reports in which it was met. */
  reports: number;
  /** Up to five report sources, as examples. */
  examples: string[];
}

export interface AggregateSummary {
  schema: 'mailsleuth/dmarc-aggregate@1';
  /** The `--domain` filter, or null for every domain in the inputs. */
  domain: string | null;
  /** Policy domains of the reports kept. */
  domains: string[];
  inputs: InputSummary[];
  reports: ReportSummary[];
  duplicates: DuplicateReport[];
  /** Earliest begin and latest end of the reports kept, ISO 8601. */
  period: { begin: string; end: string } | null;
  policies: PolicySeen[];
  /** Sources, most messages first. */
  sources: SourceRow[];
  totals: Totals;
  tolerated: ToleratedQuirk[];
  /** Everything left out or doubtful, in plain words (skipped records, parts, other domains). */
  problems: string[];
}
