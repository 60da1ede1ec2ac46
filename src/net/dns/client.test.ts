import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDnsServer, parseZone, type DnsServer } from '../../lab/dns/index.ts';
import { createResolver, createReplayResolver, transcriptFile, readTranscriptFile, parseServer } from './client.ts';
import { mailauthResolver } from './mailauth.ts';
import { OfflineGuardError, setOfflineGuard } from '../guard.ts';

const big = Array.from({ length: 12 }, (_, i) => `"${String(i).padStart(3, '0')}${'x'.repeat(200)}"`).join(' ');
const ZONE = `$ORIGIN lab.test.
$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 60
@ NS ns
@ A 192.0.2.1
@ MX 10 mx
mx A 192.0.2.25
mx AAAA 2001:db8::25
@ TXT "v=spf1 " "ip4:192.0.2.0/24 -all"
big TXT ${big}
a1 CNAME a2
a2 CNAME a3.other.test.
*.wild A 192.0.2.99
sub.deep A 192.0.2.7
slow A 192.0.2.8
broken A 192.0.2.9
refused A 192.0.2.10
`;
const OTHER = `; lab: signed
$ORIGIN other.test.
@ SOA ns hostmaster 1 3600 600 86400 60
a3 A 192.0.2.33
`;

let lab: DnsServer;
before(async () => {
  lab = await startDnsServer({
    zones: [parseZone(ZONE), parseZone(OTHER)],
    faults: [
      { name: 'slow.lab.test', action: 'drop' },
      { name: 'broken.lab.test', action: 'servfail' },
      { name: 'refused.lab.test', action: 'refused' },
    ],
  });
});
after(() => lab.close());

const resolver = () => createResolver({ servers: [lab.server], timeoutMs: 300, retries: 0 });

test('A, AAAA and MX over UDP with TTLs and the answering server', async () => {
  const r = resolver();
  const a = await r.query('lab.test', 'A');
  assert.equal(a.outcome, 'answer');
  assert.equal(a.rcode, 'NOERROR');
  assert.deepEqual(a.records.map((x) => [x.data, x.ttl]), [['192.0.2.1', 300]]);
  assert.equal(a.server, lab.server);
  const mx = await r.query('LAB.test.', 'MX');
  assert.deepEqual(mx.records[0]?.data, { preference: 10, exchange: 'mx.lab.test' });
  assert.equal((await r.query('mx.lab.test', 'AAAA')).records[0]?.data, '2001:db8::25');
});

test('TXT keeps its strings; joining is the caller\'s choice', async () => {
  const txt = await resolver().query('lab.test', 'TXT');
  assert.deepEqual(txt.records[0]?.data, ['v=spf1 ', 'ip4:192.0.2.0/24 -all']);
});

test('an answer above the UDP size comes back truncated and is fetched again over TCP', async () => {
  const before = lab.log.length;
  const txt = await resolver().query('big.lab.test', 'TXT');
  assert.equal(txt.outcome, 'answer');
  assert.equal(txt.records[0]?.data.length, 12);
  const transports = lab.log.slice(before).filter((q) => q.name === 'big.lab.test').map((q) => q.transport);
  assert.deepEqual(transports, ['udp', 'tcp']);
});

test('a truncate fault forces TCP even for a small answer', async () => {
  lab.setFaults([{ name: 'mx.lab.test', action: 'truncate' }]);
  try {
    const a = await resolver().query('mx.lab.test', 'A');
    assert.equal(a.outcome, 'answer');
    assert.equal(a.records[0]?.data, '192.0.2.25');
  } finally {
    lab.setFaults([{ name: 'slow.lab.test', action: 'drop' }, { name: 'broken.lab.test', action: 'servfail' }, { name: 'refused.lab.test', action: 'refused' }]);
  }
});

test('NXDOMAIN and NODATA are different outcomes, both with the SOA', async () => {
  const r = resolver();
  const nx = await r.query('nope.lab.test', 'A');
  assert.equal(nx.outcome, 'nxdomain');
  assert.equal(nx.rcode, 'NXDOMAIN');
  const nodata = await r.query('lab.test', 'AAAA');
  assert.equal(nodata.outcome, 'nodata');
  assert.equal(nodata.rcode, 'NOERROR');
  // An empty non-terminal exists: NODATA, not NXDOMAIN.
  assert.equal((await r.query('deep.lab.test', 'A')).outcome, 'nodata');
});

test('SERVFAIL, REFUSED and timeout are their own outcomes, never an empty answer', async () => {
  const r = resolver();
  assert.equal((await r.query('broken.lab.test', 'A')).outcome, 'servfail');
  assert.equal((await r.query('refused.lab.test', 'A')).outcome, 'refused');
  assert.equal((await r.query('outside.example', 'A')).outcome, 'refused');
  const slow = await r.query('slow.lab.test', 'A');
  assert.equal(slow.outcome, 'timeout');
  assert.equal(slow.rcode, null);
  assert.match(slow.error ?? '', /no answer/);
  assert.equal(r.stats.timeouts, 1);
});

test('wildcards synthesise records for names that do not exist (RFC 4592)', async () => {
  const r = resolver();
  const w = await r.query('anything.wild.lab.test', 'A');
  assert.equal(w.outcome, 'answer');
  assert.equal(w.records[0]?.name, 'anything.wild.lab.test');
  assert.equal((await r.query('a.b.wild.lab.test', 'A')).records[0]?.data, '192.0.2.99');
  assert.equal((await r.query('anything.wild.lab.test', 'MX')).outcome, 'nodata');
});

test('CNAME chains are followed across zones, and AD reflects the signed zone', async () => {
  const r = resolver();
  const a = await r.query('a1.lab.test', 'A');
  assert.equal(a.outcome, 'answer');
  assert.deepEqual(a.cnames, ['a2.lab.test', 'a3.other.test']);
  assert.equal(a.records[0]?.data, '192.0.2.33');
  assert.equal(a.ad, false, 'the chain starts in an unsigned zone');
  assert.equal((await r.query('a3.other.test', 'A')).ad, true);
  assert.equal((await r.query('lab.test', 'A')).ad, false);
});

test('cache and in-flight de-duplication: one query on the wire for repeated questions', async () => {
  const r = resolver();
  const before = lab.queries;
  const results = await Promise.all(Array.from({ length: 20 }, () => r.query('mx.lab.test', 'A')));
  await r.query('mx.lab.test', 'A');
  assert.equal(lab.queries - before, 1);
  assert.equal(r.stats.queriesSent, 1);
  assert.equal(r.stats.inflightJoins, 19);
  assert.equal(r.stats.cacheHits, 1);
  assert.ok(results.every((x) => x.id === results[0]!.id), 'every caller cites the same transcript entry');
  assert.equal(r.transcript.length, 1);
});

test('record, then replay with no network at all', async () => {
  const r = resolver();
  await r.query('lab.test', 'MX');
  await r.query('nope.lab.test', 'A');
  await r.query('broken.lab.test', 'A');
  const dir = mkdtempSync(join(tmpdir(), 'ms-dns-'));
  const file = join(dir, 'rec.json');
  writeFileSync(file, JSON.stringify(transcriptFile(r)));
  const replay = createReplayResolver(readTranscriptFile(file).entries);
  const before = lab.queries;
  assert.deepEqual((await replay.query('lab.test', 'MX')).records, (await r.query('lab.test', 'MX')).records);
  assert.equal((await replay.query('nope.lab.test', 'A')).outcome, 'nxdomain');
  assert.equal((await replay.query('broken.lab.test', 'A')).outcome, 'servfail');
  const missing = await replay.query('never.asked.test', 'A');
  assert.equal(missing.outcome, 'error');
  assert.match(missing.error ?? '', /not in the recorded transcript/);
  assert.equal(lab.queries, before, 'replay sent nothing');
  writeFileSync(file, '{"not":"a transcript"}');
  assert.throws(() => readTranscriptFile(file), /not a mailsleuth DNS transcript/);
});

test('failover: a dead first server, then the lab answers', async () => {
  const r = createResolver({ servers: ['127.0.0.1:9', lab.server], timeoutMs: 300, retries: 0 });
  const a = await r.query('lab.test', 'A');
  assert.equal(a.outcome, 'answer');
  assert.equal(a.server, lab.server);
});

test('an unreachable resolver is a clear error, not an empty answer', async () => {
  const r = createResolver({ servers: ['127.0.0.1:9'], timeoutMs: 300, retries: 0 });
  const started = performance.now();
  const [a, b] = await Promise.all([r.query('lab.test', 'A'), r.query('lab.test', 'MX')]);
  for (const x of [a, b]) {
    assert.equal(x.outcome, 'error', 'refused at once, not a timeout');
    assert.match(x.error ?? '', /127\.0\.0\.1:9 refused the connection/);
  }
  assert.ok(performance.now() - started < 250, 'no waiting for the timeout');
});

test('the offline guard refuses a resolver outside loopback', () => {
  setOfflineGuard(true);
  try {
    assert.throws(() => createResolver({ servers: ['192.0.2.53'] }), OfflineGuardError);
  } finally {
    setOfflineGuard(undefined);
  }
});

test('server syntax: host, host:port, [v6]:port; bad ones are input errors', () => {
  assert.equal(parseServer('127.0.0.1').text, '127.0.0.1:53');
  assert.equal(parseServer('127.0.0.1:5353').port, 5353);
  assert.equal(parseServer('[::1]:5353').text, '[::1]:5353');
  assert.equal(parseServer('::1').text, '[::1]:53');
  assert.throws(() => parseServer('dns.example:53'), /invalid DNS server/);
  assert.throws(() => parseServer('127.0.0.1:99999'), /bad port/);
});

test('mailauth adapter: records by type, and void vs error codes', async () => {
  const ma = mailauthResolver(resolver());
  assert.deepEqual(await ma('lab.test', 'TXT'), [['v=spf1 ', 'ip4:192.0.2.0/24 -all']]);
  assert.deepEqual(await ma('lab.test', 'MX'), [{ exchange: 'mx.lab.test', priority: 10 }]);
  await assert.rejects(ma('nope.lab.test', 'A'), { code: 'ENOTFOUND' });
  await assert.rejects(ma('lab.test', 'AAAA'), { code: 'ENODATA' });
  await assert.rejects(ma('broken.lab.test', 'A'), { code: 'ESERVFAIL' });
});
