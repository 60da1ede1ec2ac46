/**
 * Who wrote the bounce and whose reply it carries, from `data/bounce-mtas.json`: the MTA or
 * appliance that generated it (recognised by its headers, DSN extension fields and fixed
 * wording), the local delivery agent that failed (procmail, maildrop…), and the receiving service
 * whose replies follow its own documented codes (Orange's OFR_nnn, au's '550 : User unknown').
 * Their verdicts are explicit: they say what the software itself meant, which generic wording
 * cannot (a filtering appliance and a mailbox server use the same words for different things).
 */
import catalog from '../../../data/bounce-mtas.json' with { type: 'json' };
import { type HeaderField, headerValue, headerValues, decodeHeaderText } from '../header.ts';
import type { DsnFields } from '../dsn.ts';

import { compileRules, firstRuleMatch as firstMatch, type CompiledRule as Rule } from './reason.ts';

interface RuleData { reason: string; phrases?: string[]; regex?: string[] }

interface SoftwareData {
  id: string;
  name: string;
  minSigns?: number;
  signs: { from?: string; subject?: string; received?: string; messageId?: string; headers?: Record<string, string>; dsnFields?: string[] };
  dsnReasonField?: { field: string; values: Record<string, string> };
  headerReasons?: { header: string; regex: string; reason: string }[];
  codes?: { regex: string; values: Record<string, string> };
  reasons?: RuleData[];
}

export interface Software {
  id: string;
  name: string;
  minSigns: number;
  signs: { from: RegExp | null; subject: RegExp | null; received: RegExp | null; messageId: RegExp | null; headers: [string, RegExp][]; dsnFields: string[] };
  dsnReasonField: { field: string; values: Record<string, string> } | null;
  headerReasons: { header: string; regex: RegExp; reason: string }[];
  codes: Codes | null;
  reasons: Rule[];
}

/** A code the software or service writes into its reply (a state number, an error label) and what each value means. */
interface Codes { regex: RegExp; values: Record<string, string> }

function codeReason(codes: Codes | null, text: string): string | null {
  if (!codes || !text) return null;
  let found: string | null = null;
  // The code closes the reply: the last one is the verdict.
  for (const m of text.matchAll(codes.regex)) found = codes.values[m[1]!] ?? found;
  return found;
}

const re = (s: string | undefined) => (s ? new RegExp(s, 'i') : null);

const software: Software[] = (catalog.software as SoftwareData[]).map((s) => ({
  id: s.id,
  name: s.name,
  minSigns: s.minSigns ?? 1,
  signs: {
    from: re(s.signs.from), subject: re(s.signs.subject), received: re(s.signs.received), messageId: re(s.signs.messageId),
    headers: Object.entries(s.signs.headers ?? {}).map(([k, v]) => [k.toLowerCase(), new RegExp(v, 'i')]),
    dsnFields: (s.signs.dsnFields ?? []).map((f) => f.toLowerCase()),
  },
  dsnReasonField: s.dsnReasonField ? { field: s.dsnReasonField.field.toLowerCase(), values: s.dsnReasonField.values } : null,
  headerReasons: (s.headerReasons ?? []).map((h) => ({ header: h.header.toLowerCase(), regex: new RegExp(h.regex, 'i'), reason: h.reason })),
  codes: s.codes ? { regex: new RegExp(s.codes.regex, 'gi'), values: s.codes.values } : null,
  reasons: compileRules(s.reasons),
}));

/** What identifies the bounce's writer: its header fields and the DSN field names it used. */
export interface WriterEvidence {
  headers: HeaderField[];
  dsnFieldNames: Set<string>;
}

function signCount(s: Software, e: WriterEvidence): number {
  const one = (rx: RegExp | null, value: string | null) => (rx && value !== null && rx.test(value) ? 1 : 0);
  let n = one(s.signs.from, headerValue(e.headers, 'from'));
  n += one(s.signs.subject, decodeHeaderText(headerValue(e.headers, 'subject') ?? '').trim());
  n += one(s.signs.messageId, headerValue(e.headers, 'message-id'));
  if (s.signs.received && headerValues(e.headers, 'received').some((v) => s.signs.received!.test(v))) n++;
  for (const [name, rx] of s.signs.headers) if (headerValues(e.headers, name).some((v) => rx.test(v))) n++;
  if (s.signs.dsnFields.some((f) => e.dsnFieldNames.has(f))) n++;
  return n;
}

/** The MTA or appliance that wrote the bounce, when its fingerprint is in the catalog. */
export function identifySoftware(e: WriterEvidence): Software | null {
  return software.find((s) => signCount(s, e) >= s.minSigns) ?? null;
}

/**
 * The writer's own verdict for one recipient: a header it sets on filtered mail, its per-recipient
 * classification field, or its fixed wording in the report.
 */
export function softwareReason(s: Software, headers: HeaderField[], fields: DsnFields | null, words: string, report: string): { reason: string; retryable: boolean } | null {
  for (const h of s.headerReasons) {
    if (headerValues(headers, h.header).some((v) => h.regex.test(v))) return { reason: h.reason, retryable: false };
  }
  // The recipient's own words first; the report as a whole only speaks for a single recipient.
  const own = firstMatch(s.reasons, words) ?? firstMatch(s.reasons, report);
  if (own) return { reason: own, retryable: false };
  const value = s.dsnReasonField ? fields?.[s.dsnReasonField.field]?.trim().toLowerCase() : undefined;
  const classified = (value ? s.dsnReasonField!.values[value] : undefined) ?? codeReason(s.codes, words || report);
  // A coarse class ("bad-mailbox") still gives way to a more precise cause in the words.
  return classified ? { reason: classified, retryable: true } : null;
}

interface AgentData { id: string; markers: string[]; reasons?: RuleData[] }
const agents = (catalog.localDeliveryAgents.agents as AgentData[]).map((a) => ({ id: a.id, markers: a.markers.map((m) => m.toLowerCase()), reasons: compileRules(a.reasons) }));

/** A local delivery agent's failure named in the diagnostic: its own reason, else mailererror. */
export function localAgentReason(diagnostic: string | null, command: string | null): string | null {
  if (!diagnostic || (command && command !== 'DATA')) return null;
  const lower = diagnostic.toLowerCase();
  const agent = agents.find((a) => a.markers.some((m) => lower.includes(m)));
  if (!agent) return null;
  return firstMatch(agent.reasons, diagnostic) ?? 'mailererror';
}

interface ProviderData {
  id: string; name: string; domains?: string[]; hosts?: string[];
  statusReasons?: Record<string, string>;
  codes?: { regex: string; values: Record<string, string> };
  reasons?: RuleData[];
}

interface Provider {
  id: string; name: string; domains: string[]; hosts: string[];
  statusReasons: Record<string, string>;
  codes: Codes | null;
  reasons: Rule[];
}

const providers: Provider[] = (catalog.providers as ProviderData[]).map((p) => ({
  id: p.id, name: p.name,
  domains: (p.domains ?? []).map((d) => d.toLowerCase()),
  hosts: (p.hosts ?? []).map((h) => h.toLowerCase()),
  statusReasons: p.statusReasons ?? {},
  codes: p.codes ? { regex: new RegExp(p.codes.regex, 'gi'), values: p.codes.values } : null,
  reasons: compileRules(p.reasons),
}));

const HOSTNAME = /\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+\b/gi;

function hostMatches(host: string, suffix: string): boolean {
  return suffix.startsWith('.') ? host.endsWith(suffix) : host === suffix || host.endsWith('.' + suffix);
}

/** Where the reply came from: the recipient's domain, the remote MTA, the reporting MTA, host names in the reply. */
export interface ReplyOrigin {
  recipient: string;
  remoteMta: string | null;
  reportingMta: string | null;
  diagnostic: string | null;
}

function providerFor(o: ReplyOrigin): Provider | null {
  const domain = o.recipient.split('@')[1]?.toLowerCase() ?? '';
  const byDomain = providers.find((p) => p.domains.some((d) => domain === d || domain.endsWith('.' + d)));
  if (byDomain) return byDomain;
  const hosts = [o.remoteMta, o.reportingMta, ...(o.diagnostic?.match(HOSTNAME) ?? [])].filter((h): h is string => !!h).map((h) => h.toLowerCase());
  return providers.find((p) => p.hosts.some((s) => hosts.some((h) => hostMatches(h, s)))) ?? null;
}

/** The receiving service's documented meaning of its reply, when the reply comes from one we know. */
export function providerReason(o: ReplyOrigin, status: string | null): string | null {
  const p = providerFor(o);
  if (!p || !o.diagnostic) return null;
  const byStatus = status ? p.statusReasons[status] : undefined;
  return codeReason(p.codes, o.diagnostic) ?? byStatus ?? firstMatch(p.reasons, o.diagnostic);
}
