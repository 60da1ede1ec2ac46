/**
 * The JSON the UI receives: the diagnosis contract itself (schema mailsleuth/diagnosis@1, the very
 * types the engine writes — they hold no Node types) and the job resource of the API.
 */
import type { Diagnosis } from '../../src/diagnose/types.ts';

export type { Severity, CheckStatus, Fix, Finding, CheckResult } from '../../src/checks/finding.ts';
export type { Cause, Diagnosis, ProgressEvent } from '../../src/diagnose/types.ts';

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
