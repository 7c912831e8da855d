// JSON merge patch (RFC 7386): objects merge recursively, null deletes, anything else replaces.
import { cloneJson, isPlainObject, setOwn } from './object-meta.ts';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = {};
  if (isPlainObject(target)) for (const [k, v] of Object.entries(target)) setOwn(result, k, v);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, applyMergePatch(result[key], value));
  }
  return result;
}
