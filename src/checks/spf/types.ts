/**
 * The SPF results and the evaluation trace, as plain serializable data: the CLI prints them, the
 * diagnosis cites them, the store keeps them.
 */
import type { Outcome, RecordType } from '../../net/dns/types.ts';
import type { Qualifier } from './parse.ts';

/** RFC 7208 §2.6. */
export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

export const QUALIFIER_RESULT: Record<Qualifier, SpfResult> = { '+': 'pass', '-': 'fail', '~': 'softfail', '?': 'neutral' };

/** Why a DNS query was made, so a reader of the trace can tell the counted lookups from the rest. */
export type LookupPurpose = 'record' | 'mechanism' | 'mx-host' | 'ptr' | 'ptr-name' | 'p-macro' | 'explanation';

/** One DNS query an evaluation made (a cache hit shows the same transcript id again). */
export interface SpfLookup {
  /** Transcript id of the answer (`dns#id`). */
  dns: number;
  name: string;
  type: RecordType;
  purpose: LookupPurpose;
  outcome: Outcome;
  /** Records of the asked type in presentation form. */
  answers: string[];
  /** Set when this answer was counted as a void lookup: its ordinal (1, 2, 3…). */
  void?: number;
}

export interface SpfTermTrace {
  term: string;
  /** Offset of the term in its record. */
  offset: number;
  kind: 'mechanism' | 'modifier';
  qualifier?: Qualifier;
  /** The expanded <target-name>, when the term has one. */
  target?: string;
  /** Set when the term counted toward the limit of 10: its ordinal (1…10). */
  lookup?: number;
  lookups: SpfLookup[];
  matched: boolean;
  /** Why the term did (not) match, or what stopped the evaluation there. */
  note?: string;
  /** include / redirect: the record evaluated for the target. */
  record?: SpfRecordTrace;
}

export interface SpfRecordTrace {
  domain: string;
  /** How this record was reached. */
  via: 'check_host' | 'include' | 'redirect';
  /** The selected SPF record, null when there was none (or several). */
  record: string | null;
  /** The TXT lookup of the record. */
  lookups: SpfLookup[];
  /** The terms evaluated, in order; terms after the match are not evaluated and not listed. */
  terms: SpfTermTrace[];
  result: SpfResult;
  /** For permerror/temperror/none: why. */
  error?: string;
}

/** Which term caused a counted lookup or a void lookup. */
export interface SpfCause {
  n: number;
  domain: string;
  term: string;
  name?: string;
}

export interface CheckHostResult {
  result: SpfResult;
  /** The expanded exp= text, on fail only (RFC 7208 §6.2). */
  explanation?: string;
  /** For permerror/temperror/none: the reason in one sentence. */
  error?: string;
  /** The <domain> and <sender> check_host() ran with. */
  domain: string;
  sender: string;
  ip: string;
  trace: SpfRecordTrace;
  /** Terms that counted toward the limit of 10 (RFC 7208 §4.6.4). */
  lookups: number;
  voidLookups: number;
  /** Address lookups of MX hosts and PTR names, which this reading does not count toward the 10. */
  subLookups: number;
  lookupCauses: SpfCause[];
  voidCauses: SpfCause[];
}
