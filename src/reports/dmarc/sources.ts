/**
 * Records of every report joined by source IP. Message numbers are always sums of `count`, never
 * numbers of rows: one row can stand for thousands of messages, and reporters split the same
 * source over many rows (RFC 7489 §7.2, CORRECTNESS item 9).
 */
import { classifyRecord } from './classify.ts';
import type { ReadReport } from './read.ts';
import { SOURCE_CLASSES, type PassFail, type SourceClass, type SourceDkim, type SourceIssue, type SourceReverseDns, type SourceRow, type SourceSpf, type Tally } from './types.ts';

/** Severity order, for ties: the worse reading wins. */
const SEVERITY: Record<SourceClass, number> = { aligned: 0, forwarded: 1, misconfigured: 2, unauthorized: 3 };
const MAX_EVIDENCE = 5;

class Counter {
  private readonly map = new Map<string, number>();
  add(value: string, n: number): void {
    this.map.set(value, (this.map.get(value) ?? 0) + n);
  }
  tallies(): Tally[] {
    return [...this.map].map(([value, messages]) => ({ value, messages })).sort((a, b) => b.messages - a.messages || a.value.localeCompare(b.value));
  }
}

interface Accumulator {
  ip: string;
  messages: number;
  classes: Record<SourceClass, number>;
  dmarc: PassFail;
  spfAligned: PassFail;
  dkimAligned: PassFail;
  headerFrom: Counter;
  envelopeFrom: Counter;
  dispositions: Counter;
  overrides: Counter;
  reporters: Counter;
  issues: Counter;
  spf: Map<string, SourceSpf>;
  dkim: Map<string, SourceDkim>;
  evidence: Map<string, { class: SourceClass; messages: number; fix: string | null }>;
  forwarder: string | null;
}

function accumulator(ip: string): Accumulator {
  return {
    ip, messages: 0, classes: { aligned: 0, forwarded: 0, misconfigured: 0, unauthorized: 0 },
    dmarc: { pass: 0, fail: 0 }, spfAligned: { pass: 0, fail: 0 }, dkimAligned: { pass: 0, fail: 0 },
    headerFrom: new Counter(), envelopeFrom: new Counter(), dispositions: new Counter(), overrides: new Counter(), reporters: new Counter(), issues: new Counter(),
    spf: new Map(), dkim: new Map(), evidence: new Map(), forwarder: null,
  };
}

function addResult<T extends { messages: number }>(map: Map<string, T>, key: string, make: () => T, n: number): void {
  const entry = map.get(key) ?? make();
  entry.messages += n;
  map.set(key, entry);
}

function bySize<T extends { messages: number }>(values: Iterable<T>): T[] {
  return [...values].sort((a, b) => b.messages - a.messages);
}

/** The class with the most messages; on a tie, the more severe one. */
function majority(classes: Record<SourceClass, number>): SourceClass {
  return [...SOURCE_CLASSES].sort((a, b) => classes[b] - classes[a] || SEVERITY[b] - SEVERITY[a])[0]!;
}

function finish(a: Accumulator, reverse: SourceReverseDns | undefined): SourceRow {
  const cls = majority(a.classes);
  const evidence = [...a.evidence].sort((x, y) => y[1].messages - x[1].messages);
  const mixed = SOURCE_CLASSES.filter((c) => a.classes[c] > 0).length > 1;
  return {
    ip: a.ip,
    messages: a.messages,
    class: cls,
    classes: a.classes,
    dmarc: a.dmarc,
    spfAligned: a.spfAligned,
    dkimAligned: a.dkimAligned,
    headerFrom: a.headerFrom.tallies(),
    envelopeFrom: a.envelopeFrom.tallies(),
    dispositions: a.dispositions.tallies(),
    overrides: a.overrides.tallies(),
    spf: bySize(a.spf.values()),
    dkim: bySize(a.dkim.values()),
    reporters: a.reporters.tallies(),
    issues: a.issues.tallies().map((t) => ({ issue: t.value as SourceIssue, messages: t.messages })),
    evidence: evidence.slice(0, MAX_EVIDENCE).map(([text, e]) => `${mixed ? `${e.class}: ` : ''}${text} (${e.messages} message${e.messages === 1 ? '' : 's'})`),
    fix: evidence.find(([, e]) => e.class === cls && e.fix)?.[1].fix ?? null,
    forwarder: a.forwarder,
    ...(reverse ? { reverseDns: reverse } : {}),
  };
}

function tally(pf: PassFail, result: 'pass' | 'fail', n: number): void {
  pf[result] += n;
}

/** Source rows, most messages first; `reverse` holds the reverse DNS looked up for some sources. */
export function buildSources(reports: ReadReport[], reverse: ReadonlyMap<string, SourceReverseDns> = new Map()): SourceRow[] {
  const sources = new Map<string, Accumulator>();
  for (const { report } of reports) {
    for (const r of report.records) {
      const a = sources.get(r.sourceIp) ?? accumulator(r.sourceIp);
      sources.set(r.sourceIp, a);
      const n = r.count;
      const rdns = reverse.get(r.sourceIp);
      const verdict = classifyRecord(r, report.policy, rdns?.fcrdns ? rdns.name : null);
      a.messages += n;
      a.classes[verdict.class] += n;
      tally(a.dmarc, r.dkim === 'pass' || r.spf === 'pass' ? 'pass' : 'fail', n);
      tally(a.spfAligned, r.spf, n);
      tally(a.dkimAligned, r.dkim, n);
      a.headerFrom.add(r.headerFrom, n);
      if (r.envelopeFrom !== null) a.envelopeFrom.add(r.envelopeFrom || '<>', n);
      a.dispositions.add(r.disposition, n);
      for (const o of r.reasons) a.overrides.add(o.comment ? `${o.type}: ${o.comment}` : o.type, n);
      a.reporters.add(report.orgName, n);
      if (verdict.issue) a.issues.add(verdict.issue, n);
      // A missing scope means mfrom (the only scope RFC 9990 keeps), so both spellings count together.
      for (const s of r.authSpf) {
        const scope = s.scope ?? 'mfrom';
        addResult(a.spf, `${s.domain}|${scope}|${s.result}`, () => ({ domain: s.domain, scope, result: s.result, messages: 0 }), n);
      }
      for (const d of r.authDkim) addResult(a.dkim, `${d.domain}|${d.selector}|${d.result}`, () => ({ domain: d.domain, selector: d.selector, result: d.result, messages: 0 }), n);
      addResult(a.evidence, verdict.evidence, () => ({ class: verdict.class, messages: 0, fix: verdict.fix }), n);
      a.forwarder ??= verdict.forwarder;
    }
  }
  return [...sources.values()].map((a) => finish(a, reverse.get(a.ip))).sort((x, y) => y.messages - x.messages || x.ip.localeCompare(y.ip));
}
