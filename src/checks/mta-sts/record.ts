/**
 * The `_mta-sts.<domain>` TXT record (RFC 8461 §3.1): `v=STSv1; id=<1–32 letters and digits>;`.
 * It only announces that a policy exists and which version; the policy itself is fetched over HTTPS.
 */

export interface StsRecord {
  text: string;
  id: string | null;
  extensions: Record<string, string>;
}

// sts-version = %s"v=STSv1", followed by at least one field (RFC 8461 §3.1 ABNF).
const VERSION_FIRST = /^v=STSv1[ \t]*;/;
const ID = /^[A-Za-z0-9]{1,32}$/;
const EXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const MAX_RECORD = 8192;

/** RFC 8461 §3.1: TXT at the name not starting with `v=STSv1;` are discarded. */
export function isStsRecord(text: string): boolean {
  return VERSION_FIRST.test(text.trim());
}

export function parseStsRecord(text: string): { record: StsRecord; errors: string[] } {
  const errors: string[] = [];
  const record: StsRecord = { text, id: null, extensions: {} };
  if (text.length > MAX_RECORD) return { record, errors: [`record over ${MAX_RECORD} characters`] };
  if (!isStsRecord(text)) errors.push('the record must start with v=STSv1; (version first, then ";")');
  const fields = text.trim().split(';').map((f) => f.trim()).filter((f) => f !== '');
  for (const field of fields) {
    const eq = field.indexOf('=');
    const name = eq > 0 ? field.slice(0, eq) : '';
    const value = field.slice(eq + 1);
    if (name === 'v') continue;
    if (name === 'id') {
      if (record.id !== null) errors.push('id= appears more than once');
      if (!ID.test(value)) errors.push(`id=${value} must be 1 to 32 letters and digits`);
      record.id = value;
    } else if (EXT_NAME.test(name) && !/\s/.test(value)) {
      record.extensions[name] = value;
    } else {
      errors.push(`"${field}" is not a field=value pair (no spaces around "=")`);
    }
  }
  if (record.id === null) errors.push('the required id= field is missing');
  return { record, errors };
}
