/**
 * SMTP TLS Reporting records (RFC 8460 §3) at `_smtp._tls.<domain>`: `v=TLSRPTv1; rua=<uri>[,<uri>]`,
 * where each URI is mailto: or https:. Pure parsing; the check looks the record up.
 */

export interface TlsRptUri {
  uri: string;
  scheme: string;
  valid: boolean;
  problem?: string;
}

export interface TlsRptRecord {
  text: string;
  rua: TlsRptUri[];
  /** Extension fields (RFC 8460 §3 tlsrpt-extension), kept as published. */
  extensions: Record<string, string>;
}

export interface ParsedTlsRpt {
  record: TlsRptRecord;
  errors: string[];
}

// tlsrpt-ext-name = 1*32(ALPHA / DIGIT / "_" / "-" / ".") (RFC 8460 §3)
const FIELD_NAME = /^[A-Za-z0-9_.-]{1,32}$/;
const MAX_RECORD = 8192;
const VERSION_FIRST = /^v[ \t]*=[ \t]*TLSRPTv1[ \t]*(?:;|$)/;
const MAILBOX = /^[^@\s,;]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** RFC 8460 §3: only TXT starting with `v=TLSRPTv1` count; others at the name are ignored. */
export function isTlsRptRecord(text: string): boolean {
  return VERSION_FIRST.test(text.trim());
}

export function parseTlsRptRecord(text: string): ParsedTlsRpt {
  const errors: string[] = [];
  if (text.length > MAX_RECORD) return { record: { text, rua: [], extensions: {} }, errors: [`record over ${MAX_RECORD} characters`] };
  if (!isTlsRptRecord(text)) errors.push('the record must start with v=TLSRPTv1');
  const extensions: Record<string, string> = {};
  let ruaValue: string | undefined;
  for (const field of text.split(';').map((f) => f.trim()).filter((f) => f !== '')) {
    const eq = field.indexOf('=');
    const name = eq > 0 ? field.slice(0, eq).trim() : '';
    const value = field.slice(eq + 1).trim();
    if (!FIELD_NAME.test(name)) {
      errors.push(`"${field}" is not a field=value pair`);
      continue;
    }
    if (name === 'v') continue;
    if (name === 'rua') {
      if (ruaValue !== undefined) errors.push('rua= appears more than once');
      ruaValue = value;
    } else {
      extensions[name] = value;
    }
  }
  const rua = (ruaValue ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '').map(parseUri);
  if (ruaValue === undefined) errors.push('the required rua= field (where to send reports) is missing');
  else if (rua.length === 0) errors.push('rua= is empty');
  for (const u of rua) if (!u.valid) errors.push(`rua: "${u.uri}" ${u.problem}`);
  return { record: { text, rua, extensions }, errors };
}

function parseUri(uri: string): TlsRptUri {
  const scheme = uri.match(/^([A-Za-z][A-Za-z0-9+.-]*):/)?.[1]?.toLowerCase() ?? '';
  if (scheme === 'mailto') {
    const address = uri.slice(7).split('?')[0] ?? '';
    return MAILBOX.test(address) ? { uri, scheme, valid: true } : { uri, scheme, valid: false, problem: 'is not a mailto: URI with a valid address' };
  }
  if (scheme === 'https') {
    try {
      new URL(uri);
      return { uri, scheme, valid: true };
    } catch {
      return { uri, scheme, valid: false, problem: 'is not a valid URL' };
    }
  }
  if (!scheme) return { uri, scheme, valid: false, problem: MAILBOX.test(uri) ? `is not a URI (write mailto:${uri})` : 'is not a URI' };
  return { uri, scheme, valid: false, problem: `uses ${scheme}:, but reports go only to mailto: or https: (RFC 8460 §3)` };
}
