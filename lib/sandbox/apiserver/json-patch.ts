// JSON patch (RFC 6902): add, remove, replace, move, copy, test over JSON pointers (RFC 6901).
//
// Hand-written on purpose. The kept library for this, fast-json-patch (3.1.1, last released in 2022), was tried
// against this file's tests and the API server's error mapping (error-map.ts: a malformed patch is a 400, one that
// cannot be applied a 422 naming the path): a move into its own child and a `__proto__` path throw plain TypeErrors
// (which would become 500s), its errors name neither the path nor the operation in their message, and telling
// malformed from inapplicable would need a table over its error names. Wrapping it would take about as much code as
// this, and the messages kubectl shows here are part of what the sandbox API server is for.
import { isDeepStrictEqual } from 'node:util';
import { cloneJson, isPlainObject, setOwn } from './object-meta.ts';
import { PatchError } from './patch-error.ts';

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw new PatchError('malformed', 'a JSON patch path must be a string');
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError('malformed', `bad JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(list: unknown[], token: string, forAdd: boolean, pointer: string): number {
  if (forAdd && token === '-') return list.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new PatchError('inapplicable', `bad array index "${token}" in ${pointer}`);
  const index = Number(token);
  if (index > list.length || (!forAdd && index === list.length)) {
    throw new PatchError('inapplicable', `array index ${index} out of range in ${pointer}`);
  }
  return index;
}

/** The container holding the pointer's last token. */
function parentOf(doc: unknown, tokens: readonly string[], pointer: string): unknown {
  let current = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[arrayIndex(current, token, false, pointer)];
    else if (isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, token)) current = current[token];
    else throw new PatchError('inapplicable', `path ${pointer} does not exist`);
  }
  return current;
}

function getAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] ?? '';
  if (Array.isArray(parent)) return parent[arrayIndex(parent, last, false, pointer)];
  if (isPlainObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) return parent[last];
  throw new PatchError('inapplicable', `path ${pointer} does not exist`);
}

function removeAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError('inapplicable', 'cannot remove the whole document');
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] ?? '';
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, false, pointer), 1)[0];
  if (isPlainObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
    const value = parent[last];
    delete parent[last];
    return value;
  }
  throw new PatchError('inapplicable', `path ${pointer} does not exist`);
}

/** Adds (or, with replace, overwrites) and returns the new document root. */
function addAt(doc: unknown, pointer: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1] ?? '';
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, last, !replace, pointer);
    parent.splice(index, replace ? 1 : 0, value);
  } else if (isPlainObject(parent)) {
    if (replace && !Object.prototype.hasOwnProperty.call(parent, last))
      throw new PatchError('inapplicable', `path ${pointer} does not exist`);
    setOwn(parent, last, value);
  } else throw new PatchError('inapplicable', `path ${pointer} does not exist`);
  return doc;
}

export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new PatchError('malformed', 'a JSON patch must be a list of operations');
  let doc = cloneJson(target);
  for (const raw of patch) {
    if (!isPlainObject(raw)) throw new PatchError('malformed', 'a JSON patch operation must be an object');
    const op = raw.op;
    const path = typeof raw.path === 'string' ? raw.path : undefined;
    if (path === undefined) throw new PatchError('malformed', `JSON patch operation "${String(op)}" lacks a path`);
    switch (op) {
      case 'add':
      case 'replace':
        if (!('value' in raw)) throw new PatchError('malformed', `JSON patch "${op}" at ${path} lacks a value`);
        doc = addAt(doc, path, cloneJson(raw.value), op === 'replace');
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move': {
        const from = typeof raw.from === 'string' ? raw.from : undefined;
        if (from === undefined) throw new PatchError('malformed', `JSON patch "move" to ${path} lacks "from"`);
        if (path.startsWith(`${from}/`)) throw new PatchError('inapplicable', `cannot move ${from} into itself`);
        doc = addAt(doc, path, removeAt(doc, from), false);
        break;
      }
      case 'copy': {
        const from = typeof raw.from === 'string' ? raw.from : undefined;
        if (from === undefined) throw new PatchError('malformed', `JSON patch "copy" to ${path} lacks "from"`);
        doc = addAt(doc, path, cloneJson(getAt(doc, from)), false);
        break;
      }
      case 'test':
        if (!isDeepStrictEqual(getAt(doc, path), raw.value)) throw new PatchError('inapplicable', `test failed at ${path}`);
        break;
      default:
        throw new PatchError('malformed', `unknown JSON patch operation "${String(op)}"`);
    }
  }
  return doc;
}
