import { expect } from 'chai';
import {
  INVALID,
  JsonContext,
  ParseContext,
  array,
  byType,
  empty,
  integer,
  jsonSchemaDocument,
  keyed,
  object,
  oneOf,
  optional,
  record,
  ref,
  required,
  string,
  variant,
  withDefault,
} from './descriptors.ts';
import type { Desc, Parsed } from './descriptors.ts';

function run<T>(desc: Desc<T>, value: unknown): { value: Parsed<T>; problems: string[] } {
  const ctx = new ParseContext();
  const parsed = desc.parse(value, [], ctx);
  return { value: parsed, problems: ctx.problems.map((p) => `${p.path.join('.')}|${p.at}|${p.message}`) };
}

describe('scenario/descriptors', () => {
  const point = object({
    x: required(integer({ min: 0 })),
    y: withDefault(integer(), 7),
    label: optional(string()),
  });

  it('parses objects with required, defaulted and optional keys', () => {
    expect(run(point, { x: 1 })).to.deep.equal({ value: { x: 1, y: 7 }, problems: [] });
    expect(run(point, { x: 1, y: 2, label: 'p' })).to.deep.equal({ value: { x: 1, y: 2, label: 'p' }, problems: [] });
  });

  it('reports every problem of an object, unknown keys at the key with a suggestion', () => {
    const { value, problems } = run(point, { x: -1, lable: 'p', zzz: 1 });
    expect(value).to.equal(INVALID);
    expect(problems).to.deep.equal([
      'lable|key|unknown key "lable" (did you mean "label"?)',
      'zzz|key|unknown key "zzz"; expected one of: x, y, label',
      'x|value|-1 is out of range: expected an integer >= 0',
    ]);
    expect(run(point, {}).problems).to.deep.equal(['|key|missing required key "x"']);
    expect(run(point, [1]).problems).to.deep.equal(['|value|expected a mapping, found a sequence']);
  });

  it('renders objects as closed JSON Schema objects with defaults', () => {
    expect(point.doc('Point', 'A point.').toJson(new JsonContext())).to.deep.equal({
      title: 'Point',
      description: 'A point.',
      type: 'object',
      properties: { x: { type: 'integer', minimum: 0 }, y: { type: 'integer', default: 7 }, label: { type: 'string' } },
      required: ['x'],
      additionalProperties: false,
    });
  });

  it('suggests enum values and quoting', () => {
    const color = oneOf(['red', 'green'], { what: 'color' });
    expect(run(color, 'gren').problems).to.deep.equal([
      '|value|unknown color "gren" (did you mean "green"?); expected one of "red", "green"',
    ]);
    expect(run(oneOf(['True', 'False']), true).problems[0]).to.contain('quote it: "True"');
  });

  it('chooses union branches by YAML type', () => {
    const either = byType({ string: string(), sequence: array(string(), { item: 'name' }), null: empty() });
    expect(run(either, 'a').value).to.equal('a');
    expect(run(either, ['a']).value).to.deep.equal(['a']);
    expect(run(either, null).value).to.equal(null);
    expect(run(either, 3).problems).to.deep.equal(['|value|expected a string or a list of names or an empty value, found a number (3)']);
    expect(either.toJson(new JsonContext())).to.deep.equal({
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'null' }],
    });
  });

  it('tells keyed union members apart by key, with siblings', () => {
    const shape = keyed(
      {
        circle: variant(integer(), { at: optional(integer()) }, (r, s) => ({ kind: 'circle' as const, r, at: s.at }), {
          title: 'circle',
          example: 'circle: 3',
        }),
        square: variant(integer(), {}, (side) => ({ kind: 'square' as const, side }), { title: 'square', example: 'square: 2' }),
      },
      { what: 'shape', kindWord: 'shape kind' },
    );
    expect(run(shape, { circle: 3, at: 1 }).value).to.deep.equal({ kind: 'circle', r: 3, at: 1 });
    expect(run(shape, { circel: 3 }).problems).to.deep.equal(['circel|key|unknown shape kind "circel" (did you mean "circle"?)']);
    expect(run(shape, { circle: 3, square: 2 }).problems).to.deep.equal([
      'square|key|a shape has one shape kind, found "circle" and "square": split them into separate shapes',
    ]);
    expect(run(shape, { square: 2, at: 1 }).problems).to.deep.equal(['at|key|"at" is not allowed on a square shape']);
    expect(run(shape, { at: 1 }).problems[0]).to.contain('this shape has no shape kind');
    expect(run(shape, 'square').problems[0]).to.contain('"square" needs a value, e.g. square: 2');
    const json = shape.toJson(new JsonContext());
    expect((json['oneOf'] as { required: string[] }[]).map((b) => b.required)).to.deep.equal([['circle'], ['square']]);
  });

  it('reports record key problems at the key', () => {
    const labels = record(string({ pattern: '^[a-z]+$', patternMessage: 'lowercase only' }), integer());
    expect(run(labels, { ok: 1, BAD: 2 }).problems).to.deep.equal(['BAD|key|"BAD": lowercase only']);
    expect(run(labels, { ok: 1 }).value).to.deep.equal([['ok', 1]]);
  });

  it('accepts an empty value as an empty object when asked', () => {
    expect(run(object({}, { nullAsEmpty: true }), null).value).to.deep.equal({});
    expect(run(object({}), null).problems[0]).to.contain('found an empty value');
  });

  it('maps values, records their paths, and renders refs once under $defs', () => {
    const id = ref('id', string().doc('Id')).map((s) => ({ id: s }));
    const pair = object({ a: required(id), b: required(id) });
    const ctx = new ParseContext();
    const parsed = pair.parse({ a: 'x', b: 'y' }, ['root'], ctx);
    expect(parsed).to.deep.equal({ a: { id: 'x' }, b: { id: 'y' } });
    if (parsed === INVALID) throw new Error('unreachable');
    expect(ctx.pathOf(parsed.b)).to.deep.equal(['root', 'b']);
    const doc = jsonSchemaDocument(pair, { title: 'Pair' });
    expect(doc).to.deep.equal({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'Pair',
      type: 'object',
      properties: { a: { $ref: '#/$defs/id' }, b: { $ref: '#/$defs/id' } },
      required: ['a', 'b'],
      additionalProperties: false,
      $defs: { id: { title: 'Id', type: 'string' } },
    });
  });

  it('refuses two different schemas under one $defs name', () => {
    const clash = object({ a: required(ref('x', string())), b: required(ref('x', integer())) });
    expect(() => jsonSchemaDocument(clash, {})).to.throw('two different schemas are both named "x"');
  });

  it('checks list sizes with a custom message', () => {
    const two = array(integer(), { minItems: 2, item: 'group', tooFew: 'need two groups' });
    expect(run(two, [1]).problems).to.deep.equal(['|value|need two groups']);
    expect(run(array(integer(), { minItems: 1, item: 'step' }), []).problems).to.deep.equal([
      '|value|empty list: expected at least 1 step',
    ]);
    expect(run(array(integer(), { maxItems: 1, item: 'step' }), [1, 2]).problems).to.deep.equal([
      '|value|found 2 steps: expected at most 1',
    ]);
  });
});
