/**
 * What one report record says about its sender. DMARC passes when aligned DKIM or aligned SPF
 * passes, so a DMARC failure is both failing (trustymail_reporter#35, dmarc-report-viewer#66).
 * The aligned results are the reporter's (`policy_evaluated`): that is what DMARC counted. The
 * raw `auth_results` then say *why*: whose DKIM key signed, which envelope SPF judged, and
 * whether the reporter itself saw forwarding (its override reason, ARC).
 */
import { isMailFrom, sameOrganization } from './alignment.ts';
import { forwarderOf } from './forwarders.ts';
import type { DkimAuth, PolicyPublished, ReportRecord, SourceClass, SourceIssue, SpfAuth } from './types.ts';

export interface RecordVerdict {
  class: SourceClass;
  /** What is wrong, as a code a rule can map to a cause; null when nothing is. */
  issue: SourceIssue | null;
  /** One sentence: what the record shows. */
  evidence: string;
  fix: string | null;
  /** The known forwarder matched, by name. */
  forwarder: string | null;
}

/** Override types by which a reporter says it saw a relay (RFC 7489 §7.2.1, RFC 9990 §2.1.5). */
const RELAY_OVERRIDES = new Set(['forwarded', 'mailing_list', 'trusted_forwarder']);

interface Facts {
  from: string;
  ownDkim: DkimAuth[];
  foreignDkimPass: DkimAuth[];
  /** The MAIL FROM result, when the reporter gave one. */
  spf: SpfAuth | null;
  envelope: string | null;
  ownEnvelope: boolean;
}

function factsOf(r: ReportRecord): Facts {
  const from = r.headerFrom;
  const spf = r.authSpf.find(isMailFrom) ?? null;
  const envelope = spf?.domain || r.envelopeFrom || null;
  return {
    from,
    ownDkim: r.authDkim.filter((d) => sameOrganization(d.domain, from)),
    foreignDkimPass: r.authDkim.filter((d) => d.result === 'pass' && d.domain && !sameOrganization(d.domain, from)),
    spf,
    envelope,
    ownEnvelope: sameOrganization(envelope, from),
  };
}

const sig = (d: DkimAuth) => `d=${d.domain}${d.selector ? ` s=${d.selector}` : ''}`;
const spfText = (f: Facts) => (f.spf ? `SPF ${f.spf.result} for ${f.spf.domain || f.envelope || 'the envelope'}` : 'no SPF result');

/** Why the reporter or the identities show a relay, and which known relay, or null. */
function relayEvidence(r: ReportRecord, f: Facts, ptrName: string | null): { because: string; forwarder: string | null } | null {
  const override = r.reasons.find((o) => RELAY_OVERRIDES.has(o.type));
  if (override) return { because: `the reporter marked it "${override.type}"${override.comment ? ` (${override.comment})` : ''}`, forwarder: null };
  // RFC 8617 §7.2: a receiver that trusts the ARC chain overrides the policy and says so in the comment.
  const arc = r.reasons.find((o) => o.comment && (/\barc=pass\b/i.test(o.comment) || /trusted arc/i.test(o.comment)));
  if (arc) return { because: `the reporter trusted its ARC chain (${arc.type}: ${arc.comment})`, forwarder: null };
  for (const name of [...f.foreignDkimPass.map((d) => d.domain), f.spf?.domain, ptrName]) {
    const known = forwarderOf(name);
    if (known) return { because: `${name} belongs to ${known.name}`, forwarder: known.name };
  }
  const broken = f.ownDkim.find((d) => d.result !== 'pass');
  if (broken && f.foreignDkimPass.length) {
    return { because: `the domain's own signature (${sig(broken)}) broke on the way and ${f.foreignDkimPass[0]!.domain} re-signed: a mailing list that alters messages`, forwarder: null };
  }
  return null;
}

/** DMARC passed; the question is whether the other mechanism is in order too. */
function passing(r: ReportRecord, f: Facts, relay: ReturnType<typeof relayEvidence>): RecordVerdict {
  const forwarder = relay?.forwarder ?? null;
  if (r.dkim === 'pass' && r.spf === 'pass') return { class: 'aligned', issue: null, evidence: 'SPF and DKIM both pass, aligned', fix: null, forwarder };
  if (r.dkim === 'pass') {
    const dkim = f.ownDkim.find((d) => d.result === 'pass');
    const signed = dkim ? `DKIM passes aligned (${sig(dkim)})` : 'DKIM passes aligned';
    // SPF judged the domain's own envelope and did not pass: this host is not in the domain's SPF.
    if (f.ownEnvelope && f.spf && f.spf.result !== 'pass' && f.spf.result !== 'temperror') {
      if (relay) return { class: 'forwarded', issue: 'relayed', evidence: `${signed}; ${spfText(f)} because the mail was relayed: ${relay.because}`, fix: null, forwarder };
      return {
        class: 'misconfigured',
        issue: 'spf-not-authorized',
        evidence: `${signed}, but ${spfText(f)}: the domain's SPF does not authorize this host`,
        fix: `Authorize this sender in the SPF record of ${f.envelope} (the service's include or its addresses). If it is a forwarder (an alias, a mailing list), nothing needs fixing.`,
        forwarder,
      };
    }
    return { class: 'aligned', issue: null, evidence: `${signed}; ${f.spf && !f.ownEnvelope ? `SPF is for ${f.envelope}, the sender's own bounce domain` : spfText(f)}`, fix: null, forwarder };
  }
  // SPF alone carries DMARC: it breaks as soon as the mail is forwarded.
  const broken = f.ownDkim.find((d) => d.result !== 'pass');
  if (broken) {
    return {
      class: 'misconfigured',
      issue: 'dkim-failing',
      evidence: `SPF passes aligned, but the domain's DKIM signature fails (${sig(broken)}: ${broken.result})`,
      fix: `Repair DKIM for ${f.from}: publish or correct the key at ${broken.selector ?? '<selector>'}._domainkey.${broken.domain}, or point the signer at a published selector.`,
      forwarder,
    };
  }
  const foreign = f.foreignDkimPass[0];
  return {
    class: 'misconfigured',
    issue: foreign ? 'dkim-not-aligned' : 'dkim-missing',
    evidence: `SPF passes aligned, but ${foreign ? `DKIM signs as ${foreign.domain}, not ${f.from}` : 'there is no DKIM signature'}: DMARC rests on SPF alone, which forwarding breaks`,
    fix: `Turn on DKIM signing with d=${f.from} at this sender${foreign ? ` (it signs as ${foreign.domain} today)` : ''}.`,
    forwarder,
  };
}

/** DMARC failed: relayed mail, the domain's own sender gone wrong, or someone else. */
function failing(r: ReportRecord, f: Facts, policy: PolicyPublished, relay: ReturnType<typeof relayEvidence>): RecordVerdict {
  if (relay) return { class: 'forwarded', issue: 'relayed', evidence: `fails DMARC after relaying: ${relay.because}`, fix: null, forwarder: relay.forwarder };
  const ownPass = f.ownDkim.find((d) => d.result === 'pass');
  if (ownPass) {
    return {
      class: 'misconfigured',
      issue: 'dkim-not-aligned',
      evidence: `DKIM passes as ${ownPass.domain}, which is not aligned with ${f.from} under adkim=${policy.adkim}`,
      fix: `Sign with d=${f.from}${policy.adkim === 's' ? ', or relax the policy to adkim=r' : ''}.`,
      forwarder: null,
    };
  }
  if (f.ownEnvelope && f.spf?.result === 'pass') {
    return {
      class: 'misconfigured',
      issue: 'spf-not-aligned',
      evidence: `SPF passes for ${f.spf.domain}, which is not aligned with ${f.from} under aspf=${policy.aspf}`,
      fix: `Use a MAIL FROM in ${f.from}${policy.aspf === 's' ? ', or relax the policy to aspf=r' : ''}, and sign with DKIM d=${f.from}.`,
      forwarder: null,
    };
  }
  const broken = f.ownDkim[0];
  if (broken) {
    return {
      class: 'misconfigured',
      issue: 'dkim-failing',
      evidence: `signs as the domain (${sig(broken)}) but the signature fails (${broken.result}) and ${spfText(f)}: the domain's own sender with a broken key, or relayed mail that was altered`,
      fix: `Check the DKIM key at ${broken.selector ?? '<selector>'}._domainkey.${broken.domain} and authorize this host in SPF if it is yours.`,
      forwarder: null,
    };
  }
  const dkim = f.foreignDkimPass[0] ? `DKIM only for ${f.foreignDkimPass[0].domain}` : 'no DKIM signature of the domain';
  return {
    class: 'unauthorized',
    issue: 'spoofed',
    evidence: `neither SPF nor DKIM authenticates ${f.from}: ${spfText(f)}, ${dkim}`,
    fix: `If this is a service you use, authorize it (SPF include and DKIM for ${f.from}); otherwise it is spoofing: ${policyAdvice(policy, f.from)}`,
    forwarder: null,
  };
}

/** What the published policy already does about spoofed mail, for the From domain (sp= for a subdomain). */
function policyAdvice(policy: PolicyPublished, from: string): string {
  const subdomain = from !== policy.domain;
  const tag = subdomain && policy.sp ? 'sp' : 'p';
  const value = (subdomain ? policy.sp ?? policy.p : policy.p) ?? 'none';
  if (value !== 'reject' && value !== 'quarantine') return `move the DMARC policy${tag === 'sp' ? ' for subdomains' : ''} to ${tag}=quarantine, then ${tag}=reject.`;
  if (policy.testing) return `${tag}=${value} is in test mode (t=y), so receivers do not apply it: remove t=y.`;
  if (policy.pct !== null && policy.pct < 100) return `${tag}=${value} covers only pct=${policy.pct}% of such mail: raise pct to 100.`;
  return `${tag}=${value} already asks receivers to ${value} it.`;
}

/** The verdict on one record; `ptrName` is the source's forward-confirmed reverse name, when looked up. */
export function classifyRecord(r: ReportRecord, policy: PolicyPublished, ptrName: string | null = null): RecordVerdict {
  const f = factsOf(r);
  const relay = relayEvidence(r, f, ptrName);
  return r.dkim === 'pass' || r.spf === 'pass' ? passing(r, f, relay) : failing(r, f, policy, relay);
}
