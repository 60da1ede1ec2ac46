/**
 * Amazon SES event notifications (delivered by SNS as a mail whose body is JSON): bounce,
 * complaint and delivery events. They carry the same facts as a DSN — recipient, action, status,
 * diagnostic, reporting MTA — in JSON fields instead of RFC 3464 fields.
 */

export interface SesRecipient { address: string; action: string | null; status: string | null; diagnostic: string | null }
export interface SesEvent {
  type: 'bounce' | 'complaint' | 'delivery';
  reportingMta: string | null;
  remoteMta: string | null;
  recipients: SesRecipient[];
  feedbackType: string | null;
}

type Json = Record<string, unknown>;

function jsonObjects(text: string): Json[] {
  const out: Json[] = [];
  const start = text.indexOf('{');
  // The SES event may sit inside an SNS envelope as an escaped JSON string (\"notificationType\":).
  if (start < 0 || !/\\?"(notificationType|eventType)\\?"\s*:/.test(text)) return out;
  const end = text.lastIndexOf('}');
  try {
    // Mail transport wraps long lines, even inside JSON strings (a line break, sometimes a space): not data.
    const value = JSON.parse(text.slice(start, end + 1).replace(/\n ?/g, '')) as Json;
    out.push(value);
    // An SNS envelope carries the SES event as a JSON string in "Message".
    if (typeof value.Message === 'string') out.push(JSON.parse(value.Message) as Json);
  } catch {
    // Not JSON after all (or cut short): the text readers handle it.
  }
  return out;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export function readSesEvent(text: string): SesEvent | null {
  for (const obj of jsonObjects(text).reverse()) {
    const kind = (str(obj.notificationType) ?? str(obj.eventType))?.toLowerCase();
    if (kind === 'bounce' && obj.bounce) {
      const b = obj.bounce as Json;
      const list = (b.bouncedRecipients as Json[] | undefined) ?? [];
      return {
        type: 'bounce', reportingMta: str(b.reportingMTA)?.replace(/^dns;\s*/, '') ?? null, remoteMta: str(b.remoteMtaIp), feedbackType: null,
        recipients: list.map((r) => ({ address: String(r.emailAddress ?? '').toLowerCase(), action: str(r.action), status: str(r.status), diagnostic: str(r.diagnosticCode)?.replace(/^smtp;\s*/i, '') ?? null })),
      };
    }
    if (kind === 'complaint' && obj.complaint) {
      const c = obj.complaint as Json;
      const list = (c.complainedRecipients as Json[] | undefined) ?? [];
      return { type: 'complaint', reportingMta: null, remoteMta: null, feedbackType: str(c.complaintFeedbackType) ?? 'abuse', recipients: list.map((r) => ({ address: String(r.emailAddress ?? '').toLowerCase(), action: null, status: null, diagnostic: null })) };
    }
    if (kind === 'delivery' && obj.delivery) {
      const d = obj.delivery as Json;
      const list = (d.recipients as string[] | undefined) ?? [];
      return { type: 'delivery', reportingMta: str(d.reportingMTA), remoteMta: str(d.remoteMtaIp), feedbackType: null, recipients: list.map((a) => ({ address: a.toLowerCase(), action: 'delivered', status: null, diagnostic: str(d.smtpResponse) })) };
    }
  }
  return null;
}
