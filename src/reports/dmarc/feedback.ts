/**
 * The `<feedback>` document to an AggregateReport, for both schemas: RFC 7489 Appendix C (no
 * namespace, or the draft `http://dmarc.org/dmarc-xml/0.1`) and RFC 9990 (namespace
 * `urn:ietf:params:xml:ns:dmarc-2.0`; `np`, `testing`, `discovery_method`, `generator`, the
 * disposition `pass`, no `pct`). Elements are matched by local name so a namespace-less RFC 9990
 * report or a prefixed one reads the same. Known reporter bugs are read through and named as
 * quirks; a record that cannot be used is left out and named as a problem.
 */
import { isIP } from 'node:net';
import { InputError } from '../../errors.ts';
import { formatAddress, parseIpLiteral, unwrapMapped } from '../../net/ip.ts';
import { child, childrenNamed, parseXml, type XmlElement } from './xml.ts';
import { alignedDkim, alignedSpf } from './alignment.ts';
import type { AggregateReport, DkimAuth, DmarcSchema, PolicyOverride, PolicyPublished, Quirk, QuirkCode, ReportRecord, SpfAuth } from './types.ts';

export const RFC9990_NAMESPACE = 'urn:ietf:params:xml:ns:dmarc-2.0';
/** Elements only RFC 9990 defines: their presence marks a namespace-less RFC 9990 report. */
const RFC9990_ONLY = ['np', 'testing', 'discovery_method'];

class Quirks {
  readonly list: Quirk[] = [];
  private readonly seen = new Set<QuirkCode>();
  add(code: QuirkCode, detail: string): void {
    if (this.seen.has(code)) return;
    this.seen.add(code);
    this.list.push({ code, detail });
  }
}

/** Trimmed text of a child, or null when absent or empty; padding is a quirk (RFC schemas use xs:string tokens). */
function text(parent: XmlElement | undefined, name: string, quirks: Quirks): string | null {
  const el = child(parent, name);
  if (!el) return null;
  const trimmed = el.text.trim();
  if (trimmed !== el.text && trimmed && !el.children.length) quirks.add('padded-value', `white space around element values (<${name}>${el.text.replace(/\s+/g, ' ')}</${name}>)`);
  return trimmed || null;
}

/** Lower-cased keyword; upper case ("PASS", "Reject") is a quirk some reporters have. */
function keyword(parent: XmlElement | undefined, name: string, quirks: Quirks): string | null {
  const value = text(parent, name, quirks);
  if (value === null) return null;
  const lower = value.toLowerCase();
  if (lower !== value) quirks.add('value-case', `keywords in upper case (<${name}>${value}</${name}>)`);
  return lower;
}

/** A domain name as reporters write it: case and a trailing dot carry no meaning (RFC 4343), so neither is a quirk. */
function domainName(parent: XmlElement | undefined, name: string, quirks: Quirks): string | null {
  return text(parent, name, quirks)?.toLowerCase().replace(/\.$/, '') || null;
}

/** Epoch seconds from `<begin>`/`<end>`: seconds as the schema says, or milliseconds, or an ISO date. */
function timestamp(parent: XmlElement | undefined, name: string, quirks: Quirks): number {
  const value = text(parent, name, quirks);
  if (value === null) throw new InputError(`not a usable aggregate report: no <date_range><${name}>`);
  if (/^\d+(\.0+)?$/.test(value)) {
    const n = Number(value);
    if (n > 1e11) {
      quirks.add('millisecond-timestamp', `<${name}> in milliseconds instead of seconds (${value})`);
      return Math.floor(n / 1000);
    }
    return n;
  }
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || !/T/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(ms)) throw new InputError(`not a usable aggregate report: <${name}> is "${value}", not a time`);
  quirks.add('iso-date', `<${name}> as a date ("${value}") instead of seconds since the epoch`);
  return Math.floor(ms / 1000);
}

/** RFC 9990 by its namespace, or (namespace-less, as parsedmarc also reads it) by the elements only it defines. */
function schemaOf(policy: XmlElement): DmarcSchema {
  if (policy.ns === RFC9990_NAMESPACE) return 'rfc9990';
  return RFC9990_ONLY.some((name) => child(policy, name)) ? 'rfc9990' : 'rfc7489';
}

function alignmentMode(value: string | null): 'r' | 's' {
  return value === 's' ? 's' : 'r';
}

function policyPublished(el: XmlElement | undefined, schema: DmarcSchema, quirks: Quirks): PolicyPublished {
  const domain = domainName(el, 'domain', quirks);
  if (!domain) throw new InputError('not a usable aggregate report: no <policy_published><domain>');
  const p = keyword(el, 'p', quirks);
  const sp = keyword(el, 'sp', quirks);
  if (!sp && schema === 'rfc7489') quirks.add('missing-sp', 'no <sp> in <policy_published> (subdomains take <p>, as the record says when it has no sp=)');
  let pct: number | null = null;
  const pctEl = child(el, 'pct');
  if (pctEl) {
    const raw = text(el, 'pct', quirks);
    // An empty <pct/> is a reporter bug; the record's default is 100 (RFC 7489 §6.3).
    if (raw === null) quirks.add('empty-pct', 'an empty <pct> (read as 100, the default)');
    pct = raw !== null && /^\d{1,3}$/.test(raw) ? Number(raw) : 100;
  }
  const testing = keyword(el, 'testing', quirks);
  return {
    domain,
    p,
    sp,
    np: keyword(el, 'np', quirks),
    adkim: alignmentMode(keyword(el, 'adkim', quirks)),
    aspf: alignmentMode(keyword(el, 'aspf', quirks)),
    pct,
    fo: text(el, 'fo', quirks),
    testing: testing === null ? null : testing === 'y',
    discoveryMethod: keyword(el, 'discovery_method', quirks),
  };
}

function authResults(el: XmlElement | undefined, quirks: Quirks): { dkim: DkimAuth[]; spf: SpfAuth[] } {
  const dkim = childrenNamed(el, 'dkim').map((d) => ({
    domain: domainName(d, 'domain', quirks) ?? '',
    selector: text(d, 'selector', quirks),
    result: keyword(d, 'result', quirks) ?? 'none',
    humanResult: text(d, 'human_result', quirks),
  }));
  const spf = childrenNamed(el, 'spf').map((s) => ({
    domain: domainName(s, 'domain', quirks) ?? '',
    scope: keyword(s, 'scope', quirks),
    result: keyword(s, 'result', quirks) ?? 'none',
    humanResult: text(s, 'human_result', quirks),
  }));
  return { dkim, spf };
}

function overrides(evaluated: XmlElement | undefined, quirks: Quirks): PolicyOverride[] {
  return childrenNamed(evaluated, 'reason').map((r) => ({ type: keyword(r, 'type', quirks) ?? 'other', comment: text(r, 'comment', quirks) }));
}

/** The aligned result the reporter gave, or (a reporter bug) the one its auth_results imply. */
function evaluated(value: string | null, name: 'dkim' | 'spf', computed: () => 'pass' | 'fail', quirks: Quirks): 'pass' | 'fail' {
  if (value === 'pass' || value === 'fail') return value;
  if (value === null) {
    quirks.add('missing-policy-evaluated', `no <policy_evaluated><${name}> (computed from auth_results and the published alignment mode)`);
    return computed();
  }
  quirks.add('nonstandard-alignment-result', `<policy_evaluated><${name}>${value}</${name}> (only "pass" aligns; read as fail)`);
  return 'fail';
}

function sourceIp(raw: string | null, quirks: Quirks): string | null {
  if (!raw) return null;
  const literal = raw.replace(/^\[|\]$/g, '');
  const address = isIP(literal) ? parseIpLiteral(literal) : null;
  if (!address) return null;
  const unwrapped = unwrapMapped(address);
  if (unwrapped !== address) quirks.add('mapped-ipv6', `IPv4 sources written as IPv4-mapped IPv6 (${raw})`);
  return formatAddress(unwrapped);
}

function record(el: XmlElement, policy: PolicyPublished, index: number, quirks: Quirks, problems: string[]): ReportRecord | null {
  const row = child(el, 'row');
  const ids = child(el, 'identifiers');
  const rawIp = text(row, 'source_ip', quirks);
  const ip = sourceIp(rawIp, quirks);
  if (!ip) {
    problems.push(`record ${index + 1} left out: ${rawIp ? `"${rawIp}" is not an IP address` : 'no <source_ip>'}`);
    return null;
  }
  const rawCount = text(row, 'count', quirks);
  // Fifteen digits stay exact in a double; no receiver sees a quadrillion messages from one source.
  if (rawCount === null || !/^\d{1,15}$/.test(rawCount)) {
    problems.push(`record ${index + 1} (${ip}) left out: <count> is ${rawCount === null ? 'missing' : `"${rawCount}", not a number`}`);
    return null;
  }
  const auth = authResults(child(el, 'auth_results'), quirks);
  const headerFrom = domainName(ids, 'header_from', quirks) ?? policy.domain;
  const pe = child(row, 'policy_evaluated');
  return {
    sourceIp: ip,
    count: Number(rawCount),
    disposition: keyword(pe, 'disposition', quirks) ?? 'none',
    dkim: evaluated(keyword(pe, 'dkim', quirks), 'dkim', () => alignedDkim(auth.dkim, headerFrom, policy.adkim), quirks),
    spf: evaluated(keyword(pe, 'spf', quirks), 'spf', () => alignedSpf(auth.spf, headerFrom, policy.aspf), quirks),
    reasons: overrides(pe, quirks),
    headerFrom,
    envelopeFrom: child(ids, 'envelope_from') ? (domainName(ids, 'envelope_from', quirks) ?? '') : null,
    envelopeTo: domainName(ids, 'envelope_to', quirks),
    authDkim: auth.dkim,
    authSpf: auth.spf,
  };
}

/** Everything of a record but its count, as one string. */
function tupleOf(r: ReportRecord): string {
  return [
    r.sourceIp, r.disposition, r.dkim, r.spf, r.headerFrom, r.envelopeFrom, r.envelopeTo,
    ...r.reasons.map((o) => `${o.type}:${o.comment}`),
    ...r.authDkim.map((d) => `${d.domain}/${d.selector}/${d.result}`),
    ...r.authSpf.map((x) => `${x.domain}/${x.scope}/${x.result}`),
  ].join('\u0000');
}

/** Records that repeat another exactly (all but the count): summed, as the count rule says, and named. */
function noteRepeats(records: ReportRecord[], quirks: Quirks): void {
  const seen = new Set<string>();
  let repeats = 0;
  for (const r of records) {
    const key = tupleOf(r);
    if (seen.has(key)) repeats++;
    else seen.add(key);
  }
  if (repeats) quirks.add('duplicate-record', `${repeats} record(s) repeat another record's source, results and identifiers exactly; their counts were added up (RFC 9990 asks for one record per tuple, so the reporter may have counted twice)`);
}

/**
 * Reads a `<feedback>` document as the parser goes: each `<record>` becomes a ReportRecord as it
 * closes and its elements are dropped, so a report of a hundred thousand records never sits in
 * memory as a tree. Records come after `<policy_published>` in both schemas; one that comes
 * before (out of order) waits for it.
 */
class FeedbackReader {
  readonly quirks = new Quirks();
  readonly problems: string[] = [];
  readonly records: ReportRecord[] = [];
  private policy: PolicyPublished | null = null;
  private readonly early: { el: XmlElement; index: number }[] = [];
  private count = 0;

  readonly onClose = (el: XmlElement, depth: number, parent: XmlElement | null): boolean => {
    if (depth !== 1 || parent?.name !== 'feedback') return false;
    if (el.name === 'policy_published') this.policy = policyPublished(el, schemaOf(el), this.quirks);
    if (el.name !== 'record') return false;
    const index = this.count++;
    if (this.policy) this.take(el, index, this.policy);
    else this.early.push({ el, index });
    return true;
  };

  private take(el: XmlElement, index: number, policy: PolicyPublished): void {
    const r = record(el, policy, index, this.quirks, this.problems);
    if (r) this.records.push(r);
  }

  finish(root: XmlElement): AggregateReport {
    if (root.name !== 'feedback') throw new InputError(`not a DMARC aggregate report: the root element is <${root.name}>, not <feedback>`);
    const quirks = this.quirks;
    const meta = child(root, 'report_metadata');
    if (!meta) throw new InputError('not a usable aggregate report: no <report_metadata>');
    const orgName = text(meta, 'org_name', quirks);
    const reportId = text(meta, 'report_id', quirks)?.replace(/^<(.*)>$/, '$1');
    if (!orgName) throw new InputError('not a usable aggregate report: no <org_name>');
    if (!reportId) throw new InputError('not a usable aggregate report: no <report_id>');
    const range = child(meta, 'date_range');
    let begin = timestamp(range, 'begin', quirks);
    let end = timestamp(range, 'end', quirks);
    if (begin > end) {
      quirks.add('swapped-date-range', '<begin> after <end> (the two were swapped)');
      [begin, end] = [end, begin];
    }
    const policy = this.policy ?? policyPublished(undefined, 'rfc7489', quirks);
    for (const { el, index } of this.early) this.take(el, index, policy);
    noteRepeats(this.records, quirks);
    return {
      schema: root.ns === RFC9990_NAMESPACE ? 'rfc9990' : schemaOf(child(root, 'policy_published') ?? root),
      namespace: root.ns,
      orgName,
      email: text(meta, 'email', quirks),
      extraContactInfo: text(meta, 'extra_contact_info', quirks),
      generator: text(meta, 'generator', quirks),
      reportId,
      begin,
      end,
      errors: childrenNamed(meta, 'error').map((e) => e.text.trim()).filter(Boolean),
      policy,
      records: this.records,
      quirks: quirks.list,
      problems: this.problems,
    };
  }
}

/** Reads one report from its XML text. InputError when it is not a usable aggregate report; XmlError when not XML. */
export function readFeedback(xml: string, inheritedQuirks: Quirk[] = []): { report: AggregateReport; xmlQuirks: string[] } {
  const reader = new FeedbackReader();
  for (const q of inheritedQuirks) reader.quirks.add(q.code, q.detail);
  const doc = parseXml(xml, { onClose: reader.onClose });
  for (const detail of doc.quirks) reader.quirks.add('xml-entity', detail);
  return { report: reader.finish(doc.root), xmlQuirks: doc.quirks };
}
