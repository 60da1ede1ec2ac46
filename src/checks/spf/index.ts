/**
 * The SPF check (RFC 7208): our own evaluator. `checkHost` evaluates one client address for a
 * domain, as a receiver would, with a trace of every term and lookup.
 */
export { checkHost, spfIdentity, type CheckHostInput, type CheckHostOptions } from './evaluate.ts';
export type { CheckHostResult, SpfResult, SpfRecordTrace, SpfTermTrace, SpfLookup, SpfCause } from './types.ts';
