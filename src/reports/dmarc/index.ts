/**
 * DMARC aggregate report ingestion (DESIGN.md item 7): who sends mail in the domain's name, how
 * much, and whether SPF, DKIM and DMARC pass for each source — across any number of report files
 * (XML, gzip, ZIP, or the emails that carried them), both schemas (RFC 7489, RFC 9990),
 * duplicates counted once and message numbers always summed from `count`.
 *
 * `readAggregateReports` never throws for a bad input: an unreadable file is named in
 * `inputs[].error` and the rest is still read. It sends no DNS query unless `options.ctx` is
 * given, and then only PTR/A/AAAA for the biggest sources.
 */
import type { Context } from '../../checks/types.ts';
import { DEFAULT_SIZE_LIMITS, type SizeLimits } from './budget.ts';
import { dedupeReports } from './dedupe.ts';
import { readInput, type ReadReport } from './read.ts';
import { reverseDnsOf } from './reverse.ts';
import { buildSources } from './sources.ts';
import type { AggregateSummary, PolicySeen, ReportSummary, SourceRow, ToleratedQuirk, Totals } from './types.ts';
import { SOURCE_CLASSES } from './types.ts';

export type * from './types.ts';
export { DEFAULT_SIZE_LIMITS, type SizeLimits } from './budget.ts';
export { classifyRecord } from './classify.ts';
export { RFC9990_NAMESPACE } from './feedback.ts';

export interface AggregateInput {
  name: string;
  bytes: Uint8Array;
}

export interface ReadAggregateOptions {
  /** Keep only reports whose policy domain is this domain or below it. */
  domain?: string | null;
  /** Reverse DNS of the sources through `ctx.resolver`; without it no query is sent. */
  ctx?: Context;
  /** Size limits per input (compressed size, decompressed bytes, ZIP entries, nesting). */
  limits?: Partial<SizeLimits>;
  /** Most sources whose reverse DNS is looked up, biggest first (default 50). */
  maxReverseLookups?: number;
}

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

function inDomain(policyDomain: string, domain: string): boolean {
  return policyDomain === domain || policyDomain.endsWith(`.${domain}`);
}

function reportSummary({ source, report }: ReadReport): ReportSummary {
  return {
    source,
    schema: report.schema,
    reporter: report.orgName,
    email: report.email,
    reportId: report.reportId,
    policyDomain: report.policy.domain,
    begin: iso(report.begin),
    end: iso(report.end),
    records: report.records.length,
    messages: report.records.reduce((sum, r) => sum + r.count, 0),
    errors: report.errors,
  };
}

function policiesSeen(reports: ReadReport[]): PolicySeen[] {
  const seen = new Map<string, PolicySeen>();
  for (const { report } of reports) {
    const key = JSON.stringify(report.policy);
    const entry = seen.get(key) ?? { ...report.policy, reports: 0, reporters: [] };
    entry.reports++;
    if (!entry.reporters.includes(report.orgName)) entry.reporters.push(report.orgName);
    seen.set(key, entry);
  }
  return [...seen.values()].sort((a, b) => a.domain.localeCompare(b.domain) || b.reports - a.reports);
}

function tolerated(reports: ReadReport[]): ToleratedQuirk[] {
  const byCode = new Map<string, ToleratedQuirk>();
  for (const { source, report } of reports) {
    for (const q of report.quirks) {
      const entry = byCode.get(q.code) ?? { code: q.code, detail: q.detail, reports: 0, examples: [] };
      entry.reports++;
      if (entry.examples.length < 5) entry.examples.push(source);
      byCode.set(q.code, entry);
    }
  }
  return [...byCode.values()];
}

function totalsOf(sources: SourceRow[]): Totals {
  const totals: Totals = {
    messages: 0, sources: sources.length,
    dmarc: { pass: 0, fail: 0 }, spfAligned: { pass: 0, fail: 0 }, dkimAligned: { pass: 0, fail: 0 },
    byClass: { aligned: 0, forwarded: 0, misconfigured: 0, unauthorized: 0 }, byDisposition: {},
  };
  for (const s of sources) {
    totals.messages += s.messages;
    for (const k of ['pass', 'fail'] as const) {
      totals.dmarc[k] += s.dmarc[k];
      totals.spfAligned[k] += s.spfAligned[k];
      totals.dkimAligned[k] += s.dkimAligned[k];
    }
    for (const c of SOURCE_CLASSES) totals.byClass[c] += s.classes[c];
    for (const d of s.dispositions) totals.byDisposition[d.value] = (totals.byDisposition[d.value] ?? 0) + d.messages;
  }
  return totals;
}

function period(reports: ReadReport[]): AggregateSummary['period'] {
  if (!reports.length) return null;
  return { begin: iso(Math.min(...reports.map((r) => r.report.begin))), end: iso(Math.max(...reports.map((r) => r.report.end))) };
}

/** Sources by messages across the kept reports, for choosing which to look up. */
function ipsBySize(reports: ReadReport[]): string[] {
  const size = new Map<string, number>();
  for (const { report } of reports) for (const r of report.records) size.set(r.sourceIp, (size.get(r.sourceIp) ?? 0) + r.count);
  return [...size].sort((a, b) => b[1] - a[1]).map(([ip]) => ip);
}

/** Reads, deduplicates and joins aggregate reports into one summary per sending source. */
export async function readAggregateReports(inputs: AggregateInput[], options: ReadAggregateOptions = {}): Promise<AggregateSummary> {
  const limits: SizeLimits = { ...DEFAULT_SIZE_LIMITS, ...options.limits };
  const domain = options.domain?.toLowerCase().replace(/\.$/, '') || null;
  const problems: string[] = [];
  const all: ReadReport[] = [];
  const summaries = [];
  for (const input of inputs) {
    const read = await readInput(input.name, input.bytes, limits);
    summaries.push(read.summary);
    all.push(...read.reports);
    problems.push(...read.problems);
  }
  const wanted = domain ? all.filter((r) => inDomain(r.report.policy.domain, domain)) : all;
  const others = [...new Set(all.filter((r) => !wanted.includes(r)).map((r) => r.report.policy.domain))];
  if (others.length) problems.push(`${all.length - wanted.length} report(s) about other domains left out (${others.join(', ')})`);
  const { kept, duplicates } = dedupeReports(wanted);
  for (const d of duplicates) if (!d.identical) problems.push(`${d.source} has the same reporter, Report-ID, domain and period as ${d.duplicateOf} but different records; the first was kept`);
  const reverse = options.ctx ? await reverseDnsOf(options.ctx, ipsBySize(kept), options.maxReverseLookups ?? 50) : new Map();
  const sources = buildSources(kept, reverse);
  return {
    schema: 'mailsleuth/dmarc-aggregate@1',
    domain,
    domains: [...new Set(kept.map((r) => r.report.policy.domain))].sort(),
    inputs: summaries,
    reports: kept.map(reportSummary),
    duplicates,
    period: period(kept),
    policies: policiesSeen(kept),
    sources,
    totals: totalsOf(sources),
    tolerated: tolerated(kept),
    problems,
  };
}
