/**
 * The same report often arrives twice: resent by the reporter, delivered to two rua addresses,
 * saved from the mailbox and from the archive. A report is the same when its reporter, Report-ID,
 * policy domain and date range are (RFC 9990 §2.1: the Report-ID is unique per reporter and
 * domain; the range guards against reporters that reuse IDs). Its records are counted once.
 */
import type { DuplicateReport } from './types.ts';
import type { ReadReport } from './read.ts';

function keyOf({ report }: ReadReport): string {
  return [report.orgName.trim().toLowerCase(), report.reportId.trim(), report.policy.domain, report.begin, report.end].join('\u0000');
}

function sameRecords(a: ReadReport, b: ReadReport): boolean {
  return JSON.stringify(a.report.records) === JSON.stringify(b.report.records);
}

/** The first copy of each report, in input order, and what was dropped as a copy. */
export function dedupeReports(reports: ReadReport[]): { kept: ReadReport[]; duplicates: DuplicateReport[] } {
  const first = new Map<string, ReadReport>();
  const kept: ReadReport[] = [];
  const duplicates: DuplicateReport[] = [];
  for (const r of reports) {
    const key = keyOf(r);
    const original = first.get(key);
    if (!original) {
      first.set(key, r);
      kept.push(r);
      continue;
    }
    duplicates.push({ source: r.source, duplicateOf: original.source, reporter: r.report.orgName, reportId: r.report.reportId, identical: sameRecords(r, original) });
  }
  return { kept, duplicates };
}
