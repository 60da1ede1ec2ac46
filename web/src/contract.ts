/**
 * The JSON the UI receives, as the UI reads it: the diagnosis contract of
 * `src/diagnose/types.ts` (schema mailsleuth/diagnosis@1) and the job resource of the API. The web
 * build cannot import the Node-side types (they pull in node:net), so the shape is restated here;
 * `test/server-contract.test.ts` fails to typecheck if the two drift apart.
 */

export type Severity = 'ok' | 'info' | 'warn' | 'error' | 'critical';
export type CheckStatus = Severity | 'unknown' | 'skipped';

export interface Fix {
  text: string;
  dns?: { name: string; type: string; value: string }[];
  links?: string[];
}

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  detail: string;
  data?: Record<string, unknown>;
  fix?: Fix;
  dns?: number[];
}

export interface CheckResult {
  id: string;
  status: CheckStatus;
  findings: Finding[];
  data: unknown;
}

export interface Cause {
  id: string;
  severity: Severity;
  confidence: number;
  summary: string;
  evidence: string[];
  fixes: Fix[];
  data?: Record<string, unknown>;
}

export interface Diagnosis {
  schema: 'mailsleuth/diagnosis@1';
  domain: string;
  generatedAt: string;
  durationMs: number;
  verdict: 'healthy' | 'problems' | 'incomplete';
  headline: string;
  causes: Cause[];
  findings: Finding[];
  checks: Record<string, CheckResult>;
  messages: unknown[];
  dns: { servers: string[]; queriesSent: number; cacheHits: number; transcript: unknown[] };
}

export type ProgressEvent =
  | { kind: 'check-start'; check: string }
  | { kind: 'check-done'; check: string; status: string }
  | { kind: 'phase'; phase: string };

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobView {
  id: string;
  status: JobStatus;
  domain: string;
  createdAt: string;
  progress: { phase: string | null; checks: Record<string, string> };
  result?: Diagnosis;
  error?: string;
}
