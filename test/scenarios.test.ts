/**
 * Every lab scenario through the real diagnosis. Each scenario folder (scenarios/NAME) is served by
 * the lab in process — its zones on the lab DNS server, its hosts behind the connect map, its
 * certificates from the lab CA — and its domain is diagnosed with its messages, probes on, exactly
 * as `mailsleuth diagnose DOMAIN --bounce … --resolver … --connect-map … --ca …` would. The causes
 * must match the scenario's expected.json: the top cause among `first`, every `include` named, no
 * `exclude` named; a scenario that expects no cause at all must get the verdict `healthy`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { listScenarios, loadScenario, startLab, type Lab } from '../src/lab/index.ts';
import { diagnose, type Diagnosis } from '../src/diagnose/index.ts';
import { CAUSE_IDS } from '../src/diagnose/types.ts';
import { createResolver } from '../src/net/dns/client.ts';
import { createDialer, parseConnectMap } from '../src/net/dialer/index.ts';
import type { Context } from '../src/checks/types.ts';

/**
 * Short timeouts: the lab answers every name and every mapped port at once, so a scenario that
 * waits on one is broken — it fails below instead of finishing slowly.
 */
const DNS_TIMEOUT_MS = 1500;
const NET_TIMEOUT_MS = 3000;
/** A scenario's whole diagnosis on loopback; typical runs take well under a second. */
const SCENARIO_BUDGET_MS = 8000;

const scenarios = listScenarios();

function labContext(lab: Lab): Context {
  return {
    resolver: createResolver({ servers: [lab.dns], timeoutMs: DNS_TIMEOUT_MS, retries: 0 }),
    dialer: createDialer({ connectMap: lab.connectMap.flatMap(parseConnectMap), ca: [lab.caPem], defaultTimeoutMs: NET_TIMEOUT_MS }),
    options: { timeoutMs: NET_TIMEOUT_MS, noProbe: false, selectors: [], keys: {} },
    now: () => new Date(),
  };
}

async function diagnoseScenario(name: string): Promise<{ lab: Lab; diagnosis: Diagnosis; ms: number }> {
  const started = performance.now();
  const lab = await startLab({ scenario: name });
  try {
    const messages = lab.definition.messages.map((path) => ({ name: basename(path), bytes: readFileSync(path) }));
    const diagnosis = await diagnose(labContext(lab), { domain: lab.definition.expected.domain, messages });
    return { lab, diagnosis, ms: performance.now() - started };
  } finally {
    await lab.close();
  }
}

/** The causes as one line each, for a failure message a person can act on. */
function ranking(d: Diagnosis): string {
  if (!d.causes.length) return '  (no causes)';
  return d.causes.map((c, i) => `  ${i + 1}. ${c.id} [${c.severity}, ${c.confidence}] ${c.summary}`).join('\n');
}

test('the scenarios together expect every cause id at least once', () => {
  const expected = new Set(scenarios.flatMap((s) => loadScenario(s.name).expected.causes.include));
  const uncovered = CAUSE_IDS.filter((id) => !expected.has(id));
  assert.deepEqual(uncovered, [], `no scenario's expected.json includes: ${uncovered.join(', ')}`);
});

test('there is a healthy control scenario and at least ten problem scenarios', () => {
  const loaded = scenarios.map((s) => loadScenario(s.name));
  assert.ok(loaded.some((s) => s.expected.causes.include.length === 0 && (s.expected.verdict ?? 'healthy') === 'healthy'), 'no scenario expects a healthy verdict');
  assert.ok(loaded.filter((s) => s.expected.causes.include.length > 0).length >= 10, 'fewer than 10 problem scenarios');
});

for (const { name, domain } of scenarios) {
  test(`scenario ${name} (${domain}): the diagnosis names the expected causes`, async () => {
    const { lab, diagnosis, ms } = await diagnoseScenario(name);
    const want = lab.definition.expected.causes;
    const ids = diagnosis.causes.map((c) => c.id as string);
    const context = `\n${name}: verdict ${diagnosis.verdict}, causes ranked:\n${ranking(diagnosis)}`;

    const top = ids[0];
    if (want.first?.length) assert.ok(top !== undefined && want.first.includes(top), `top cause is ${top ?? 'none'}, expected one of ${want.first.join(', ')}${context}`);
    const missing = want.include.filter((id) => !ids.includes(id));
    assert.deepEqual(missing, [], `expected causes not named: ${missing.join(', ')}${context}`);
    const unwanted = (want.exclude ?? []).filter((id) => ids.includes(id));
    assert.deepEqual(unwanted, [], `causes named that must not be: ${unwanted.join(', ')}${context}`);
    const verdict = lab.definition.expected.verdict ?? (want.include.length === 0 ? 'healthy' : 'problems');
    assert.equal(diagnosis.verdict, verdict, `expected verdict ${verdict}${context}`);

    // The lab answers every query and every mapped port: a timeout means the scenario is broken.
    const timedOut = (diagnosis.dns.transcript as { outcome: string; name: string; type: string }[]).filter((e) => e.outcome === 'timeout');
    assert.deepEqual(timedOut.map((e) => `${e.name} ${e.type}`), [], `DNS lookups timed out in the lab${context}`);
    assert.ok(ms < SCENARIO_BUDGET_MS, `took ${Math.round(ms)} ms (budget ${SCENARIO_BUDGET_MS} ms)${context}`);
    // Every message must have been read as a message, not lost to a parse problem.
    assert.equal(diagnosis.messages.length, lab.definition.messages.length);
  });
}
