// A small strict XML 1.0 parser for the report tests: one root element, matched tags, unique quoted attributes, only
// the predefined and numeric character references, no raw '<' or '&' in text or attributes, no characters XML
// forbids. Throws XmlSyntaxError with the offset on anything else. No DTDs, no namespaces processing.

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The concatenated text directly inside this element (references decoded). */
  readonly text: string;
}

export class XmlSyntaxError extends Error {
  constructor(
    readonly offset: number,
    problem: string,
  ) {
    super(`XML syntax error at offset ${offset}: ${problem}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAME = /[A-Za-z_:][A-Za-z0-9_:.-]*/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

interface Building {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parseDocument(): XmlElement {
    const bad = FORBIDDEN.exec(this.src);
    if (bad) throw new XmlSyntaxError(bad.index, `forbidden character U+${(bad[0].codePointAt(0) ?? 0).toString(16)}`);
    if (this.src.startsWith('<?xml')) this.skipPast('?>');
    this.skipMisc();
    const root = this.element();
    this.skipMisc();
    if (this.pos !== this.src.length) this.fail('content after the root element');
    return root;
  }

  private fail(problem: string): never {
    throw new XmlSyntaxError(this.pos, problem);
  }

  private skipPast(end: string): void {
    const at = this.src.indexOf(end, this.pos);
    if (at < 0) this.fail(`missing ${end}`);
    this.pos = at + end.length;
  }

  private skipSpace(): void {
    while (/\s/.test(this.src[this.pos] ?? '')) this.pos += 1;
  }

  private skipMisc(): void {
    for (;;) {
      this.skipSpace();
      if (this.src.startsWith('<!--', this.pos)) this.skipPast('-->');
      else if (this.src.startsWith('<?', this.pos)) this.skipPast('?>');
      else return;
    }
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.src);
    if (!match) this.fail('expected a name');
    this.pos += match[0].length;
    return match[0];
  }

  private expect(text: string): void {
    if (!this.src.startsWith(text, this.pos)) this.fail(`expected ${JSON.stringify(text)}`);
    this.pos += text.length;
  }

  private decode(raw: string, start: number): string {
    if (raw.includes('<')) throw new XmlSyntaxError(start, "raw '<'");
    return raw.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(';')) throw new XmlSyntaxError(start, `unterminated reference ${whole}`);
      const named = ENTITIES[ref];
      if (named !== undefined) return named;
      const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
      if (!numeric) throw new XmlSyntaxError(start, `unknown reference &${ref};`);
      const code = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number(numeric[2]);
      const char = String.fromCodePoint(code);
      if (FORBIDDEN.test(char) || (code >= 0xd800 && code <= 0xdfff))
        throw new XmlSyntaxError(start, `reference to forbidden character &${ref};`);
      return char;
    });
  }

  private attributes(into: Record<string, string>): void {
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      const next = this.src[this.pos];
      if (next === '>' || next === '/' || next === undefined) return;
      if (this.pos === before) this.fail('expected whitespace before an attribute');
      const name = this.name();
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      const quote = this.src[this.pos];
      if (quote !== '"' && quote !== "'") this.fail('expected a quoted attribute value');
      const end = this.src.indexOf(quote, this.pos + 1);
      if (end < 0) this.fail('unterminated attribute value');
      if (Object.hasOwn(into, name)) this.fail(`duplicate attribute ${name}`);
      into[name] = this.decode(this.src.slice(this.pos + 1, end), this.pos + 1);
      this.pos = end + 1;
    }
  }

  private element(): XmlElement {
    this.expect('<');
    const el: Building = { name: this.name(), attributes: {}, children: [], text: '' };
    this.attributes(el.attributes);
    if (this.src.startsWith('/>', this.pos)) {
      this.pos += 2;
      return el;
    }
    this.expect('>');
    for (;;) {
      const lt = this.src.indexOf('<', this.pos);
      if (lt < 0) this.fail(`unclosed <${el.name}>`);
      el.text += this.decode(this.src.slice(this.pos, lt), this.pos);
      if (this.src.slice(this.pos, lt).includes(']]>')) this.fail("']]>' in text");
      this.pos = lt;
      if (this.src.startsWith('</', this.pos)) {
        this.pos += 2;
        const name = this.name();
        if (name !== el.name) this.fail(`</${name}> closes <${el.name}>`);
        this.skipSpace();
        this.expect('>');
        return el;
      }
      if (this.src.startsWith('<!--', this.pos)) this.skipPast('-->');
      else if (this.src.startsWith('<![CDATA[', this.pos)) {
        const end = this.src.indexOf(']]>', this.pos);
        if (end < 0) this.fail('unterminated CDATA');
        el.text += this.src.slice(this.pos + 9, end);
        this.pos = end + 3;
      } else if (this.src.startsWith('<?', this.pos)) this.skipPast('?>');
      else el.children.push(this.element());
    }
  }
}

export function parseXml(text: string): XmlElement {
  return new Parser(text).parseDocument();
}

/** Child elements named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}
