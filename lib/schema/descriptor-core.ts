// The core of the descriptor library: a descriptor validates a plain YAML value (producing a
// typed result and precise problems) and renders its own JSON Schema.
import { describeValue } from './describe-value.ts';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/**
 * One problem found by a descriptor, by path; the file's loader turns it into a located Problem (problems.ts).
 * `at: 'key'` points at the key of the last path segment (or of the parent).
 */
export interface Issue {
  readonly path: Path;
  readonly message: string;
  readonly at: 'key' | 'value';
}

export const INVALID: unique symbol = Symbol('invalid');
export type Parsed<T> = T | typeof INVALID;

/** A typed per-parse scratch value (e.g. the cluster shape, the bindings defined so far). */
export interface Slot<V> {
  readonly name: string;
  readonly init: () => V;
}
export const slot = <V>(name: string, init: () => V): Slot<V> => ({ name, init });

export class ParseContext {
  readonly problems: Issue[] = [];
  /** The path each object-valued result was parsed from, for later, semantic problems. */
  readonly paths = new WeakMap<object, Path>();
  private readonly slots = new Map<Slot<unknown>, unknown>();

  report(path: Path, message: string, at: 'key' | 'value' = 'value'): typeof INVALID {
    this.problems.push({ path, message, at });
    return INVALID;
  }

  get<V>(key: Slot<V>): V {
    if (!this.slots.has(key)) this.slots.set(key, key.init());
    return this.slots.get(key) as V;
  }

  pathOf(value: object): Path | undefined {
    return this.paths.get(value);
  }
}

export type JsonSchema = { readonly [key: string]: unknown };

export class JsonContext {
  readonly defs = new Map<string, JsonSchema>();
  /** Definitions being rendered (a reference back to one of them is a recursive schema). */
  readonly pending = new Set<string>();
}

export interface Meta {
  readonly title?: string;
  readonly description?: string;
  readonly examples?: readonly unknown[];
}

const FIRST_KEYS = ['title', 'description'] as const;
const LAST_KEYS = ['default', 'examples'] as const;

/** Title and description first, default and examples last: stable and readable JSON. */
export function ordered(body: JsonSchema, meta: Meta & { readonly default?: unknown }): JsonSchema {
  const merged: Record<string, unknown> = { ...body, ...meta };
  const out: Record<string, unknown> = {};
  for (const key of FIRST_KEYS) if (merged[key] !== undefined) out[key] = merged[key];
  for (const [key, value] of Object.entries(merged)) {
    if (!(FIRST_KEYS as readonly string[]).includes(key) && !(LAST_KEYS as readonly string[]).includes(key)) out[key] = value;
  }
  for (const key of LAST_KEYS) if (merged[key] !== undefined) out[key] = merged[key];
  return out;
}

export abstract class Desc<T> {
  meta: Meta = {};
  /** A short phrase for messages: "an integer", "a duration like \"30s\"". */
  abstract readonly expected: string;
  protected abstract check(value: unknown, path: Path, ctx: ParseContext): Parsed<T>;
  protected abstract body(json: JsonContext): JsonSchema;

  parse(value: unknown, path: Path, ctx: ParseContext): Parsed<T> {
    const result = this.check(value, path, ctx);
    if (result !== INVALID && typeof result === 'object' && result !== null) ctx.paths.set(result, path);
    return result;
  }

  toJson(json: JsonContext): JsonSchema {
    return ordered(this.body(json), this.meta);
  }

  /** A copy with a title and description (shown by editors through the JSON Schema). */
  doc(title: string, description?: string, examples?: readonly unknown[]): this {
    const copy = Object.assign(Object.create(Object.getPrototypeOf(this) as object) as this, this);
    copy.meta = {
      ...this.meta,
      title,
      ...(description === undefined ? {} : { description }),
      ...(examples === undefined ? {} : { examples }),
    };
    return copy;
  }

  /** Transforms (and may further validate) the parsed value; the JSON Schema is unchanged. */
  map<U>(fn: (value: T, path: Path, ctx: ParseContext) => Parsed<U>): Desc<U> {
    return new MapDesc(this, fn);
  }

  protected mismatch(value: unknown, path: Path, ctx: ParseContext, hint = ''): typeof INVALID {
    return ctx.report(path, `expected ${this.expected}, found ${describeValue(value)}${hint}`);
  }
}

class MapDesc<T, U> extends Desc<U> {
  constructor(
    private readonly inner: Desc<T>,
    private readonly fn: (value: T, path: Path, ctx: ParseContext) => Parsed<U>,
  ) {
    super();
  }
  get expected(): string {
    return this.inner.expected;
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<U> {
    const inner = this.inner.parse(value, path, ctx);
    return inner === INVALID ? INVALID : this.fn(inner, path, ctx);
  }
  protected body(json: JsonContext): JsonSchema {
    return this.inner.toJson(json);
  }
}

/** A plain mapping (not a list, not binary data or another special object). */
export function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// Shared definitions

class RefDesc<T> extends Desc<T> {
  constructor(
    private readonly name: string,
    private readonly inner: Desc<T>,
  ) {
    super();
  }
  get expected(): string {
    return this.inner.expected;
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<T> {
    return this.inner.parse(value, path, ctx);
  }
  protected body(json: JsonContext): JsonSchema {
    if (!json.pending.has(this.name)) {
      json.pending.add(this.name);
      const rendered = this.inner.toJson(json);
      json.pending.delete(this.name);
      const existing = json.defs.get(this.name);
      if (existing === undefined) json.defs.set(this.name, rendered);
      else if (JSON.stringify(existing) !== JSON.stringify(rendered)) {
        throw new Error(`two different schemas are both named "${this.name}" in $defs`);
      }
    }
    return { $ref: `#/$defs/${this.name}` };
  }
}

/** Renders `inner` once under `$defs/name` and refers to it from every use. */
export const ref = <T>(name: string, inner: Desc<T>): Desc<T> => new RefDesc(name, inner);

/** The JSON Schema document for a root descriptor. */
export function jsonSchemaDocument(root: Desc<unknown>, header: Meta & { readonly $id?: string }): JsonSchema {
  const json = new JsonContext();
  const body = root.toJson(json);
  const defs = Object.fromEntries([...json.defs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...(header.$id === undefined ? {} : { $id: header.$id }),
    ...ordered(body, header),
    ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
  };
}
