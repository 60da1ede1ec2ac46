/**
 * What an operator can set on `mailsleuth serve`, with the defaults merged in one place. The
 * defaults are the safe ones: loopback only, small bodies, a short queue, a per-client rate limit.
 */
import { InputError } from '../errors.ts';

export interface ServerLimits {
  /** Largest request body accepted, in bytes (a multipart upload of bounces counts whole). */
  maxBodyBytes: number;
  /** Messages one diagnosis may carry. */
  maxMessages: number;
  /** Largest single message, in bytes. */
  maxMessageBytes: number;
  /** Targets one `POST /api/blocklist` may ask about. */
  maxBlocklistTargets: number;
  /** Diagnoses running at once; more wait in the queue. */
  maxRunning: number;
  /** Diagnoses waiting; past this a submission is answered 429. */
  maxQueued: number;
  /** How long a finished job (and its report) stays retrievable. */
  jobTtlMs: number;
  /** Finished jobs kept at most; the oldest go first when full. */
  maxStoredJobs: number;
  /** A job still running after this is reported failed. */
  jobTimeoutMs: number;
  /** Costly requests (diagnose, analyze, blocklist) one client may make per window. */
  rateLimit: { max: number; windowMs: number };
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxBodyBytes: 8 * 1024 * 1024,
  maxMessages: 10,
  maxMessageBytes: 5 * 1024 * 1024,
  maxBlocklistTargets: 20,
  maxRunning: 2,
  maxQueued: 8,
  jobTtlMs: 60 * 60 * 1000,
  maxStoredJobs: 500,
  jobTimeoutMs: 180_000,
  rateLimit: { max: 30, windowMs: 60_000 },
};

export function withDefaults(limits: Partial<ServerLimits> = {}): ServerLimits {
  return { ...DEFAULT_LIMITS, ...limits, rateLimit: { ...DEFAULT_LIMITS.rateLimit, ...limits.rateLimit } };
}

/** Loopback binds need no token: only this machine's users can reach them. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The rule that keeps a default install from being an open relay for probes: listening beyond
 * loopback needs a token, and a short token is as good as none.
 */
export function checkBindSafety(host: string, token: string | undefined): void {
  if (isLoopbackHost(host)) return;
  if (!token) {
    throw new InputError(`binding to ${host} exposes the API beyond this machine: set a token with --token or MAILSLEUTH_TOKEN`);
  }
  if (token.length < 16) throw new InputError('the API token must be at least 16 characters');
}
