/**
 * The blocklist engine against the lab's DNS: zones for the real list names, answers for every class
 * (listings, refusals, rewritten NXDOMAIN, failures), queried through our DNS client.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseZone, startDnsServer, type DnsServer, type Zone } from '../src/lab/dns/index.ts';
import { createResolver } from '../src/net/dns/client.ts';
import { createDialer } from '../src/net/dialer/index.ts';
import { checkBlocklists, nibbleIp6, run, type BlocklistResult } from '../src/checks/blocklists/index.ts';
import type { Context } from '../src/checks/types.ts';

function zone(origin: string, lines: string[]): Zone {
  return parseZone([`$ORIGIN ${origin}.`, `@ 60 IN SOA ns.${origin}. hostmaster.${origin}. 1 3600 600 86400 60`, ...lines].join('\n'), { origin });
}

const DQS_KEY = 'labkey0123456789abcdefghij';
const V6_LISTED = '2001:db8::25';

const zones: Zone[] = [
  zone('zen.spamhaus.org', [
    '2.2.0.192 A 127.0.0.2', '2.2.0.192 TXT "https://check.spamhaus.org/sbl/query/SBL1"',
    '3.2.0.192 A 127.0.0.3',
    '4.2.0.192 A 127.0.0.4', '4.2.0.192 TXT "https://check.spamhaus.org/query/ip/192.0.2.4"',
    '10.2.0.192 A 127.0.0.10',
    '11.2.0.192 A 127.0.0.11',
    '80.113.0.203 A 127.0.0.4', '80.113.0.203 A 127.0.0.10',
    '254.2.0.192 A 127.255.255.254',
    '255.2.0.192 A 127.255.255.255',
    '252.2.0.192 A 127.255.255.252',
    '8.2.0.192 A 127.0.0.8',
    '9.2.0.192 TXT "no address here"',
    `${nibbleIp6(V6_LISTED)} A 127.0.0.3`,
  ]),
  zone('dbl.spamhaus.org', [
    'spam-domain.example A 127.0.1.2',
    'phish-domain.example A 127.0.1.4',
    'malware-domain.example A 127.0.1.5',
    'abused-domain.example A 127.0.1.102',
    '*.abused-domain.example A 127.0.1.102',
    'acme.example A 127.0.1.2', 'acme.example TXT "https://check.spamhaus.org/dbl/acme.example"',
    'ip-queried.example A 127.0.1.255',
  ]),
  zone(`${DQS_KEY}.zen.dq.spamhaus.net`, ['4.2.0.192 A 127.0.0.4']),
  zone('b.barracudacentral.org', ['80.113.0.203 A 127.0.0.2', '5.2.0.192 A 127.0.0.2']),
  zone('multi.uribl.com', ['* A 127.0.0.1', '* TXT "Query Refused. See http://uribl.com/refused.shtml"']),
  zone('multi.surbl.org', ['ph-mw.example A 127.0.0.24']),
  // A resolver that rewrites NXDOMAIN to an ad server looks like a wildcard to a public-looking address.
  zone('bl.spamcop.net', ['* A 198.51.100.7']),
  zone('psbl.surriel.com', []),
  // Dead lists whose zones now list the world: a wildcard that would say "listed" for everything.
  zone('dnsbl.njabl.org', ['* A 127.0.0.2']),
  zone('dnsbl.sorbs.net', ['* A 127.0.0.2']),
  zone('dnsbl.ahbl.org', ['* A 127.0.0.2']),
];

let lab: DnsServer;
before(async () => {
  lab = await startDnsServer({ zones });
});
after(async () => {
  await lab.close();
});

function resolver(timeoutMs = 1000) {
  return createResolver({ servers: [lab.server], timeoutMs, retries: 0 });
}

async function one(target: string, list: string, options: { keys?: Record<string, string>; timeoutMs?: number } = {}): Promise<BlocklistResult> {
  const report = await checkBlocklists({ resolver: resolver(options.timeoutMs) }, [target], { lists: [list], ...(options.keys ? { keys: options.keys } : {}) });
  assert.equal(report.results.length, 1, JSON.stringify(report.results));
  return report.results[0]!;
}

test('ZEN listings decode each sub-list: SBL, CSS, XBL, PBL', async () => {
  const table: [string, string, boolean][] = [['192.0.2.2', 'SBL', true], ['192.0.2.3', 'CSS', true], ['192.0.2.4', 'XBL', true], ['192.0.2.10', 'PBL', false], ['192.0.2.11', 'PBL', false]];
  for (const [ip, label, abuse] of table) {
    const r = await one(ip, 'spamhaus-zen');
    assert.equal(r.status, 'listed', ip);
    assert.deepEqual(r.labels, [label]);
    assert.equal(r.abuse, abuse, `${label} abuse`);
    assert.equal(r.severity, abuse ? 'block' : 'policy');
    assert.equal(r.zone, 'zen.spamhaus.org');
    assert.equal(r.url, 'https://check.spamhaus.org/');
    assert.ok(r.delisting);
  }
});

test('a listing fetches the TXT reason; two codes at once are both decoded', async () => {
  const r = await one('192.0.2.4', 'spamhaus-zen');
  assert.equal(r.txt, 'https://check.spamhaus.org/query/ip/192.0.2.4');
  assert.equal(r.dns.length, 2);
  const both = await one('203.0.113.80', 'spamhaus-zen');
  assert.deepEqual([...both.codes].sort(), ['127.0.0.10', '127.0.0.4']);
  assert.deepEqual([...both.labels].sort(), ['PBL', 'XBL']);
  assert.equal(both.severity, 'block');
  assert.equal(both.abuse, true);
});

test('DBL listings: spam, phish, malware, abused-legit (host names through the wildcard)', async () => {
  const table: [string, string, boolean][] = [
    ['spam-domain.example', 'spam', true],
    ['phish-domain.example', 'phish', true],
    ['malware-domain.example', 'malware', true],
    ['abused-domain.example', 'abused-legit spam', true],
    ['www.abused-domain.example', 'abused-legit spam', true],
  ];
  for (const [domain, label] of table) {
    const r = await one(domain, 'spamhaus-dbl');
    assert.equal(r.status, 'listed', domain);
    assert.deepEqual(r.labels, [label]);
    assert.equal(r.query, `${domain}.dbl.spamhaus.org`);
  }
  assert.equal((await one('abused-domain.example', 'spamhaus-dbl')).severity, 'suspicious');
});

test('NXDOMAIN is not listed; NODATA is not listed with a note', async () => {
  const clean = await one('192.0.2.77', 'spamhaus-zen');
  assert.equal(clean.status, 'not-listed');
  assert.deepEqual(clean.codes, []);
  assert.equal(clean.txt, null);
  const nodata = await one('192.0.2.9', 'spamhaus-zen');
  assert.equal(nodata.status, 'not-listed');
  assert.match(nodata.note ?? '', /NODATA/);
  assert.equal((await one('clean.example', 'spamhaus-dbl')).status, 'not-listed');
});

test('Spamhaus error codes are errors with the resolver explained, never listings', async () => {
  const pub = await one('192.0.2.254', 'spamhaus-zen');
  assert.equal(pub.status, 'error');
  assert.deepEqual(pub.codes, ['127.255.255.254']);
  assert.equal(pub.error?.kind, 'public-resolver');
  assert.equal(pub.error?.resolverProblem, true);
  assert.match(pub.error?.fix ?? '', /own recursive resolver/);
  assert.match(pub.error?.fix ?? '', /--dqs-key/);
  const volume = await one('192.0.2.255', 'spamhaus-zen');
  assert.equal(volume.status, 'error');
  assert.equal(volume.error?.kind, 'excessive-volume');
  const typo = await one('192.0.2.252', 'spamhaus-zen');
  assert.equal(typo.status, 'error');
  assert.equal(typo.error?.kind, 'zone-typo');
  const ipOnDbl = await one('ip-queried.example', 'spamhaus-dbl');
  assert.equal(ipOnDbl.status, 'error');
  assert.equal(ipOnDbl.error?.kind, 'ip-on-domain-list');
});

test('an undocumented 127.x code is unrecognised, not listed', async () => {
  const r = await one('192.0.2.8', 'spamhaus-zen');
  assert.equal(r.status, 'error');
  assert.equal(r.error?.kind, 'unrecognised');
  assert.deepEqual(r.codes, ['127.0.0.8']);
});

test('URIBL 127.0.0.1 means the resolver is blocked', async () => {
  const r = await one('acme.example', 'uribl-multi');
  assert.equal(r.status, 'error');
  assert.equal(r.error?.kind, 'query-blocked');
  assert.equal(r.query, 'acme.example.multi.uribl.com');
  assert.equal(r.txt, null, 'a refusal is not a listing: no reason text is fetched');
});

test('SURBL bitmask: 127.0.0.24 is phishing and malware', async () => {
  const r = await one('ph-mw.example', 'surbl-multi');
  assert.equal(r.status, 'listed');
  assert.deepEqual([...r.labels].sort(), ['MW', 'PH']);
});

test('a rewritten NXDOMAIN (answer outside 127/8) is an error about the resolver', async () => {
  const r = await one('192.0.2.123', 'spamcop');
  assert.equal(r.status, 'error');
  assert.deepEqual(r.codes, ['198.51.100.7']);
  assert.equal(r.error?.kind, 'rewritten-nxdomain');
  assert.match(r.error?.message ?? '', /outside 127\.0\.0\.0\/8/);
});

test('REFUSED, SERVFAIL and timeouts are errors, never "not listed"', async () => {
  lab.setFaults([
    { name: '*.zen.spamhaus.org', action: 'refused' },
    { name: '*.b.barracudacentral.org', action: 'servfail' },
    { name: '*.psbl.surriel.com', action: 'drop' },
  ]);
  try {
    const refused = await one('192.0.2.77', 'spamhaus-zen');
    assert.equal(refused.status, 'error');
    assert.equal(refused.error?.kind, 'refused');
    const servfail = await one('192.0.2.77', 'barracuda-brbl');
    assert.equal(servfail.status, 'error');
    assert.equal(servfail.error?.kind, 'servfail');
    const started = performance.now();
    const timeout = await one('192.0.2.77', 'psbl', { timeoutMs: 200 });
    assert.equal(timeout.status, 'error');
    assert.equal(timeout.error?.kind, 'timeout');
    assert.ok(performance.now() - started < 1500);
  } finally {
    lab.setFaults([]);
  }
});

test('IPv6 targets are queried in nibble form on lists that take IPv6, and only there', async () => {
  const report = await checkBlocklists({ resolver: resolver() }, [V6_LISTED], { lists: ['spamhaus-zen', 'barracuda-brbl'] });
  assert.equal(report.results.length, 1, 'Barracuda is IPv4-only: no query');
  const r = report.results[0]!;
  assert.equal(r.status, 'listed');
  assert.deepEqual(r.labels, ['CSS']);
  assert.equal(r.query, `${nibbleIp6(V6_LISTED)}.zen.spamhaus.org`);
  assert.equal(r.query.split('.').length, 32 + 3);
});

test('dead lists are never queried, not even when asked for by name', async () => {
  const before = lab.log.length;
  const report = await checkBlocklists({ resolver: resolver() }, ['192.0.2.77', 'acme.example'], { lists: ['njabl', 'sorbs', 'ahbl', 'spamhaus-zen'] });
  const asked = lab.log.slice(before).map((q) => q.name);
  assert.ok(asked.length > 0);
  assert.ok(!asked.some((n) => /njabl\.org$|sorbs\.net$|ahbl\.org$/.test(n)), `queried a dead zone: ${asked.join(', ')}`);
  assert.deepEqual(report.results.map((r) => r.list), ['spamhaus-zen']);
  assert.deepEqual(report.skipped.map((s) => [s.list, s.reason]), [['njabl', 'dead'], ['sorbs', 'dead'], ['ahbl', 'dead']]);
  // The default set skips them too and says why.
  const defaults = await checkBlocklists({ resolver: resolver(300) }, ['192.0.2.77'], {});
  assert.ok(!lab.log.slice(before).some((q) => /njabl\.org$|sorbs\.net$|ahbl\.org$/.test(q.name)));
  assert.ok(defaults.skipped.some((s) => s.list === 'njabl' && /lists the world/.test(s.detail)));
  // Proof the trap was armed: asked directly, the dead zone says "listed" for anything.
  const direct = await resolver().query('77.2.0.192.dnsbl.njabl.org', 'A');
  assert.deepEqual(direct.records.map((r) => r.data), ['127.0.0.2']);
});

test('DQS key: the query goes to <key>.zen.dq.spamhaus.net and reports show <key>', async () => {
  const r = await one('192.0.2.4', 'spamhaus-zen', { keys: { spamhausDqs: DQS_KEY } });
  assert.equal(r.status, 'listed');
  assert.equal(r.zone, '<key>.zen.dq.spamhaus.net');
  assert.equal(r.query, '4.2.0.192.<key>.zen.dq.spamhaus.net');
  assert.ok(lab.log.some((q) => q.name === `4.2.0.192.${DQS_KEY}.zen.dq.spamhaus.net`));
});

test('Abusix without a key is skipped; a REFUSED keyed query means the key was rejected', async () => {
  const noKey = await checkBlocklists({ resolver: resolver() }, ['192.0.2.4'], { lists: ['abusix-combined'] });
  assert.deepEqual(noKey.results, []);
  assert.equal(noKey.skipped[0]?.reason, 'needs-key');
  // The lab serves no abusix zone: it answers REFUSED, as Abusix does for a bad key.
  const r = await one('192.0.2.4', 'abusix-combined', { keys: { abusix: 'badkey' } });
  assert.equal(r.status, 'error');
  assert.equal(r.error?.kind, 'key-rejected');
  assert.match(r.error?.fix ?? '', /--abusix-key/);
});

test('many targets × lists run in parallel: about one round trip, not one per lookup', async () => {
  lab.setFaults([{ latencyMs: 100 }]);
  try {
    const targets = Array.from({ length: 20 }, (_, i) => `192.0.2.${100 + i}`);
    const started = performance.now();
    const report = await checkBlocklists({ resolver: resolver(2000) }, targets, { lists: ['spamhaus-zen', 'barracuda-brbl', 'psbl', 'spamcop'] });
    const elapsed = performance.now() - started;
    assert.equal(report.results.length, 80);
    assert.ok(elapsed < 600, `80 lookups at 100 ms latency took ${Math.round(elapsed)} ms`);
  } finally {
    lab.setFaults([]);
  }
});

test('the check: findings for listings (abuse vs policy), refusals, and clean', async () => {
  const ctx: Context = { resolver: resolver(), dialer: createDialer(), options: { timeoutMs: 2000, noProbe: true, selectors: [], keys: {} }, now: () => new Date() };
  const listed = await run(ctx, '203.0.113.80');
  const hits = listed.findings.filter((f) => f.id === 'blocklists.listed');
  assert.ok(hits.some((f) => f.title.includes('Spamhaus ZEN') && f.severity === 'error'));
  assert.ok(hits.some((f) => f.title.includes('Barracuda') && f.fix?.links?.[0] === 'https://www.barracudacentral.org/rbl/removal-request'));
  assert.equal(listed.status, 'error');
  // The lab answers REFUSED for every list it does not serve: those are refusals, grouped per list.
  const refused = listed.findings.filter((f) => f.id === 'blocklists.query-refused');
  assert.ok(refused.length > 0);
  assert.ok(refused.every((f) => f.severity === 'warn' && /not clean/.test(f.title)));
  assert.ok(listed.findings.some((f) => f.id === 'blocklists.query-refused' && f.data?.kind === 'rewritten-nxdomain'), 'SpamCop rewritten answers');

  const pbl = await run(ctx, '192.0.2.10');
  const pblFinding = pbl.findings.find((f) => f.id === 'blocklists.listed');
  assert.equal(pblFinding?.severity, 'warn', 'PBL is policy, not abuse');
  assert.match(pblFinding?.detail ?? '', /not an accusation/);
});

test('the check reports clean only when every list answered', async () => {
  const ctx: Context = { resolver: resolver(), dialer: createDialer(), options: { timeoutMs: 2000, noProbe: true, selectors: [], keys: {} }, now: () => new Date() };
  const report = await checkBlocklists(ctx, ['192.0.2.77'], { lists: ['spamhaus-zen', 'barracuda-brbl', 'psbl'] });
  assert.ok(report.results.every((r) => r.status === 'not-listed'));
  const { blocklistFindings, blocklistStatus } = await import('../src/checks/blocklists/index.ts');
  const findings = blocklistFindings(report);
  assert.deepEqual(findings.map((f) => f.id), ['blocklists.clean']);
  assert.equal(blocklistStatus(report), 'ok');
  const partial = await run(ctx, '192.0.2.77');
  assert.equal(partial.status, 'unknown', 'refused lists make the result unknown, not clean');
  assert.ok(!partial.findings.some((f) => f.id === 'blocklists.clean'));
});

test('"not listed" through a public resolver a list refuses is unreliable, not clean', async () => {
  // Record the lab's answers, then replay them as if 8.8.8.8 had given them (a recording carries its server).
  const live = resolver();
  await checkBlocklists({ resolver: live }, ['192.0.2.77'], { lists: ['spamhaus-zen', 'psbl'] });
  const { createReplayResolver } = await import('../src/net/dns/client.ts');
  const viaGoogle = createReplayResolver(live.transcript, '8.8.8.8:53');
  const report = await checkBlocklists({ resolver: viaGoogle }, ['192.0.2.77'], { lists: ['spamhaus-zen', 'psbl'] });
  const zen = report.results.find((r) => r.list === 'spamhaus-zen');
  const psbl = report.results.find((r) => r.list === 'psbl');
  assert.equal(zen?.status, 'not-listed');
  assert.equal(zen?.reliable, false, 'Spamhaus refuses public resolvers');
  assert.match(zen?.note ?? '', /Google Public DNS/);
  assert.equal(psbl?.reliable, undefined, 'PSBL answers public resolvers');
  assert.match(report.warnings?.[0] ?? '', /Spamhaus ZEN/);
  const { blocklistFindings, blocklistStatus } = await import('../src/checks/blocklists/index.ts');
  const findings = blocklistFindings(report);
  assert.ok(!findings.some((f) => f.id === 'blocklists.clean'));
  assert.ok(findings.some((f) => f.id === 'blocklists.query-refused' && f.data?.kind === 'public-resolver'));
  assert.equal(blocklistStatus(report), 'unknown');
});
