/**
 * The web UI restates the diagnosis contract (web/src/contract.ts) because its build cannot import
 * the Node-side types. This file only typechecks if a real Diagnosis is assignable to the UI's
 * reading of it, so `npm test` (which typechecks test/) fails when the two drift apart; the run
 * below checks the same on a value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnosis, ProgressEvent } from '../src/diagnose/types.ts';
import { CAUSE_IDS } from '../src/diagnose/types.ts';
import type { Diagnosis as UiDiagnosis, ProgressEvent as UiProgressEvent } from '../web/src/contract.ts';

const asUi = (d: Diagnosis): UiDiagnosis => d;
const progressAsUi = (e: ProgressEvent): UiProgressEvent => e;

test('a diagnosis as the engine makes it is a diagnosis as the UI reads it', () => {
  const d: Diagnosis = {
    schema: 'mailsleuth/diagnosis@1', domain: 'acme.example', generatedAt: new Date(0).toISOString(), durationMs: 1,
    verdict: 'problems', headline: 'Root cause: …',
    causes: [{ id: CAUSE_IDS[0]!, severity: 'critical', confidence: 0.9, summary: 's', evidence: ['e'], fixes: [{ text: 't', dns: [{ name: 'n', type: 'TXT', value: 'v' }], links: ['https://example.com/'] }] }],
    findings: [], checks: { spf: { id: 'spf', status: 'ok', findings: [], data: {} } }, messages: [],
    dns: { servers: ['127.0.0.1:53'], queriesSent: 1, cacheHits: 0, transcript: [] },
  };
  assert.equal(asUi(d).causes[0]?.id, 'unauthorized-sender');
  assert.deepEqual(progressAsUi({ kind: 'check-done', check: 'spf', status: 'ok' }), { kind: 'check-done', check: 'spf', status: 'ok' });
});
