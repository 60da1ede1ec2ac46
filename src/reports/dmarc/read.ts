/**
 * One input file to the aggregate reports inside it: unpack the containers, decode the bytes,
 * parse the XML, read each `<feedback>`. A document that fails is named with its source and the
 * rest of the input is still read; an input with no readable report at all is an error.
 */
import { InputError } from '../../errors.ts';
import type { SizeLimits } from './budget.ts';
import { decodeXmlBytes } from './charset.ts';
import { readFeedback } from './feedback.ts';
import { unpack } from './unpack.ts';
import { XmlError } from './xml.ts';
import type { AggregateReport, InputSummary, Quirk } from './types.ts';

export interface ReadReport {
  /** Input file, then the path through its containers. */
  source: string;
  report: AggregateReport;
}

export interface InputRead {
  summary: InputSummary;
  reports: ReadReport[];
  problems: string[];
}

function readDocument(bytes: Uint8Array): AggregateReport {
  const decoded = decodeXmlBytes(bytes);
  const quirks: Quirk[] = decoded.quirks.map((detail) => ({ code: detail.includes('byte-order mark') ? 'byte-order-mark' : 'encoding', detail }));
  // XML allows nothing before its declaration; some reporters indent it anyway.
  if (/^\s+<\?xml/.test(decoded.text)) quirks.push({ code: 'leading-whitespace', detail: 'white space before the XML declaration' });
  return readFeedback(decoded.text, quirks).report;
}

function userMessage(err: unknown): string {
  if (err instanceof InputError || err instanceof XmlError) return err.message;
  throw err;
}

export async function readInput(name: string, bytes: Uint8Array, limits: SizeLimits): Promise<InputRead> {
  let unpacked;
  try {
    unpacked = await unpack(name, bytes, limits);
  } catch (err) {
    return { summary: { name, kind: null, reports: 0, error: `${name}: ${userMessage(err)}` }, reports: [], problems: [] };
  }
  const reports: ReadReport[] = [];
  const problems = [...unpacked.skipped];
  const failures: string[] = [];
  for (const doc of unpacked.documents) {
    try {
      const report = readDocument(doc.bytes);
      reports.push({ source: doc.source, report });
      for (const p of report.problems) problems.push(`${doc.source}: ${p}`);
    } catch (err) {
      failures.push(`${doc.source}: ${userMessage(err)}`);
    }
  }
  problems.push(...failures);
  // One bad document among good ones is a problem; nothing readable at all is an unreadable input.
  const error = reports.length ? undefined : failures.length === 1 ? failures[0] : `${name}: no readable report (${failures.length} documents failed; the first: ${failures[0]})`;
  return { summary: { name, kind: unpacked.kind, reports: reports.length, ...(error ? { error } : {}) }, reports, problems: error ? [] : problems };
}
