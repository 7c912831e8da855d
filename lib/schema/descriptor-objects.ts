// Mappings with known keys, lists, and mappings with free keys.
import { Desc, INVALID, isMapping, ordered } from './descriptor-core.ts';
import type { JsonContext, JsonSchema, ParseContext, Parsed, Path } from './descriptor-core.ts';
import { didYouMean } from './suggest.ts';

export type FieldMode = 'required' | 'optional' | 'default';

export interface Field<T, M extends FieldMode = FieldMode> {
  readonly mode: M;
  readonly desc: Desc<T>;
  /** For required fields: the message when missing (default: `missing required key "k"`). */
  readonly missing?: string;
  /** For defaulted fields: the input value used when the key is absent (shown as the JSON Schema default). */
  readonly defaultInput?: unknown;
}

export const required = <T>(desc: Desc<T>, missing?: string): Field<T, 'required'> => ({
  mode: 'required',
  desc,
  ...(missing === undefined ? {} : { missing }),
});
export const optional = <T>(desc: Desc<T>): Field<T, 'optional'> => ({ mode: 'optional', desc });
export const withDefault = <T>(desc: Desc<T>, defaultInput: unknown): Field<T, 'default'> => ({ mode: 'default', desc, defaultInput });

export type Fields = { readonly [key: string]: Field<unknown> };

type FieldValue<F> = F extends Field<infer T> ? T : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type ObjectOut<F extends Fields> = Simplify<
  { readonly [K in keyof F as F[K]['mode'] extends 'optional' ? never : K]: FieldValue<F[K]> } & {
    readonly [K in keyof F as F[K]['mode'] extends 'optional' ? K : never]?: FieldValue<F[K]>;
  }
>;

/** Parses `fields` out of `source`; other keys are reported with `unknownKey`'s message (or ignored when it returns undefined). */
export function parseFields(
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

export function fieldsJson(fields: Fields, json: JsonContext): { properties: Record<string, JsonSchema>; required: string[] } {
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
  constructor(
    private readonly fields: F,
    private readonly options: ObjectOptions,
  ) {
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

export interface ArrayOptions {
  readonly minItems?: number;
  readonly maxItems?: number;
  /** What one item is (singular), for messages: "step". */
  readonly item?: string;
  /** The message when there are fewer than minItems items. */
  readonly tooFew?: string;
}

const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

class ArrayDesc<T> extends Desc<readonly T[]> {
  readonly expected: string;
  private readonly word: string;
  constructor(
    private readonly item: Desc<T>,
    private readonly options: ArrayOptions,
  ) {
    super();
    this.word = options.item ?? 'item';
    this.expected = `a list of ${this.word}s`;
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<readonly T[]> {
    if (!Array.isArray(value)) return this.mismatch(value, path, ctx);
    const { minItems, maxItems, tooFew } = this.options;
    let ok = true;
    if (minItems !== undefined && value.length < minItems) {
      ctx.report(
        path,
        tooFew ??
          `${value.length === 0 ? 'empty list' : `found ${count(value.length, this.word)}`}: expected at least ${count(minItems, this.word)}`,
      );
      ok = false;
    }
    if (maxItems !== undefined && value.length > maxItems) {
      ctx.report(path, `found ${count(value.length, this.word)}: expected at most ${maxItems}`);
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
  constructor(
    private readonly key: Desc<K>,
    private readonly value: Desc<V>,
  ) {
    super();
  }
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<readonly (readonly [K, V])[]> {
    if (!isMapping(value)) return this.mismatch(value, path, ctx);
    let ok = true;
    const out: (readonly [K, V])[] = [];
    for (const [rawKey, rawValue] of Object.entries(value)) {
      const before = ctx.problems.length;
      const key = this.key.parse(rawKey, [...path, rawKey], ctx);
      for (let i = before; i < ctx.problems.length; i++) {
        const problem = ctx.problems[i];
        if (problem) ctx.problems[i] = { ...problem, at: 'key' };
      }
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

/** A mapping with free keys, each parsed by `key` (its problems point at the key) and values by `value`. */
export const record = <K, V>(key: Desc<K>, value: Desc<V>): Desc<readonly (readonly [K, V])[]> => new RecordDesc(key, value);
