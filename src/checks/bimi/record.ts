/**
 * BIMI assertion records (draft-brand-indicators-for-message-identification §4) at
 * `default._bimi.<domain>`: `v=BIMI1` first, `l=` the HTTPS location of an SVG Tiny PS logo,
 * `a=` the HTTPS location of the mark certificate (VMC/CMC, PEM). Empty `l=` and `a=` declines BIMI.
 */
import { parseTagList } from '../dkim/tag-list.ts';

export interface BimiRecord {
  text: string;
  /** Logo URL, or null when `l=` is empty or absent. */
  logo: string | null;
  /** Mark certificate URL, or null. */
  authority: string | null;
  /** `l=` and `a=` both empty: the domain declines to show a logo. */
  declined: boolean;
}

export interface BimiProblem {
  severity: 'info' | 'warn' | 'error';
  message: string;
}

const VERSION_FIRST = /^v[ \t]*=[ \t]*BIMI1[ \t]*(?:;|$)/;

export function isBimiRecord(text: string): boolean {
  return VERSION_FIRST.test(text.trim());
}

export function parseBimiRecord(text: string): { record: BimiRecord; problems: BimiProblem[] } {
  const list = parseTagList(text.trim());
  const problems: BimiProblem[] = list.problems.map((p) => ({ severity: 'error', message: p.message }));
  if (!isBimiRecord(text)) problems.push({ severity: 'error', message: 'the record must start with v=BIMI1' });
  const get = (name: string) => list.tags.find((t) => t.name === name)?.value;
  const l = get('l');
  const a = get('a');
  if (l === undefined) problems.push({ severity: 'error', message: 'the l= tag (logo location) is missing' });
  const logo = l ? httpsUrl('l', l, problems) : null;
  const authority = a ? httpsUrl('a', a, problems) : null;
  if (logo && !/\.svg$/i.test(new URL(logo).pathname)) {
    problems.push({ severity: 'warn', message: `l=${l} does not end in .svg: the logo must be an SVG Tiny PS file` });
  }
  if (authority && !/\.pem$/i.test(new URL(authority).pathname)) {
    problems.push({ severity: 'info', message: `a=${a} does not end in .pem; mark certificates are served as PEM files` });
  }
  return { record: { text, logo, authority, declined: !l && !a }, problems };
}

function httpsUrl(tag: string, value: string, problems: BimiProblem[]): string | null {
  // Older drafts allowed a comma-separated list in l=; receivers today take one URL.
  const first = value.split(',')[0]!.trim();
  if (value.includes(',')) problems.push({ severity: 'warn', message: `${tag}= lists several URLs; receivers use only one` });
  let url: URL;
  try {
    url = new URL(first);
  } catch {
    problems.push({ severity: 'error', message: `${tag}=${first} is not a URL` });
    return null;
  }
  if (url.protocol !== 'https:') {
    problems.push({ severity: 'error', message: `${tag}=${first} must be an https: URL` });
    return null;
  }
  return url.href;
}
