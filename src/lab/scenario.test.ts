import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { InputError } from '../errors.ts';
import { compareCauses, listScenarios, loadScenario } from './scenario.ts';

test('the shipped scenarios are listed with their domain and description', () => {
  const listed = listScenarios();
  const reference = listed.find((s) => s.name === 'webhost-spoof');
  assert.ok(reference);
  assert.equal(reference.domain, 'acme.example');
  assert.match(reference.description, /web host/);
});

test('every shipped scenario is consistent: hosts are addresses its zones publish, expectations do not contradict', () => {
  for (const { name } of listScenarios()) {
    const scenario = loadScenario(name);
    assert.ok(scenario.story.length > 40, `${name}: README tells the story`);
    const addresses = new Set(scenario.zones.flatMap((z) => z.records).filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => r.data as string));
    for (const host of scenario.hosts.hosts) assert.ok(addresses.has(host.ip), `${name}: host ${host.ip} is published in a zone`);
    const domain = scenario.expected.domain;
    assert.ok(scenario.zones.some((z) => domain === z.origin || domain.endsWith(`.${z.origin}`)), `${name}: the domain has a zone`);
    for (const file of scenario.messages) assert.match(file, /\.eml$/);
    const ids = [...(scenario.expected.causes.first ?? []), ...scenario.expected.causes.include];
    for (const id of scenario.expected.causes.exclude ?? []) assert.ok(!ids.includes(id), `${name}: ${id} both expected and excluded`);
  }
});

test('the reference scenario loads its zones, hosts, messages and expectations', () => {
  const scenario = loadScenario('webhost-spoof');
  assert.equal(scenario.expected.domain, 'acme.example');
  assert.deepEqual(scenario.expected.causes.first, ['unauthorized-sender']);
  for (const id of ['sender-blocklisted', 'domain-blocklisted', 'dmarc-not-enforced', 'web-no-https']) assert.ok(scenario.expected.causes.include.includes(id), id);
  assert.deepEqual(scenario.messages.map((m) => basename(m)), ['dbl-rejected-from-m365.eml', 'returned-from-webhost.eml']);
  assert.deepEqual(scenario.hosts.hosts.map((h) => h.ip).sort(), ['203.0.113.80', '52.101.194.12', '52.101.68.10']);
  const web = scenario.hosts.hosts.find((h) => h.ip === '203.0.113.80')!;
  assert.deepEqual([...web.services.keys()].sort(), [25, 443, 80]);
  assert.equal(web.services.get(443)?.type, 'closed');
  assert.ok(scenario.zones.every((z) => !z.signed));
});

function tempScenario(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailsleuth-scenario-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const ZONE = '$ORIGIN lab.example.\n@ IN SOA ns.lab.example. h.lab.example. 1 1 1 1 1\n@ IN A 192.0.2.1\n';
const EXPECTED = JSON.stringify({ domain: 'lab.example', description: 'a test', causes: { include: ['spf-missing'] } });

test('a scenario folder by path; "; lab: signed" marks a zone signed; hosts.json and messages are optional', () => {
  const dir = tempScenario({
    'zones/lab.example.zone': `; lab: signed\n${ZONE}`,
    'zones/other.example.zone': '$ORIGIN other.example.\n@ IN A 192.0.2.2\n',
    'expected.json': EXPECTED,
    'README.md': '# t\n\nA small\nstory.\n\nMore.\n',
  });
  try {
    const scenario = loadScenario(dir);
    assert.deepEqual(scenario.zones.map((z) => [z.origin, z.signed]), [['lab.example', true], ['other.example', false]]);
    assert.deepEqual(scenario.hosts.hosts, []);
    assert.deepEqual(scenario.messages, []);
    assert.equal(scenario.story, 'A small story.');
    assert.deepEqual(listScenarios(join(dir, '..')).filter((s) => s.name === basename(dir)).map((s) => s.domain), ['lab.example']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken scenario is one InputError naming the file and the reason', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ 'expected.json': EXPECTED }, /no zones\/\*\.zone files/],
    [{ 'zones/a.zone': '$ORIGIN a.example.\n@ IN BOGUS x\n', 'expected.json': EXPECTED }, /a\.zone:2: unsupported record type "BOGUS"/],
    [{ 'zones/a.zone': ZONE, 'zones/b.zone': ZONE, 'expected.json': EXPECTED }, /zone lab\.example is defined twice \(a\.zone and b\.zone\)/],
    [{ 'zones/a.zone': ZONE, 'expected.json': '{"domain":"lab.example","description":"","causes":{"include":["spf-broken"]}}' }, /unknown cause id "spf-broken"/],
    [{ 'zones/a.zone': ZONE, 'expected.json': '{"description":"","causes":{"include":[]}}' }, /"domain" must be a domain name/],
    [{ 'zones/a.zone': ZONE, 'expected.json': '{ nope' }, /expected\.json: not valid JSON/],
    [{ 'zones/a.zone': ZONE, 'expected.json': EXPECTED, 'hosts.json': '{"hosts":[{"ip":"x"}]}' }, /hosts\.json: hosts\[0\]\.ip: "x" is not an IP address/],
  ];
  for (const [files, message] of cases) {
    const dir = tempScenario(files);
    try {
      assert.throws(() => loadScenario(dir), (err: unknown) => {
        assert.ok(err instanceof InputError, String(err));
        assert.match(err.message, message);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('unknown names list the known scenarios; paths that are not scenarios are refused', () => {
  assert.throws(() => loadScenario('no-such-story'), /unknown scenario "no-such-story" \(known: .*webhost-spoof/);
  assert.throws(() => loadScenario('../../etc'), /not a scenario folder|no scenario folder/);
  assert.throws(() => loadScenario('/nonexistent/place'), /no scenario folder at \/nonexistent\/place/);
});

test('compareCauses names what a diagnosis got wrong', () => {
  const expected = { domain: 'a.example', description: '', causes: { first: ['unauthorized-sender'], include: ['sender-blocklisted'], exclude: ['spf-missing'] } };
  assert.deepEqual(compareCauses(expected, ['unauthorized-sender', 'sender-blocklisted']), []);
  assert.deepEqual(compareCauses(expected, ['sender-blocklisted', 'unauthorized-sender', 'spf-missing']), [
    'first cause is sender-blocklisted, expected unauthorized-sender',
    'unexpected cause spf-missing',
  ]);
  assert.deepEqual(compareCauses(expected, []), ['first cause is none, expected unauthorized-sender', 'missing cause sender-blocklisted']);
});
