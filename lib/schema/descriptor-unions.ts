// Unions: by YAML type (a string form and a list form), and by key (`kill: ...` vs `hold: ...`).
import { Desc, INVALID, isMapping, ordered } from './descriptor-core.ts';
import type { JsonContext, JsonSchema, Meta, ParseContext, Parsed, Path } from './descriptor-core.ts';
import { fieldsJson, parseFields } from './descriptor-objects.ts';
import type { Fields, ObjectOut } from './descriptor-objects.ts';
import { didYouMean } from './suggest.ts';

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
    this.expected = Object.values(branches)
      .map((d) => d.expected)
      .join(' or ');
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
  constructor(
    private readonly variants: R,
    private readonly options: KeyedOptions,
  ) {
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
        return ctx.report(
          [...path, stray],
          `unknown ${kindWord} "${stray}"${suggestion === '' ? `; ${expectedKinds}` : suggestion}`,
          'key',
        );
      }
      return ctx.report(path, keys.length === 0 ? `empty ${what}; ${expectedKinds}` : `this ${what} has no ${kindWord}; ${expectedKinds}`);
    }
    const [kind, second] = kindKeys as [string, ...string[]];
    if (second !== undefined) {
      return ctx.report(
        [...path, second],
        `a ${what} has one ${kindWord}, found "${kind}" and "${second}": split them into separate ${what}s`,
        'key',
      );
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
        return ordered(
          {
            type: 'object',
            properties: { [kind]: ordered(v.value.toJson(json), v.meta), ...properties },
            required: [kind, ...requiredKeys],
            additionalProperties: false,
          },
          v.meta,
        );
      }),
    };
  }
}

/** A union of mappings told apart by which key they have (`kill: ...` vs `hold: ...`). */
export const keyed = <R extends { readonly [key: string]: Variant<unknown> }>(
  variants: R,
  options: KeyedOptions,
): Desc<VariantOut<R[keyof R]>> => new KeyedDesc(variants, options);
