/** The check orchestrator against the lab: verdicts, fault propagation, chaining of dependent lookups, one query per name. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { checkDomain, runDomainChecks } from '../src/checks/index.ts';
import type { DnsServer } from '../src/lab/dns/index.ts';
import type { RecordType } from '../src/net/dns/types.ts';
import type { Context } from '../src/checks/types.ts';
import { startCheckLab, labContext, recordingResolver } from './check-lab.ts';

let lab: DnsServer;
before(async () => { lab = await startCheckLab(); });
after(() => lab.close());

interface Timed { name: string; type: RecordType; start: number; end: number }

/** The context's resolver, wrapped to record when each lookup was asked and answered. */
function timed(ctx: Context): { ctx: Context; events: Timed[] } {
  const events: Timed[] = [];
  return { ctx: { ...ctx, resolver: recordingResolver(ctx.resolver, (l) => events.push(l)) }, events };
}

test('a healthy domain: every check ok or informational, verdict healthy', async () => {
  lab.setFaults([]);
  const ctx = labContext(lab.server);
  const report = await checkDomain(ctx, 'healthy.test');
  assert.equal(report.verdict, 'healthy', JSON.stringify(report.findings.filter((f) => f.severity !== 'ok' && f.severity !== 'info'), null, 1));
  for (const id of ['mx', 'spf', 'dkim', 'dmarc', 'dnssec', 'dane', 'ptr', 'blocklists', 'providers']) {
    assert.ok(report.checks[id], `${id} ran`);
    assert.ok(['ok', 'info'].includes(report.checks[id]!.status), `${id}: ${report.checks[id]!.status}`);
  }
  assert.equal(report.checks.smtp?.status, 'skipped', '--no-probe');
  assert.deepEqual(Object.keys(report.checks).slice(0, 4), ['mx', 'spf', 'dkim', 'dmarc'], 'report order');
  // One shared cache: no (name, type) goes on the wire twice in a run.
  const asked = report.dns.queriesSent;
  const unique = new Set(ctx.resolver.transcript.map((e) => `${e.name}|${e.type}`)).size;
  assert.ok(asked > 20 && unique === asked, `${asked} queries, ${unique} distinct`);
});

test('a broken domain: problems, worst findings first', async () => {
  lab.setFaults([]);
  const report = await checkDomain(labContext(lab.server), 'broken.test');
  assert.equal(report.verdict, 'problems');
  const ids = report.findings.map((f) => f.id);
  assert.ok(ids.includes('mx.null-mixed') && ids.includes('mx.cname'));
  const ranks = report.findings.map((f) => ['ok', 'info', 'warn', 'error', 'critical'].indexOf(f.severity));
  assert.deepEqual(ranks, [...ranks].sort((a, b) => b - a));
});

test('SERVFAIL on the MX lookup: MX and everything chained off it are unknown, never ok', async () => {
  lab.setFaults([{ name: 'healthy.test', type: 'MX', action: 'servfail' }]);
  const checks = await runDomainChecks(labContext(lab.server), 'healthy.test');
  for (const id of ['mx', 'dane', 'ptr', 'blocklists']) assert.equal(checks[id]!.status, 'unknown', id);
  assert.ok(checks.mx!.findings.some((f) => f.id === 'mx.lookup-failed'));
  assert.equal(checks.dmarc!.status, 'ok', 'independent checks still report');
});

test('a timeout in the middle (an MX host address) makes MX, reverse DNS and blocklists unknown', async () => {
  lab.setFaults([{ name: 'mx2.healthy.test', type: 'A', action: 'drop' }]);
  const report = await checkDomain(labContext(lab.server, {}, { timeoutMs: 300 }), 'healthy.test');
  for (const id of ['mx', 'ptr', 'blocklists']) assert.equal(report.checks[id]!.status, 'unknown', id);
  assert.equal(report.verdict, 'problems');
});

test('DNS that answers nothing at all: verdict incomplete', async () => {
  lab.setFaults([{ action: 'servfail' }]);
  const report = await checkDomain(labContext(lab.server), 'healthy.test');
  assert.equal(report.verdict, 'incomplete');
  assert.ok(Object.values(report.checks).every((c) => c.status !== 'ok'), 'no check is ok without answers');
});

test('dependent lookups start as soon as their input exists, not after everything', async () => {
  // Every answer takes 100 ms; mx2's address and the nested SPF include take 400 ms.
  lab.setFaults([{ latencyMs: 100 }, { name: 'mx2.healthy.test', type: 'A', latencyMs: 400 }, { name: '_spf.healthy.test', type: 'TXT', latencyMs: 400 }]);
  const { ctx, events } = timed(labContext(lab.server, {}, { timeoutMs: 2000 }));
  await runDomainChecks(ctx, 'healthy.test');
  const first = (name: string, type: string) => events.filter((e) => e.name === name && e.type === type).sort((a, b) => a.start - b.start)[0]!;
  const mx1A = first('mx1.healthy.test', 'A');
  const mx2A = first('mx2.healthy.test', 'A');
  const tlsa = first('_25._tcp.mx1.healthy.test', 'TLSA');
  const ptr = first('25.2.0.192.in-addr.arpa', 'PTR');
  const mx = first('healthy.test', 'MX');
  assert.ok(tlsa.start < mx1A.end, 'TLSA goes out with the address queries, needing only the MX names');
  assert.ok(tlsa.start >= mx.end - 1, 'and after the MX answer');
  assert.ok(ptr.start < mx2A.end - 200, 'mx1\'s PTR does not wait for mx2\'s slow address lookup');
  const ownSpf = first('27.2.0.192.in-addr.arpa', 'PTR');
  const include = first('_spf.healthy.test', 'TXT');
  assert.ok(ownSpf.start < include.end - 200, 'the SPF record\'s own address is checked without waiting for the rest of the SPF walk');
  const ownSpfListed = events.find((e) => e.name.startsWith('27.2.0.192.') && e.type === 'A' && !e.name.endsWith('.arpa'));
  assert.ok(ownSpfListed && ownSpfListed.start < include.end - 200, 'and so is its blocklist lookup');
  const dmarc = first('_dmarc.healthy.test', 'TXT');
  assert.ok(dmarc.start < mx.end, 'independent checks start at once');
  lab.setFaults([]);
});
