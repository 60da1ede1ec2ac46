/**
 * The shapes `analyzeMessage` returns. Everything is plain serializable data (no class instances),
 * so the diagnosis engine, the JSON renderer and a worker queue can all pass it around unchanged.
 */

/** What kind of message this is, decided from its structure and wording. */
export type MessageKind =
  | 'bounce'            // a non-delivery report (DSN or an MTA's own text)
  | 'delay'             // a DSN that only reports a delay (Action: delayed); delivery still being tried
  | 'delivered'         // a success DSN (Action: delivered/relayed/expanded)
  | 'feedback-report'   // RFC 5965 ARF abuse/complaint report
  | 'auto-reply'        // RFC 3834 auto-response (vacation, out of office)
  | 'message'           // an ordinary message
  | 'headers';          // only a header block was given (pasted headers, no body)

export interface BlocklistMention {
  /** Display name of the list, e.g. "Spamhaus ZEN". */
  name: string;
  /** Our id for the list (matches the DNSBL catalog where one exists), e.g. "spamhaus-zen". */
  id: string;
  /** DNS zone named in the text, when one was. */
  zone: string | null;
  /** The address (or domain) the text says is listed, when it says one. */
  listed: string | null;
  /** Where a person checks or requests removal. */
  lookupUrl: string | null;
}

export interface BounceRecipient {
  address: string;
  /** Original-Recipient when the DSN gives one different from the final address. */
  originalAddress: string | null;
  /** RFC 3464 Action (failed, delayed, delivered, relayed, expanded), or inferred from the text. */
  action: string | null;
  /** Enhanced status code (RFC 3463), e.g. "5.1.1"; null when the message carries none. */
  status: string | null;
  statusMeaning: string | null;
  /** Three-digit SMTP reply code from the diagnostic, e.g. "550". */
  replyCode: string | null;
  /** The receiving server's own words. */
  diagnostic: string | null;
  /** The SMTP command the refusal answered (RCPT, DATA, MAIL, …) when the report says so. */
  command: string | null;
  /** Bounce reason in Sisimai's vocabulary (userunknown, blocked, mailboxfull, …). */
  reason: string;
  /** Why this reason: which rule decided. */
  reasonSource: 'text' | 'status' | 'reply-code' | 'context' | 'mta' | 'default';
  /** A permanent failure the sender should not retry; onhold/undefined are soft by rule. */
  hard: boolean;
  remoteMta: string | null;
  blocklists: BlocklistMention[];
}

export interface Bounce {
  /** `dsn` when an RFC 3464 report was read, `text` when the MTA's own wording was. */
  format: 'dsn' | 'text';
  /** The first recipient's reason (the common case is a single recipient). */
  reason: string;
  hard: boolean;
  reportingMta: string | null;
  arrivalDate: string | null;
  recipients: BounceRecipient[];
}

export interface FeedbackReport {
  feedbackType: string;
  userAgent: string | null;
  sourceIp: string | null;
  originalMailFrom: string | null;
  originalRcptTo: string[];
  reportedDomain: string[];
  arrivalDate: string | null;
}

export interface Hop {
  /** 1 = the oldest hop (closest to the sender), in travel order. */
  index: number;
  from: string | null;
  /** The name the sending host gave in HELO/EHLO, when it differs from the resolved name. */
  helo: string | null;
  /** The reverse-DNS name the receiver recorded for the connecting address. */
  fromRdns: string | null;
  fromIp: string | null;
  by: string | null;
  with: string | null;
  id: string | null;
  for: string | null;
  /** Timestamp normalised to UTC (ISO 8601), or null when missing or unreadable. */
  date: string | null;
  /** Seconds since the previous hop; negative when the clocks disagree. */
  delaySeconds: number | null;
  /** True when this hop claims to be earlier than the previous one (clock skew). */
  skew: boolean;
  /** True for a hop that only records a local hand-off (`with local`, `from userid`, qmail `invoked by uid`). */
  local: boolean;
  raw: string;
}

export interface Origin {
  ip: string | null;
  host: string | null;
  kind: 'local-submission' | 'smtp';
  reasoning: string[];
}

export interface AuthResultEntry {
  method: string;
  result: string;
  reason: string | null;
  properties: Record<string, string>;
}

export interface AuthResults {
  authservId: string;
  version: string | null;
  results: AuthResultEntry[];
}

export interface ReceivedSpf {
  result: string;
  comment: string | null;
  properties: Record<string, string>;
}

export interface DkimSignature {
  d: string | null;
  s: string | null;
  a: string | null;
  bh: string | null;
  h: string[];
  i: string | null;
  /** Filled in when the signature was re-verified against DNS. */
  verification: { result: string; comment: string | null } | null;
}

export interface MicrosoftHeaders {
  /** Decoded X-Forefront-Antispam-Report fields (CIP, SFV, SCL, CTRY, PTR, IPV, SRV, …) with meanings. */
  antispam: Record<string, { value: string; meaning: string | null }> | null;
  /** The connecting IP Exchange Online recorded (CIP), the most trustworthy origin in a 365-hosted chain. */
  connectingIp: string | null;
  /** X-MS-Exchange-Organization-* headers, name without the prefix → value. */
  organization: Record<string, string>;
  originatingIp: string | null;
}

export interface MessageAnalysis {
  kind: MessageKind;
  subject: string | null;
  from: string | null;
  to: string | null;
  messageId: string | null;
  date: string | null;
  bounce: Bounce | null;
  feedback: FeedbackReport | null;
  hops: Hop[];
  origin: Origin | null;
  authResults: AuthResults[];
  receivedSpf: ReceivedSpf[];
  dkimSignatures: DkimSignature[];
  /** DKIM selectors seen in signatures (`{ domain, selector }`), for DKIM discovery. */
  dkimSelectors: { domain: string; selector: string }[];
  microsoft: MicrosoftHeaders | null;
  /** Headers that mark a message submitted by a script on a web host (X-PHP-Originating-Script, X-Mailer: PHPMailer …). */
  submission: { header: string; value: string }[];
  /** The message a bounce returned, analysed the same way (no deeper nesting). */
  original?: MessageAnalysis | null;
  /** What could not be read, in words. Never empty-handed: an unreadable part is reported here, not thrown. */
  problems: string[];
}
