// Scalar descriptors: strings, enums, booleans, integers, strings with their own grammar.
import { Desc, isMapping } from './descriptor-core.ts';
import type { JsonSchema, ParseContext, Parsed, Path } from './descriptor-core.ts';
import { didYouMean } from './suggest.ts';

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
  constructor(
    private readonly values: readonly V[],
    private readonly options: EnumOptions,
  ) {
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

class NullDesc extends Desc<null> {
  readonly expected = 'an empty value';
  protected check(value: unknown, path: Path, ctx: ParseContext): Parsed<null> {
    return value === null ? null : this.mismatch(value, path, ctx);
  }
  protected body(): JsonSchema {
    return { type: 'null' };
  }
}

/** An empty value (`key:` or `key: null`). */
export const empty = (): Desc<null> => new NullDesc();

export interface IntegerOptions {
  readonly min?: number;
  readonly max?: number;
}

class IntegerDesc extends Desc<number> {
  readonly expected: string;
  constructor(private readonly options: IntegerOptions) {
    super();
    const { min, max } = options;
    this.expected =
      min !== undefined && max !== undefined
        ? `an integer from ${min} to ${max}`
        : min !== undefined
          ? `an integer >= ${min}`
          : 'an integer';
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
