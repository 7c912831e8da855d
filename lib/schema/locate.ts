// Maps validation paths to source positions, and YAML errors to readable problems.
import { isAlias, isMap, isNode, isScalar, isSeq, visit } from 'yaml';
import type { Document, LineCounter, Node, YAMLError } from 'yaml';
import type { Path, PathSegment } from './descriptors.ts';

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

type Doc = Document.Parsed;

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function positionAt(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function start(node: unknown): number | undefined {
  return isNode(node) && node.range ? node.range[0] : undefined;
}

/**
 * The position of `path` in the document: the value there, or its key when `at` is 'key'.
 * When the path does not exist (a missing key), the deepest existing node is used.
 */
export function positionOf(doc: Doc, lineCounter: LineCounter, path: Path, at: 'key' | 'value'): Position {
  let node: unknown = doc.contents;
  let offset = start(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    if (isAlias(node)) node = node.resolve(doc);
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (!pair) break;
      const keyStart = start(pair.key);
      const valueStart = start(pair.value);
      if (last && at === 'key' && keyStart !== undefined) return positionAt(lineCounter, keyStart);
      offset = valueStart ?? keyStart ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      offset = start(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return positionAt(lineCounter, offset);
}

function within(node: unknown, offset: number): boolean {
  return isNode(node) && node.range !== undefined && node.range !== null && node.range[0] <= offset && offset <= node.range[2];
}

/**
 * The path of the deepest node containing `offset` (for YAML errors). It stops at a flow
 * collection (`[...]`, `{...}`): inside a broken one, the recovered structure means little.
 */
export function pathAtOffset(doc: Doc, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    let next: Node | undefined;
    if ((isMap(node) || isSeq(node)) && node.flow === true) return path;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (within(pair.value, offset)) {
          path.push(keyText(pair.key));
          next = pair.value as Node;
          break;
        }
        if (within(pair.key, offset)) {
          path.push(keyText(pair.key));
          return path;
        }
      }
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => within(item, offset));
      if (index >= 0) {
        path.push(index);
        next = node.items[index] as Node;
      }
    }
    if (next === undefined) return path;
    node = next;
  }
}

const SELECTOR_IN_FLOW = /(?:control-plane|worker)\[[0-9]*\]?|random\([^)]*\)?/g;

/**
 * A readable message for a YAML error, with a hint when a selector broke a [ ] or { } flow collection; `what`
 * names the kind of file ("scenario file").
 */
export function yamlErrorMessage(error: YAMLError, source: string, path: Path, what: string): string {
  const [from] = error.pos;
  const lineStart = source.lastIndexOf('\n', from - 1) + 1;
  const lineEnd = source.indexOf('\n', from);
  const line = source.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return `duplicate key "${String(path[path.length - 1] ?? '')}": a key may appear only once in a mapping (YAML: "Map keys must be unique")`;
    case 'TAB_AS_INDENT':
      return 'tab character used for indentation: YAML indents with spaces';
    case 'MULTIPLE_DOCS':
      return `a ${what} holds one YAML document: remove the extra "---"`;
    default:
      break;
  }
  const column = from - lineStart;
  const selector = [...line.matchAll(SELECTOR_IN_FLOW)].find(
    (m) => /[[{]/.test(line.slice(0, m.index)) && m.index <= column && column <= m.index + m[0].length,
  );
  const raw = error.message.replace(/\s+at line \d+, column \d+.*$/s, '');
  const base = raw.charAt(0).toLowerCase() + raw.slice(1);
  if (selector) {
    return `${base}: selectors with [ ] or commas must be quoted inside [ ] or { } flow collections ("${selector[0]}"), or use block style`;
  }
  return base;
}

/** The first alias whose anchor is missing (yaml reports these only when converting). */
export function unresolvedAlias(doc: Doc): { readonly offset: number; readonly name: string } | undefined {
  let found: { offset: number; name: string } | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (found === undefined && node.resolve(doc) === undefined) found = { offset: node.range?.[0] ?? 0, name: node.source };
    },
  });
  return found;
}
