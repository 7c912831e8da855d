// A small descriptor library: each descriptor both validates a plain YAML value (producing a typed
// result and precise problems) and renders its JSON Schema. The scenario format is written once,
// with these combinators, in schema.ts.
export * from './descriptor-core.ts';
export * from './descriptor-scalars.ts';
export { array, object, optional, record, required, withDefault } from './descriptor-objects.ts';
export type { ArrayOptions, Field, FieldMode, Fields, ObjectOptions, ObjectOut } from './descriptor-objects.ts';
export * from './descriptor-unions.ts';
