/**
 * The XML that aggregate reports are written in, read without a dependency: elements, attributes,
 * text, CDATA, comments, processing instructions, namespaces and the predefined and numeric
 * character references. Reports never need a DTD, so a document type with an internal subset is
 * refused rather than expanded: entity declarations are how "billion laughs" and external-entity
 * attacks get in. Errors carry the line and column where the document stopped making sense.
 */

export interface XmlElement {
  /** Local name, without its prefix. */
  name: string;
  /** Namespace URI in scope for the element, or null when none. */
  ns: string | null;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own character data (text and CDATA), not its descendants'. */
  text: string;
}

export interface XmlOptions {
  /** Deepest element nesting accepted (reports need 6; default 64). */
  maxDepth?: number;
  /** Most elements accepted in one document (default 5,000,000). */
  maxElements?: number;
  /**
   * Called as each element closes, with its depth (the root is 0). Returning true drops the
   * element from its parent, so a reader can consume records as they come and the whole tree of
   * a large report is never held at once.
   */
  onClose?: (element: XmlElement, depth: number, parent: XmlElement | null) => boolean;
}

export interface XmlDocument {
  root: XmlElement;
  /**
   * What was not XML but was kept as written rather than failing the report: entities that are not
   * XML's own (`&nbsp;`) and bare ampersands (`AT&T`), both seen in reporters' organization names.
   */
  quirks: string[];
}

export class XmlError extends Error {
  constructor(message: string, text: string, offset: number) {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    super(`malformed XML at line ${line}, column ${column}: ${message}`);
    this.name = 'XmlError';
  }
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const WHITESPACE_ONLY = /^\s*$/;
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** XML white space (§2.3 S): space, tab, CR, LF. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** A name ends at white space, "/", ">" or "=". */
function isNameEnd(c: number): boolean {
  return isSpace(c) || c === 0x2f || c === 0x3e || c === 0x3d;
}

interface OpenElement {
  element: XmlElement;
  qname: string;
  /** Prefix → URI declared on this element ('' is the default namespace). */
  scope: Map<string, string>;
  prefix: string;
}

/** Parses a whole document; throws XmlError on anything that is not well-formed. */
export function parseXml(text: string, options: XmlOptions = {}): XmlDocument {
  return new Parser(text, options).document();
}

class Parser {
  private pos = 0;
  private elements = 0;
  private readonly stack: OpenElement[] = [];
  private readonly unknown = new Set<string>();
  private readonly text: string;
  private readonly maxDepth: number;
  private readonly maxElements: number;
  private readonly onClose: XmlOptions['onClose'];

  constructor(text: string, options: XmlOptions) {
    this.text = text;
    this.maxDepth = options.maxDepth ?? 64;
    this.maxElements = options.maxElements ?? 5_000_000;
    this.onClose = options.onClose;
  }

  document(): XmlDocument {
    let root: XmlElement | null = null;
    const t = this.text;
    while (this.pos < t.length) {
      const lt = t.indexOf('<', this.pos);
      const chunk = lt < 0 ? t.slice(this.pos) : t.slice(this.pos, lt);
      if (this.stack.length) {
        // White space between elements is layout, not content: keeping it would cost a string per element.
        if (!WHITESPACE_ONLY.test(chunk)) this.top().element.text += this.decode(chunk, this.pos);
      } else if (chunk.replace(/\0/g, '').trim()) {
        // Trailing NUL padding is tolerated above; any other text outside the root is not XML.
        throw this.error(root ? 'text after the end of the document' : 'text before the first element', this.pos);
      }
      if (lt < 0) break;
      this.pos = lt;
      if (t.startsWith('<!--', lt)) this.skipPast('-->', 'unterminated comment');
      else if (t.startsWith('<![CDATA[', lt)) this.cdata();
      else if (t.startsWith('<?', lt)) this.skipPast('?>', 'unterminated processing instruction');
      else if (t.startsWith('<!DOCTYPE', lt) || t.startsWith('<!doctype', lt)) this.doctype(root !== null);
      else if (t.startsWith('</', lt)) this.endTag();
      else {
        if (!this.stack.length && root) throw this.error('a second root element', lt);
        const opened = this.startTag();
        if (!root && this.stack.length <= 1) root = opened;
      }
    }
    if (this.stack.length) throw this.error(`<${this.top().qname}> is never closed`, t.length);
    if (!root) throw this.error('no element at all', 0);
    return { root, quirks: [...this.unknown] };
  }

  private top(): OpenElement {
    return this.stack[this.stack.length - 1]!;
  }

  private error(message: string, offset: number): XmlError {
    return new XmlError(message, this.text, offset);
  }

  private skipPast(end: string, message: string): void {
    const at = this.text.indexOf(end, this.pos);
    if (at < 0) throw this.error(message, this.pos);
    this.pos = at + end.length;
  }

  private cdata(): void {
    if (!this.stack.length) throw this.error('CDATA outside the root element', this.pos);
    const start = this.pos + '<![CDATA['.length;
    const end = this.text.indexOf(']]>', start);
    if (end < 0) throw this.error('unterminated CDATA section', this.pos);
    this.top().element.text += this.text.slice(start, end);
    this.pos = end + 3;
  }

  private doctype(afterRoot: boolean): void {
    if (afterRoot || this.stack.length) throw this.error('a document type declaration inside the document', this.pos);
    const close = this.text.indexOf('>', this.pos);
    const bracket = this.text.indexOf('[', this.pos);
    // An internal subset may declare entities; expanding them is how entity bombs work.
    if (bracket >= 0 && (close < 0 || bracket < close)) throw this.error('a document type with an internal subset (entity declarations are not accepted)', this.pos);
    if (close < 0) throw this.error('unterminated document type declaration', this.pos);
    this.pos = close + 1;
  }

  private readName(): string {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length && !isNameEnd(t.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) throw this.error('a tag without a name', start);
    return t.slice(start, this.pos);
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length && isSpace(t.charCodeAt(this.pos))) this.pos++;
  }

  private startTag(): XmlElement {
    const tagStart = this.pos;
    this.pos++;
    const qname = this.readName();
    const raw = this.attributes(tagStart);
    const t = this.text;
    const selfClosing = t.startsWith('/>', this.pos);
    if (!selfClosing && t[this.pos] !== '>') throw this.error(`<${qname}> is not closed by ">"`, this.pos);
    this.pos += selfClosing ? 2 : 1;
    if (++this.elements > this.maxElements) throw this.error(`more than ${this.maxElements} elements`, tagStart);
    if (this.stack.length >= this.maxDepth) throw this.error(`elements nested deeper than ${this.maxDepth}`, tagStart);

    const scope = new Map<string, string>();
    const attrs: Record<string, string> = {};
    for (const [name, value] of raw) {
      if (name === 'xmlns') scope.set('', value);
      else if (name.startsWith('xmlns:')) scope.set(name.slice(6), value);
      else attrs[name.includes(':') ? name.slice(name.indexOf(':') + 1) : name] = value;
    }
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const element: XmlElement = { name: colon < 0 ? qname : qname.slice(colon + 1), ns: null, attrs, children: [], text: '' };
    const open: OpenElement = { element, qname, scope, prefix };
    this.stack.push(open);
    element.ns = this.resolve(prefix);
    if (this.stack.length > 1) this.stack[this.stack.length - 2]!.element.children.push(element);
    if (selfClosing) this.close();
    return element;
  }

  /** Pops the innermost element and lets the consumer take it. */
  private close(): OpenElement {
    const open = this.stack.pop()!;
    const parent = this.stack.length ? this.top().element : null;
    if (this.onClose?.(open.element, this.stack.length, parent) && parent) parent.children.pop();
    return open;
  }

  /** Namespace of a prefix, innermost declaration first; an undeclared prefix resolves to null. */
  private resolve(prefix: string): string | null {
    if (prefix === 'xml') return XML_NS;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const uri = this.stack[i]!.scope.get(prefix);
      if (uri !== undefined) return uri || null;
    }
    return null;
  }

  private attributes(tagStart: number): [string, string][] {
    const t = this.text;
    const out: [string, string][] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= t.length) throw this.error('unterminated tag', tagStart);
      if (t[this.pos] === '>' || t.startsWith('/>', this.pos)) return out;
      const name = this.readName();
      this.skipSpace();
      if (t[this.pos] !== '=') throw this.error(`attribute "${name}" without a value`, this.pos);
      this.pos++;
      this.skipSpace();
      const quote = t[this.pos];
      if (quote !== '"' && quote !== "'") throw this.error(`attribute "${name}" value not quoted`, this.pos);
      const end = t.indexOf(quote, this.pos + 1);
      if (end < 0) throw this.error(`unterminated value of attribute "${name}"`, this.pos);
      const value = t.slice(this.pos + 1, end);
      if (value.includes('<')) throw this.error(`"<" inside the value of attribute "${name}"`, this.pos);
      out.push([name, this.decode(value, this.pos + 1)]);
      this.pos = end + 1;
    }
  }

  private endTag(): void {
    const at = this.pos;
    this.pos += 2;
    const qname = this.readName();
    this.skipSpace();
    if (this.text[this.pos] !== '>') throw this.error(`</${qname}> is not closed by ">"`, this.pos);
    this.pos++;
    if (!this.stack.length) throw this.error(`</${qname}> without a matching start tag`, at);
    if (this.top().qname !== qname) throw this.error(`expected </${this.top().qname}>, found </${qname}>`, at);
    this.close();
  }

  /** Character references and the five predefined entities; anything else stays as written. */
  private decode(chunk: string, offset: number): string {
    if (!chunk.includes('&')) return chunk;
    return chunk.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z_][\w.-]{0,31})?(;?)/g, (whole, body: string | undefined, semi: string, index: number) => {
      if (!body || !semi) {
        this.unknown.add('a bare "&" (should be written &amp;)');
        return whole;
      }
      if (body[0] === '#') {
        const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : Number(body.slice(1));
        if (code <= 0 || code > 0x10ffff) throw this.error(`invalid character reference ${whole}`, offset + index);
        return String.fromCodePoint(code);
      }
      const known = PREDEFINED[body];
      if (known !== undefined) return known;
      this.unknown.add(`the entity ${whole}, which XML does not define`);
      return whole;
    });
  }
}

/** The first child with that local name, in any namespace. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.name === name) : [];
}
