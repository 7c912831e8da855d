// Command templates: `ssh {node.address} sudo systemctl stop rke2-server`. A template is split into argv words ONCE,
// when the file is read (shell-like quoting, no expansion of any kind), and placeholders are substituted inside
// words afterwards, so a substituted value can never add, split or quote a word. Values are checked too: ssh joins
// its remote arguments into a shell line, so a value with spaces, quotes or a leading "-" is refused.

export const PLACEHOLDER_SUBJECTS = ['node', 'peer', 'fault'] as const;
export const PLACEHOLDER_FIELDS = ['name', 'address', 'bmc'] as const;
export type PlaceholderSubject = (typeof PLACEHOLDER_SUBJECTS)[number];
export type PlaceholderField = (typeof PLACEHOLDER_FIELDS)[number];

/**
 * {fault.ports}: the ports a cut (isolate, partition, drop) is limited to, as `2380/tcp,2379/tcp`, or `all` when it
 * is not limited (lib/faults/ports.ts). A cut limited to ports runs only through a command that takes them.
 */
export const PORTS_PLACEHOLDER = { subject: 'fault', field: 'ports' } as const;

export type TemplatePart =
  | { readonly text: string }
  | { readonly subject: Exclude<PlaceholderSubject, 'fault'>; readonly field: PlaceholderField }
  | typeof PORTS_PLACEHOLDER;

/** One argv word: literal text and placeholders, concatenated. */
export type TemplateWord = readonly TemplatePart[];

export interface CommandTemplate {
  /** As written in the file. */
  readonly source: string;
  readonly words: readonly TemplateWord[];
}

/** The facts a placeholder can name. Absent facts make substitution fail, naming the node and the field. */
export interface PlaceholderNode {
  readonly name: string;
  readonly address?: string | undefined;
  readonly bmc?: string | undefined;
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const PLACEHOLDER = /\{([A-Za-z]+)\.([A-Za-z]+)\}/g;

/** Splits a command line into words: spaces separate; '…' is literal; "…" allows \" and \\; \x outside quotes is x. */
export function splitWords(source: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else if (ch === "'") {
      const end = source.indexOf("'", i + 1);
      if (end < 0) throw new TemplateError(`unterminated ' quote in: ${source}`);
      current += source.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < source.length && source[j] !== '"'; j++) {
        if (source[j] === '\\' && (source[j + 1] === '"' || source[j + 1] === '\\')) j++;
        current += source[j];
      }
      if (j >= source.length) throw new TemplateError(`unterminated " quote in: ${source}`);
      inWord = true;
      i = j;
    } else if (ch === '\\') {
      if (i + 1 >= source.length) throw new TemplateError(`trailing backslash in: ${source}`);
      current += source[++i];
      inWord = true;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function parseWord(word: string, allowed: readonly PlaceholderSubject[]): TemplateWord {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of word.matchAll(PLACEHOLDER)) {
    const [whole, subject = '', field = ''] = match;
    if (!(PLACEHOLDER_SUBJECTS as readonly string[]).includes(subject)) continue;
    let part: TemplatePart;
    if (subject === 'fault') {
      if (field !== PORTS_PLACEHOLDER.field) throw new TemplateError(`unknown placeholder ${whole}: expected {fault.ports}`);
      if (!allowed.includes('fault'))
        throw new TemplateError(`placeholder ${whole} is only available in isolate, partition and drop commands`);
      part = PORTS_PLACEHOLDER;
    } else {
      if (!(PLACEHOLDER_FIELDS as readonly string[]).includes(field)) {
        throw new TemplateError(`unknown placeholder ${whole}: expected ${PLACEHOLDER_FIELDS.map((f) => `{${subject}.${f}}`).join(', ')}`);
      }
      if (!allowed.includes(subject as PlaceholderSubject)) {
        throw new TemplateError(`placeholder ${whole} is only available in partition and drop commands (the node at the other end)`);
      }
      part = { subject: subject as 'node' | 'peer', field: field as PlaceholderField };
    }
    if (match.index > last) parts.push({ text: word.slice(last, match.index) });
    parts.push(part);
    last = match.index + whole.length;
  }
  if (last < word.length) parts.push({ text: word.slice(last) });
  return parts;
}

/**
 * Parses a template; `peer` placeholders are allowed only where a fault has two ends (partition, drop), {fault.ports}
 * only in the commands of cuts (isolate, partition, drop).
 */
export function parseTemplate(source: string, options: { readonly peer: boolean; readonly ports?: boolean }): CommandTemplate {
  const words = splitWords(source);
  if (words.length === 0) throw new TemplateError('empty command');
  const allowed: PlaceholderSubject[] = [
    ...(options.peer ? (['node', 'peer'] as const) : (['node'] as const)),
    ...(options.ports ? (['fault'] as const) : []),
  ];
  const parsed = words.map((word) => parseWord(word, allowed));
  if ((parsed[0] ?? []).some((part) => 'subject' in part)) {
    throw new TemplateError(`the program (first word) must be literal, found ${words[0] ?? ''}`);
  }
  return { source, words: parsed };
}

/** Whether the template takes {fault.ports} (a cut limited to ports can run through it). */
export function takesPorts(template: CommandTemplate): boolean {
  return template.words.some((word) => word.some((part) => 'subject' in part && part.subject === 'fault'));
}

/** Node placeholders a template uses, as `node.bmc`, for checking facts before a run. */
export function placeholdersOf(template: CommandTemplate): { subject: 'node' | 'peer'; field: PlaceholderField }[] {
  const seen = new Map<string, { subject: 'node' | 'peer'; field: PlaceholderField }>();
  for (const word of template.words) {
    for (const part of word) {
      if (!('subject' in part) || part.subject === 'fault') continue;
      seen.set(`${part.subject}.${part.field}`, { subject: part.subject, field: part.field });
    }
  }
  return [...seen.values()];
}

/** What a substituted value may contain: host names, IPv4/IPv6 addresses (also [..] and %zone), user@host. */
const SAFE_VALUE = /^[A-Za-z0-9[][A-Za-z0-9._:%@/,[\]-]*$/;

export function isSafeValue(value: string): boolean {
  return SAFE_VALUE.test(value);
}

/** What a template is rendered with: the node, the other end of a pair fault, and a cut's ports (formatPorts). */
export interface TemplateValues {
  readonly node: PlaceholderNode;
  readonly peer?: PlaceholderNode;
  readonly ports?: string;
}

/** The argv for a template with these values; throws TemplateError naming a missing or unsafe value. */
export function renderTemplate(template: CommandTemplate, values: TemplateValues): string[] {
  return template.words.map((word) =>
    word
      .map((part) => {
        if ('text' in part) return part.text;
        if (part.subject === 'fault') return values.ports ?? 'all';
        const subject = part.subject === 'node' ? values.node : values.peer;
        if (!subject) throw new TemplateError(`{${part.subject}.${part.field}} has no value here: ${template.source}`);
        const value = subject[part.field];
        if (value === undefined || value === '') {
          throw new TemplateError(`node ${subject.name} has no ${part.field} for {${part.subject}.${part.field}} in: ${template.source}`);
        }
        if (!isSafeValue(value)) {
          throw new TemplateError(
            `refusing to substitute ${JSON.stringify(value)} (${part.field} of node ${subject.name}) into: ${template.source}`,
          );
        }
        return value;
      })
      .join(''),
  );
}

/** Quotes argv for display (dry-run, messages); never used to run anything. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((word) => (/^[A-Za-z0-9._:%@/=,+[\]-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(' ');
}
