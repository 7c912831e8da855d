// A small descriptor library: each descriptor both validates a plain YAML value (producing a typed
// result and precise problems) and renders its JSON Schema. The scenario format is written once,
// with these combinators, in schema.ts.
import { describeValue, formatPath } from './describe-value.ts';
import { didYouMean } from './suggest.ts';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** One validation problem. `at: 'key'` points at the key of the last path segment (or of the parent). */
export interface Problem {
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
  readonly problems: Problem[] = [];
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
}

export interface Meta {
  readonly title?: string;
  readonly description?: string;
  readonly examples?: readonly unknown[];
}

const FIRST_KEYS = ['title', 'description'] as const;
const LAST_KEYS = ['default', 'examples'] as const;

/** Title and description first, default and examples last: stable and readable JSON. */
function ordered(body: JsonSchema, meta: Meta & { readonly default?: unknown }): JsonSchema {
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
    copy.meta = { ...this.meta, title, ...(description === undefined ? {} : { description }), ...(examples === undefined ? {} : { examples }) };
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
  constructor(private readonly inner: Desc<T>, private readonly fn: (value: T, path: Path, ctx: ParseContext) => Parsed<U>) {
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

// ---------------------------------------------------------------------------------------------
// Scalars

export interface StringOptions {
  /** A JSON-Schema-compatible (ECMA-262) pattern, anchored. */
  readonly pattern?: string;
  /** Said when the pattern does not match. */
  readonly patternMessage?: string;
  readonly expected?: string;
}

class StringDesc extends Desc<string> {
  readonly expected: string;
  constructor(private readonly options: StringOptions) {
    super();
    this.expected = options.expected ?? 'a string';
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<string> {
    if (typeof value !== 'string') return this.mismatch(value, path, ctx);
    const { pattern, patternMessage } = this.options;
    if (pattern !== undefined && !new RegExp(pattern).test(value)) {
      return ctx.report(path, patternMessage === undefined ? `"${value}" does not match ${pattern}` : `"${value}": ${patternMessage}`);
    }
    return value;
  }
  protected body(): JsonSchema {
    return { type: 'string', ...(this.options.pattern === undefined ? {} : { pattern: this.options.pattern }) };
  }
}

export const string = (options: StringOptions = {}): Desc<string> => new StringDesc(options);

export interface EnumOptions {
  /** What a value is, for messages: "invariant", "promote status". */
  readonly what?: string;
  /** Appended to the "unknown value" message. */
  readonly hint?: string;
}

class EnumDesc<V extends string> extends Desc<V> {
  readonly expected: string;
  constructor(private readonly values: readonly V[], private readonly options: EnumOptions) {
    super();
    this.expected = values.length === 1 ? `"${values[0]}"` : `one of ${values.map((v) => `"${v}"`).join(', ')}`;
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<V> {
    const hint = this.options.hint === undefined ? '' : `; ${this.options.hint}`;
    if (typeof value !== 'string') {
      const same = this.values.find((v) => v.toLowerCase() === String(value).toLowerCase());
      return this.mismatch(value, path, ctx, same === undefined ? hint : `; quote it: "${same}"`);
    }
    if ((this.values as readonly string[]).includes(value)) return value as V;
    const what = this.options.what ?? 'value';
    return ctx.report(path, `unknown ${what} "${value}"${didYouMean(value, this.values)}; expected ${this.expected}${hint}`);
  }
  protected body(): JsonSchema {
    return this.values.length === 1 ? { const: this.values[0] } : { enum: [...this.values] };
  }
}

export const oneOf = <const V extends string>(values: readonly V[], options: EnumOptions = {}): Desc<V> => new EnumDesc(values, options);

class BooleanDesc extends Desc<boolean> {
  readonly expected = 'true or false';
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<boolean> {
    return typeof value === 'boolean' ? value : this.mismatch(value, path, ctx);
  }
  protected body(): JsonSchema {
    return { type: 'boolean' };
  }
}

export const boolean = (): Desc<boolean> => new BooleanDesc();

export interface IntegerOptions {
  readonly min?: number;
  readonly max?: number;
}

class IntegerDesc extends Desc<number> {
  readonly expected: string;
  constructor(private readonly options: IntegerOptions) {
    super();
    const { min, max } = options;
    this.expected = min !== undefined && max !== undefined ? `an integer from ${min} to ${max}` : min !== undefined ? `an integer >= ${min}` : 'an integer';
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<number> {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      const hint = typeof value === 'string' && /^-?[0-9]+$/.test(value) ? '; remove the quotes' : '';
      return this.mismatch(value, path, ctx, hint);
    }
    const { min, max } = this.options;
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
      return ctx.report(path, `${value} is out of range: expected ${this.expected}`);
    }
    return value;
  }
  protected body(): JsonSchema {
    const { min, max } = this.options;
    return { type: 'integer', ...(min === undefined ? {} : { minimum: min }), ...(max === undefined ? {} : { maximum: max }) };
  }
}

export const integer = (options: IntegerOptions = {}): Desc<number> => new IntegerDesc(options);

export interface ParsedStringOptions<T> {
  readonly expected: string;
  /** The JSON Schema pattern (editors check it; the parse function is the authority). */
  readonly pattern?: string;
  /** Parses the text, reporting its own problems. */
  readonly parse: (text: string, path: Path, ctx: ParseContext) => Parsed<T>;
  /** A hint when a number is given instead (e.g. a duration without its unit). */
  readonly numberHint?: (value: number) => string;
}

class ParsedStringDesc<T> extends Desc<T> {
  readonly expected: string;
  constructor(private readonly options: ParsedStringOptions<T>) {
    super();
    this.expected = options.expected;
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<T> {
    if (typeof value !== 'string') {
      const hint = typeof value === 'number' && this.options.numberHint ? `; ${this.options.numberHint(value)}` : '';
      return this.mismatch(value, path, ctx, hint);
    }
    return this.options.parse(value, path, ctx);
  }
  protected body(): JsonSchema {
    return { type: 'string', ...(this.options.pattern === undefined ? {} : { pattern: this.options.pattern }) };
  }
}

/** A string with its own grammar (durations, selectors), parsed into a richer value. */
export const parsedString = <T>(options: ParsedStringOptions<T>): Desc<T> => new ParsedStringDesc(options);

class FreeformDesc extends Desc<Readonly<Record<string, unknown>>> {
  readonly expected = 'a mapping';
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<Readonly<Record<string, unknown>>> {
    return isMapping(value) ? value : this.mismatch(value, path, ctx);
  }
  protected body(): JsonSchema {
    return { type: 'object' };
  }
}

/** Any mapping, validated later by whoever owns it (e.g. provider options). */
export const freeform = (): Desc<Readonly<Record<string, unknown>>> => new FreeformDesc();

// ---------------------------------------------------------------------------------------------
// Objects

export type FieldMode = 'required' | 'optional' | 'default';

export interface Field<T, M extends FieldMode = FieldMode> {
  readonly mode: M;
  readonly desc: Desc<T>;
  /** For required fields: the message when missing (default: `missing required key "k"`). */
  readonly missing?: string;
  /** For defaulted fields: the input value used when the key is absent (shown as the JSON Schema default). */
  readonly defaultInput?: unknown;
}

export const required = <T>(desc: Desc<T>, missing?: string): Field<T, 'required'> =>
  ({ mode: 'required', desc, ...(missing === undefined ? {} : { missing }) });
export const optional = <T>(desc: Desc<T>): Field<T, 'optional'> => ({ mode: 'optional', desc });
export const withDefault = <T>(desc: Desc<T>, defaultInput: unknown): Field<T, 'default'> => ({ mode: 'default', desc, defaultInput });

export type Fields = { readonly [key: string]: Field<unknown> };

type FieldValue<F> = F extends Field<infer T> ? T : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type ObjectOut<F extends Fields> = Simplify<
  { readonly [K in keyof F as F[K]['mode'] extends 'optional' ? never : K]: FieldValue<F[K]> } &
  { readonly [K in keyof F as F[K]['mode'] extends 'optional' ? K : never]?: FieldValue<F[K]> }
>;

export function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses `fields` out of `source`; keys in `skip` are someone else's. Reports unknown keys unless `unknownKeys` is false. */
function parseFields(
  fields: Fields,
  source: Readonly<Record<string, unknown>>,
  path: Path,
  ctx: ParseContext,
  unknownKey?: (key: string) => string | undefined,
): Parsed<Record<string, unknown>> {
  let ok = true;
  if (unknownKey) {
    for (const key of Object.keys(source)) {
      if (Object.hasOwn(fields, key)) continue;
      const message = unknownKey(key);
      if (message !== undefined) {
        ctx.report([...path, key], message, 'key');
        ok = false;
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) {
    let parsed: unknown;
    if (Object.hasOwn(source, key)) {
      parsed = field.desc.parse(source[key], [...path, key], ctx);
    } else if (field.mode === 'required') {
      ctx.report(path, field.missing ?? `missing required key "${key}"`, 'key');
      parsed = INVALID;
    } else if (field.mode === 'default') {
      parsed = field.desc.parse(field.defaultInput, [...path, key], ctx);
    } else {
      continue;
    }
    if (parsed === INVALID) ok = false;
    else out[key] = parsed;
  }
  return ok ? out : INVALID;
}

function unknownKeyMessage(known: readonly string[]): (key: string) => string {
  return (key) => {
    const suggestion = didYouMean(key, known);
    return suggestion === '' ? `unknown key "${key}"; expected one of: ${known.join(', ')}` : `unknown key "${key}"${suggestion}`;
  };
}

function fieldsJson(fields: Fields, json: JsonContext): { properties: Record<string, JsonSchema>; required: string[] } {
  const properties: Record<string, JsonSchema> = {};
  const requiredKeys: string[] = [];
  for (const [key, field] of Object.entries(fields)) {
    const schema = field.desc.toJson(json);
    properties[key] = field.mode === 'default' ? ordered(schema, { default: field.defaultInput }) : schema;
    if (field.mode === 'required') requiredKeys.push(key);
  }
  return { properties, required: requiredKeys };
}

export interface ObjectOptions {
  /** Accept an empty value (`key:` with nothing after it) as an empty mapping. */
  readonly nullAsEmpty?: boolean;
}

class ObjectDesc<F extends Fields> extends Desc<ObjectOut<F>> {
  readonly expected = 'a mapping';
  constructor(private readonly fields: F, private readonly options: ObjectOptions) {
    super();
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<ObjectOut<F>> {
    const source = value === null && this.options.nullAsEmpty ? {} : value;
    if (!isMapping(source)) return this.mismatch(value, path, ctx);
    return parseFields(this.fields, source, path, ctx, unknownKeyMessage(Object.keys(this.fields))) as Parsed<ObjectOut<F>>;
  }
  protected body(json: JsonContext): JsonSchema {
    const { properties, required: requiredKeys } = fieldsJson(this.fields, json);
    return {
      type: this.options.nullAsEmpty ? ['object', 'null'] : 'object',
      properties,
      ...(requiredKeys.length > 0 ? { required: requiredKeys } : {}),
      additionalProperties: false,
    };
  }
}

/** A mapping with known keys; unknown keys are errors (with a did-you-mean). */
export const object = <F extends Fields>(fields: F, options: ObjectOptions = {}): Desc<ObjectOut<F>> => new ObjectDesc(fields, options);

// ---------------------------------------------------------------------------------------------
// Collections

export interface ArrayOptions {
  readonly minItems?: number;
  readonly maxItems?: number;
  /** What an item is, for messages. */
  readonly item?: string;
}

class ArrayDesc<T> extends Desc<readonly T[]> {
  readonly expected: string;
  constructor(private readonly item: Desc<T>, private readonly options: ArrayOptions) {
    super();
    this.expected = `a list of ${options.item ?? 'items'}`;
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<readonly T[]> {
    if (!Array.isArray(value)) return this.mismatch(value, path, ctx);
    const { minItems, maxItems } = this.options;
    let ok = true;
    if (minItems !== undefined && value.length < minItems) {
      ctx.report(path, value.length === 0 ? `empty list: expected at least ${minItems} ${this.options.item ?? 'item'}${minItems === 1 ? '' : 's'}` : `expected at least ${minItems} ${this.options.item ?? 'items'}, found ${value.length}`);
      ok = false;
    }
    if (maxItems !== undefined && value.length > maxItems) {
      ctx.report(path, `expected at most ${maxItems} ${this.options.item ?? 'items'}, found ${value.length}`);
      ok = false;
    }
    const out: T[] = [];
    value.forEach((element: unknown, index) => {
      const parsed = this.item.parse(element, [...path, index], ctx);
      if (parsed === INVALID) ok = false;
      else out.push(parsed);
    });
    return ok ? out : INVALID;
  }
  protected body(json: JsonContext): JsonSchema {
    const { minItems, maxItems } = this.options;
    return {
      type: 'array',
      items: this.item.toJson(json),
      ...(minItems === undefined ? {} : { minItems }),
      ...(maxItems === undefined ? {} : { maxItems }),
    };
  }
}

export const array = <T>(item: Desc<T>, options: ArrayOptions = {}): Desc<readonly T[]> => new ArrayDesc(item, options);

class RecordDesc<K, V> extends Desc<readonly (readonly [K, V])[]> {
  readonly expected = 'a mapping';
  constructor(private readonly key: Desc<K>, private readonly value: Desc<V>) {
    super();
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<readonly (readonly [K, V])[]> {
    if (!isMapping(value)) return this.mismatch(value, path, ctx);
    let ok = true;
    const out: (readonly [K, V])[] = [];
    for (const [rawKey, rawValue] of Object.entries(value)) {
      const keyCtx = new ParseContext();
      const key = this.key.parse(rawKey, [...path, rawKey], keyCtx);
      for (const problem of keyCtx.problems) ctx.report(problem.path, problem.message, 'key');
      const parsed = this.value.parse(rawValue, [...path, rawKey], ctx);
      if (key === INVALID || parsed === INVALID) ok = false;
      else {
        const pair = [key, parsed] as const;
        if (typeof key === 'object' && key !== null) ctx.paths.set(key, [...path, rawKey]);
        out.push(pair);
      }
    }
    return ok ? out : INVALID;
  }
  protected body(json: JsonContext): JsonSchema {
    return { type: 'object', propertyNames: this.key.toJson(json), additionalProperties: this.value.toJson(json) };
  }
}

/**
 * A mapping with free keys, each parsed by `key` (problems point at the key) and values by `value`.
 * Key descriptors must not depend on per-parse slots (they run in a scratch context).
 */
export const record = <K, V>(key: Desc<K>, value: Desc<V>): Desc<readonly (readonly [K, V])[]> => new RecordDesc(key, value);

// ---------------------------------------------------------------------------------------------
// Unions

export type ValueType = 'string' | 'number' | 'boolean' | 'sequence' | 'mapping' | 'null';

function valueType(value: unknown): ValueType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'sequence';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'mapping';
}

type Branches = { readonly [K in ValueType]?: Desc<unknown> };
type BranchOut<B extends Branches> = { [K in keyof B]: B[K] extends Desc<infer T> ? T : never }[keyof B];

class ByTypeDesc<B extends Branches> extends Desc<BranchOut<B>> {
  readonly expected: string;
  constructor(private readonly branches: B) {
    super();
    this.expected = Object.values(branches).map((d) => d.expected).join(' or ');
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<BranchOut<B>> {
    const branch = this.branches[valueType(value)];
    return branch === undefined ? this.mismatch(value, path, ctx) : (branch.parse(value, path, ctx) as Parsed<BranchOut<B>>);
  }
  protected body(json: JsonContext): JsonSchema {
    const schemas = Object.values(this.branches).map((d) => d.toJson(json));
    return schemas.length === 1 ? (schemas[0] ?? {}) : { anyOf: schemas };
  }
}

/** A union chosen by the YAML type of the value (a string form and a list form, say). */
export const byType = <B extends Branches>(branches: B): Desc<BranchOut<B>> => new ByTypeDesc(branches);

export interface Variant<T> {
  readonly value: Desc<unknown>;
  readonly siblings: Fields;
  readonly build: (value: unknown, siblings: Readonly<Record<string, unknown>>, path: Path, ctx: ParseContext) => Parsed<T>;
  readonly meta: Meta;
  /** A one-line YAML example, used in messages and descriptions. */
  readonly example: string;
}

/**
 * One member of a keyed union: the key names the member, its value is parsed by `value`, and
 * `siblings` are further keys allowed beside it (like `as:` beside `kill:`).
 */
export function variant<V, F extends Fields, T>(
  value: Desc<V>,
  siblings: F,
  build: (value: V, siblings: ObjectOut<F>, path: Path, ctx: ParseContext) => Parsed<T>,
  doc: { readonly title: string; readonly description?: string; readonly example: string },
): Variant<T> {
  return {
    value,
    siblings,
    build: build as Variant<T>['build'],
    meta: { title: doc.title, description: `${doc.description ?? doc.title}\nExample: ${doc.example}` },
    example: doc.example,
  };
}

type VariantOut<V> = V extends Variant<infer T> ? T : never;

export interface KeyedOptions {
  /** What the mapping is, for messages: "step", "wait". */
  readonly what: string;
  /** What its key names: "step kind", "wait condition". */
  readonly kindWord: string;
}

class KeyedDesc<R extends { readonly [key: string]: Variant<unknown> }> extends Desc<VariantOut<R[keyof R]>> {
  readonly expected: string;
  private readonly kinds: readonly string[];
  private readonly allSiblings: ReadonlySet<string>;
  constructor(private readonly variants: R, private readonly options: KeyedOptions) {
    super();
    this.kinds = Object.keys(variants);
    this.allSiblings = new Set(Object.values(variants).flatMap((v) => Object.keys(v.siblings)));
    this.expected = `a ${options.what} (a mapping like ${Object.values(variants)[0]?.example ?? '{}'})`;
  }

  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<VariantOut<R[keyof R]>> {
    const { what, kindWord } = this.options;
    if (!isMapping(value)) {
      const named = typeof value === 'string' ? this.variants[value] : undefined;
      const hint = named === undefined ? '' : `; "${String(value)}" needs a value, e.g. ${named.example}`;
      return this.mismatch(value, path, ctx, hint);
    }
    const keys = Object.keys(value);
    const kindKeys = keys.filter((key) => Object.hasOwn(this.variants, key));
    const expectedKinds = `expected one of: ${this.kinds.join(', ')}`;
    if (kindKeys.length === 0) {
      const stray = keys.find((key) => !this.allSiblings.has(key));
      if (stray !== undefined) {
        const suggestion = didYouMean(stray, this.kinds);
        return ctx.report([...path, stray], `unknown ${kindWord} "${stray}"${suggestion === '' ? `; ${expectedKinds}` : suggestion}`, 'key');
      }
      return ctx.report(path, keys.length === 0 ? `empty ${what}; ${expectedKinds}` : `this ${what} has no ${kindWord}; ${expectedKinds}`);
    }
    const [kind, second] = kindKeys as [string, ...string[]];
    if (second !== undefined) {
      return ctx.report([...path, second], `a ${what} has one ${kindWord}, found "${kind}" and "${second}": split them into separate ${what}s`, 'key');
    }
    const chosen = this.variants[kind] as Variant<unknown>;
    const parsedValue = chosen.value.parse(value[kind], [...path, kind], ctx);
    const siblingKeys = Object.keys(chosen.siblings);
    const rest = Object.fromEntries(Object.entries(value).filter(([key]) => key !== kind));
    const siblings = parseFields(chosen.siblings, rest, path, ctx, (key) => {
      if (this.allSiblings.has(key)) return `"${key}" is not allowed on a ${kind} ${what}`;
      const suggestion = didYouMean(key, siblingKeys);
      return suggestion === ''
        ? `unknown key "${key}" on a ${kind} ${what}${siblingKeys.length > 0 ? `; expected ${siblingKeys.join(', ')}` : ''}`
        : `unknown key "${key}"${suggestion}`;
    });
    if (parsedValue === INVALID || siblings === INVALID) return INVALID;
    return chosen.build(parsedValue, siblings, path, ctx) as Parsed<VariantOut<R[keyof R]>>;
  }

  protected body(json: JsonContext): JsonSchema {
    return {
      oneOf: Object.entries(this.variants).map(([kind, v]) => {
        const { properties, required: requiredKeys } = fieldsJson(v.siblings, json);
        return ordered({
          type: 'object',
          properties: { [kind]: v.value.toJson(json), ...properties },
          required: [kind, ...requiredKeys],
          additionalProperties: false,
        }, v.meta);
      }),
    };
  }
}

/** A union of mappings told apart by which key they have (`kill: ...` vs `hold: ...`). */
export const keyed = <R extends { readonly [key: string]: Variant<unknown> }>(variants: R, options: KeyedOptions): Desc<VariantOut<R[keyof R]>> =>
  new KeyedDesc(variants, options);

// ---------------------------------------------------------------------------------------------
// Shared definitions

class RefDesc<T> extends Desc<T> {
  constructor(private readonly name: string, private readonly inner: Desc<T>) {
    super();
  }
  get expected(): string {
    return this.inner.expected;
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<T> {
    return this.inner.parse(value, path, ctx);
  }
  protected body(json: JsonContext): JsonSchema {
    if (!json.defs.has(this.name)) {
      json.defs.set(this.name, {}); // reserve first: recursion-safe
      json.defs.set(this.name, this.inner.toJson(json));
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
  const defs = Object.fromEntries([...json.defs.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...(header.$id === undefined ? {} : { $id: header.$id }),
    ...ordered(body, header),
    ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
  };
}

export { formatPath };
