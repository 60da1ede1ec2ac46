/**
 * The diagnosis contract (DESIGN.md): what `mailsleuth diagnose --json` prints, what the API returns
 * and what the UI renders. Plain serializable data.
 */
import type { CheckResult, Finding, Fix, Severity } from '../checks/finding.ts';

/** A stable vocabulary: add new ids, never rename. */
export type CauseId =
  | 'unauthorized-sender'
  | 'sender-blocklisted'
  | 'domain-blocklisted'
  | 'spf-missing'
  | 'spf-error'
  | 'spf-not-authorizing-sender'
  | 'dkim-missing'
  | 'dkim-failing'
  | 'dmarc-missing'
  | 'dmarc-not-enforced'
  | 'dmarc-failing'
  | 'no-reverse-dns'
  | 'mx-problem'
  | 'smtp-tls-problem'
  | 'web-no-https'
  | 'web-cert-problem'
  | 'recipient-problem'
  | 'content-rejected'
  | 'rate-limited'
  | 'blocklist-query-refused';

export const CAUSE_IDS: readonly CauseId[] = [
  'unauthorized-sender', 'sender-blocklisted', 'domain-blocklisted', 'spf-missing', 'spf-error',
  'spf-not-authorizing-sender', 'dkim-missing', 'dkim-failing', 'dmarc-missing', 'dmarc-not-enforced',
  'dmarc-failing', 'no-reverse-dns', 'mx-problem', 'smtp-tls-problem', 'web-no-https', 'web-cert-problem',
  'recipient-problem', 'content-rejected', 'rate-limited', 'blocklist-query-refused',
];

export interface Cause {
  id: CauseId;
  severity: Severity;
  /** 0..1: how sure the evidence makes us. */
  confidence: number;
  summary: string;
  /** Each line cites what was seen: a DNS answer, a header line, a probe result, a bounce text. */
  evidence: string[];
  fixes: Fix[];
  data?: Record<string, unknown>;
}

export type Verdict = 'healthy' | 'problems' | 'incomplete';

export interface Diagnosis {
  schema: 'mailsleuth/diagnosis@1';
  domain: string;
  generatedAt: string;
  durationMs: number;
  verdict: Verdict;
  /** One plain sentence: the most likely root cause, or that nothing is wrong. */
  headline: string;
  causes: Cause[];
  findings: Finding[];
  checks: Record<string, CheckResult>;
  /** Analyses of the messages (bounces) given to the run: the `analyze --json` shape. */
  messages: unknown[];
  /** The DMARC aggregate reports given to the run, summed (the `dmarc-report --json` shape), if any. */
  aggregate?: unknown;
  dns: { servers: string[]; queriesSent: number; cacheHits: number; transcript: unknown[] };
}

/** Progress while a diagnosis runs (CLI progress line, server-sent events). */
export type ProgressEvent =
  | { kind: 'check-start'; check: string }
  | { kind: 'check-done'; check: string; status: string }
  | { kind: 'phase'; phase: string };

export interface DiagnoseInput {
  domain: string;
  /** Raw messages (bounces, returned mail, pasted headers) with a display name each. */
  messages?: { name: string; bytes: Uint8Array }[];
  /** DMARC aggregate reports (XML, .gz, .zip, or the .eml carrying them). */
  dmarcReports?: { name: string; bytes: Uint8Array }[];
  onProgress?: (event: ProgressEvent) => void;
}
