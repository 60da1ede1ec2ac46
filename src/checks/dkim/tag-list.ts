/**
 * The DKIM tag-list syntax (RFC 6376 §3.2): `tag=value` pairs separated by `;`, whitespace
 * allowed around both, a trailing `;` allowed. DMARC (RFC 7489 §6.3) and BIMI reuse it, so
 * their parsers import it from here rather than each writing a slightly different splitter.
 */

export interface Tag {
  /** The tag name as written (tag names are case-sensitive in RFC 6376). */
  name: string;
  /** The value with surrounding whitespace removed; inner folding whitespace kept. */
  value: string;
  /** 0-based index of the tag in the list, for messages ("tag 3"). */
  index: number;
}

export interface TagListProblem {
  message: string;
  /** The tag index the problem is about, or null for the list as a whole. */
  index: number | null;
}

export interface TagList {
  tags: Tag[];
  problems: TagListProblem[];
}

/** The longest TXT value we parse: keys and policies are a few hundred bytes; 8 KB is generous. */
export const MAX_TAG_LIST_LENGTH = 8192;

// tag-name = ALPHA *ALNUMPUNC, where ALNUMPUNC is ALPHA / DIGIT / "_" (RFC 6376 §3.2)
const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Splits a tag-list. A syntax error in one tag is reported and that tag skipped, never thrown. */
export function parseTagList(text: string): TagList {
  const problems: TagListProblem[] = [];
  if (text.length > MAX_TAG_LIST_LENGTH) {
    return { tags: [], problems: [{ message: `record is ${text.length} characters long, over the ${MAX_TAG_LIST_LENGTH} we parse`, index: null }] };
  }
  const tags: Tag[] = [];
  const seen = new Set<string>();
  const parts = text.split(';');
  parts.forEach((raw, index) => {
    const part = raw.trim();
    if (part === '') {
      // Only the last part may be empty (the trailing ";" RFC 6376 allows); an empty part in the middle is ";;".
      if (index < parts.length - 1 && index > 0) problems.push({ message: `empty tag between two ";" (tag ${index + 1})`, index });
      return;
    }
    const eq = part.indexOf('=');
    if (eq < 0) {
      problems.push({ message: `"${part}" is not a tag=value pair`, index });
      return;
    }
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!TAG_NAME.test(name)) {
      problems.push({ message: `"${name}" is not a valid tag name`, index });
      return;
    }
    if (seen.has(name)) {
      // RFC 6376 §3.2: a tag appearing twice makes the whole tag-list invalid.
      problems.push({ message: `tag "${name}" appears more than once`, index });
      return;
    }
    seen.add(name);
    tags.push({ name, value, index });
  });
  return { tags, problems };
}

/** The value of a tag, or undefined. */
export function tagValue(list: TagList, name: string): string | undefined {
  return list.tags.find((t) => t.name === name)?.value;
}

/** Joins the strings of one TXT record. RFC 6376 §3.6.2.2 and RFC 7208 §3.3: no separator. */
export function joinTxt(strings: readonly string[]): string {
  return strings.join('');
}
