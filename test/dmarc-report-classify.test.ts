/**
 * Source classes, record by record: a DMARC failure is aligned DKIM and aligned SPF both failing;
 * then the raw auth_results and the reporter's own words decide between forwarded, misconfigured
 * and unauthorized.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRecord } from '../src/reports/dmarc/classify.ts';
import type { DkimAuth, PolicyPublished, ReportRecord, SourceClass, SpfAuth } from '../src/reports/dmarc/types.ts';

const POLICY: PolicyPublished = { domain: 'acme.example', p: 'quarantine', sp: null, np: null, adkim: 'r', aspf: 'r', pct: 100, fo: null, testing: null, discoveryMethod: null };

function rec(dkim: 'pass' | 'fail', spf: 'pass' | 'fail', auth: { dkim?: [string, string, string?][]; spf?: [string, string][] } = {}, extra: Partial<ReportRecord> = {}): ReportRecord {
  return {
    sourceIp: '192.0.2.1', count: 1, disposition: 'none', dkim, spf, reasons: [], headerFrom: 'acme.example', envelopeFrom: null, envelopeTo: null,
    authDkim: (auth.dkim ?? []).map(([domain, result, selector]): DkimAuth => ({ domain, result, selector: selector ?? 's1', humanResult: null })),
    authSpf: (auth.spf ?? []).map(([domain, result]): SpfAuth => ({ domain, result, scope: 'mfrom', humanResult: null })),
    ...extra,
  };
}

const CASES: [string, ReportRecord, SourceClass, RegExp, PolicyPublished?][] = [
  // DMARC passes
  ['both aligned', rec('pass', 'pass', { dkim: [['acme.example', 'pass']], spf: [['acme.example', 'pass']] }), 'aligned', /SPF and DKIM both pass/],
  ['DKIM aligned, SPF for the ESP bounce domain', rec('pass', 'fail', { dkim: [['acme.example', 'pass']], spf: [['bounces.esp.example', 'pass']] }), 'aligned', /SPF is for bounces\.esp\.example/],
  ['DKIM aligned via a subdomain (relaxed)', rec('pass', 'fail', { dkim: [['news.acme.example', 'pass']], spf: [['esp.example', 'pass']] }), 'aligned', /DKIM passes aligned \(d=news\.acme\.example/],
  ['DKIM aligned, the own envelope fails SPF: host not in SPF', rec('pass', 'fail', { dkim: [['acme.example', 'pass']], spf: [['acme.example', 'softfail']] }), 'misconfigured', /SPF softfail for acme\.example: the domain's SPF does not authorize this host/],
  ['DKIM aligned, the own envelope gets SPF permerror', rec('pass', 'fail', { dkim: [['acme.example', 'pass']], spf: [['acme.example', 'permerror']] }), 'misconfigured', /SPF permerror/],
  ['DKIM aligned, SPF temperror is the receiver\'s DNS, not a config fault', rec('pass', 'fail', { dkim: [['acme.example', 'pass']], spf: [['acme.example', 'temperror']] }), 'aligned', /SPF temperror/],
  ['DKIM aligned, own envelope fails SPF, the reporter says forwarded', rec('pass', 'fail', { dkim: [['acme.example', 'pass']], spf: [['acme.example', 'fail']] }, { reasons: [{ type: 'forwarded', comment: null }] }), 'forwarded', /relayed: the reporter marked it "forwarded"/],
  ['SPF aligned, no DKIM at all', rec('fail', 'pass', { spf: [['acme.example', 'pass']] }), 'misconfigured', /there is no DKIM signature: DMARC rests on SPF alone/],
  ['SPF aligned, DKIM signs as the ESP', rec('fail', 'pass', { dkim: [['esp-mail.example', 'pass']], spf: [['acme.example', 'pass']] }), 'misconfigured', /DKIM signs as esp-mail\.example, not acme\.example/],
  ['SPF aligned, the domain\'s own DKIM fails', rec('fail', 'pass', { dkim: [['acme.example', 'fail', 'old']], spf: [['acme.example', 'pass']] }), 'misconfigured', /the domain's DKIM signature fails \(d=acme\.example s=old: fail\)/],
  // DMARC fails: both aligned results failed
  ['spoofing: SPF softfail, no DKIM', rec('fail', 'fail', { spf: [['acme.example', 'softfail']] }), 'unauthorized', /neither SPF nor DKIM authenticates acme\.example: SPF softfail for acme\.example, no DKIM signature/],
  ['spoofing with the spammer\'s own DKIM and SPF', rec('fail', 'fail', { dkim: [['bulk-sender.example', 'pass']], spf: [['bulk-sender.example', 'pass']] }), 'unauthorized', /DKIM only for bulk-sender\.example/],
  ['no auth results at all', rec('fail', 'fail'), 'unauthorized', /no SPF result, no DKIM signature/],
  ['the reporter trusted the ARC chain', rec('fail', 'fail', { dkim: [['tenant.gappssmtp.com', 'pass']], spf: [['partner.example', 'pass']] }, { reasons: [{ type: 'local_policy', comment: 'arc=pass' }] }), 'forwarded', /trusted its ARC chain \(local_policy: arc=pass\)/],
  ['Fastmail-style ARC override wording', rec('fail', 'fail', {}, { reasons: [{ type: 'local_policy', comment: 'Policy overriden using trusted ARC chain' }] }), 'forwarded', /trusted its ARC chain/],
  ['ARC that failed is no evidence', rec('fail', 'fail', { spf: [['acme.example', 'fail']] }, { reasons: [{ type: 'local_policy', comment: 'arc=fail' }] }), 'unauthorized', /neither SPF nor DKIM/],
  ['RFC 9990 mailing_list override', rec('fail', 'fail', {}, { reasons: [{ type: 'mailing_list', comment: null }] }), 'forwarded', /marked it "mailing_list"/],
  ['trusted_forwarder override', rec('fail', 'fail', {}, { reasons: [{ type: 'trusted_forwarder', comment: null }] }), 'forwarded', /marked it "trusted_forwarder"/],
  ['sampled_out is not forwarding', rec('fail', 'fail', { spf: [['acme.example', 'fail']] }, { reasons: [{ type: 'sampled_out', comment: null }] }), 'unauthorized', /neither/],
  ['Google Groups re-signs list mail', rec('fail', 'fail', { dkim: [['acme.example', 'fail'], ['googlegroups.com', 'pass']], spf: [['googlegroups.com', 'pass']] }), 'forwarded', /googlegroups\.com belongs to Google Groups/],
  ['a forwarding service\'s SRS envelope (catalog)', rec('fail', 'fail', { spf: [['forwardemail.net', 'pass']] }), 'forwarded', /forwardemail\.net belongs to Forward Email/],
  ['an unknown list breaks the domain\'s signature and re-signs', rec('fail', 'fail', { dkim: [['acme.example', 'fail'], ['lists.example.org', 'pass']], spf: [['lists.example.org', 'pass']] }), 'forwarded', /own signature \(d=acme\.example s=s1\) broke on the way and lists\.example\.org re-signed/],
  ['the domain\'s key fails with no relay sign', rec('fail', 'fail', { dkim: [['acme.example', 'permerror', 'mail2024']], spf: [['acme.example', 'fail']] }), 'misconfigured', /signs as the domain \(d=acme\.example s=mail2024\) but the signature fails \(permerror\)/],
  ['strict DKIM alignment refuses a subdomain signature', rec('fail', 'fail', { dkim: [['mail.acme.example', 'pass']], spf: [['esp.example', 'pass']] }), 'misconfigured', /DKIM passes as mail\.acme\.example, which is not aligned with acme\.example under adkim=s/, { ...POLICY, adkim: 's' }],
  ['strict SPF alignment refuses a subdomain envelope', rec('fail', 'fail', { spf: [['bounce.acme.example', 'pass']] }), 'misconfigured', /SPF passes for bounce\.acme\.example, which is not aligned with acme\.example under aspf=s/, { ...POLICY, aspf: 's' }],
  ['a look-alike domain is someone else', rec('fail', 'fail', { dkim: [['acme-example.com', 'pass']], spf: [['acme-example.com', 'pass']] }), 'unauthorized', /DKIM only for acme-example\.com/],
  ['a subdomain From with the org domain\'s key', rec('pass', 'pass', { dkim: [['acme.example', 'pass']], spf: [['acme.example', 'pass']] }, { headerFrom: 'news.acme.example' }), 'aligned', /both pass/],
];

for (const [what, record, expected, evidence, policy] of CASES) {
  test(`${expected}: ${what}`, () => {
    const v = classifyRecord(record, policy ?? POLICY);
    assert.equal(v.class, expected, v.evidence);
    assert.match(v.evidence, evidence);
    if (expected === 'misconfigured' || expected === 'unauthorized') assert.ok(v.fix, 'a fix is given');
    else assert.equal(v.fix, null);
  });
}

test('issue codes follow the class: none when aligned, relayed when forwarded, spoofed when unauthorized', () => {
  const CONFIG = ['spf-not-authorized', 'dkim-missing', 'dkim-not-aligned', 'dkim-failing', 'spf-not-aligned'];
  for (const [what, record, , , policy] of CASES) {
    const v = classifyRecord(record, policy ?? POLICY);
    const ok = { aligned: v.issue === null, forwarded: v.issue === 'relayed', unauthorized: v.issue === 'spoofed', misconfigured: CONFIG.includes(v.issue ?? '') }[v.class];
    assert.ok(ok, `${what}: ${v.class} with issue ${v.issue}`);
  }
  const issue = (record: ReportRecord, policy = POLICY) => classifyRecord(record, policy).issue;
  assert.equal(issue(rec('pass', 'fail', { dkim: [['acme.example', 'pass']], spf: [['acme.example', 'softfail']] })), 'spf-not-authorized');
  assert.equal(issue(rec('fail', 'pass', { spf: [['acme.example', 'pass']] })), 'dkim-missing');
  assert.equal(issue(rec('fail', 'pass', { dkim: [['esp-mail.example', 'pass']], spf: [['acme.example', 'pass']] })), 'dkim-not-aligned');
  assert.equal(issue(rec('fail', 'fail', { dkim: [['acme.example', 'permerror']] })), 'dkim-failing');
  assert.equal(issue(rec('fail', 'fail', { spf: [['bounce.acme.example', 'pass']] }), { ...POLICY, aspf: 's' }), 'spf-not-aligned');
});

test('a DMARC failure needs both aligned results to fail: one aligned pass is never unauthorized or forwarded-failing', () => {
  for (const [dkim, spf] of [['pass', 'fail'], ['fail', 'pass'], ['pass', 'pass']] as const) {
    const v = classifyRecord(rec(dkim, spf), POLICY);
    assert.notEqual(v.class, 'unauthorized');
    assert.doesNotMatch(v.evidence, /fails DMARC/);
  }
});

test('a forward-confirmed reverse name of a known forwarder counts as relay evidence', () => {
  const record = rec('fail', 'fail', { spf: [['acme.example', 'fail']] });
  assert.equal(classifyRecord(record, POLICY).class, 'unauthorized');
  const v = classifyRecord(record, POLICY, 'mail-relay.improvmx.com');
  assert.equal(v.class, 'forwarded');
  assert.equal(v.forwarder, 'ImprovMX (forwarding)');
});

test('the unauthorized fix follows the published policy: p, sp for a subdomain, pct and test mode', () => {
  const spoof = rec('fail', 'fail', { spf: [['acme.example', 'fail']] });
  const fixFor = (policy: Partial<PolicyPublished>, record = spoof) => classifyRecord(record, { ...POLICY, ...policy }).fix!;
  assert.match(fixFor({}), /p=quarantine already asks receivers to quarantine it\.$/);
  assert.match(fixFor({ p: 'none' }), /move the DMARC policy to p=quarantine, then p=reject\.$/);
  assert.match(fixFor({ p: 'reject', pct: 20 }), /p=reject covers only pct=20% of such mail: raise pct to 100\.$/);
  assert.match(fixFor({ p: 'reject', testing: true }), /p=reject is in test mode \(t=y\)/);
  const sub = { ...spoof, headerFrom: 'shop.acme.example' };
  assert.match(fixFor({ p: 'reject', sp: 'none' }, sub), /move the DMARC policy for subdomains to sp=quarantine, then sp=reject\.$/);
  assert.match(fixFor({ p: 'reject', sp: null }, sub), /p=reject already asks receivers to reject it\.$/);
});
