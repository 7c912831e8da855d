// Strategic merge patch, for the fields this server's resources have: a merge patch whose lists are replaced,
// except lists Kubernetes declares mergeable: metadata.finalizers (set union), ownerReferences (by uid),
// status.conditions and status.addresses (by type), pod template containers/volumes/env (by name).
// Directives: `$patch: replace|delete|merge` in maps and list items, `$deleteFromPrimitiveList/<field>`,
// `$retainKeys`, and `$setElementOrder/<field>` (accepted, ordering ignored).
import { cloneJson, isPlainObject, setOwn } from './object-meta.ts';
import { PatchError } from './patch-error.ts';

type ListStrategy = { readonly kind: 'replace' } | { readonly kind: 'primitive' } | { readonly kind: 'key'; readonly key: string };

const REPLACE: ListStrategy = { kind: 'replace' };

/** How the list at `path` (map keys from the root) merges. */
export function listStrategy(path: readonly string[]): ListStrategy {
  const joined = path.join('.');
  const last = path[path.length - 1];
  if (joined === 'metadata.finalizers') return { kind: 'primitive' };
  if (joined === 'metadata.ownerReferences') return { kind: 'key', key: 'uid' };
  if (path[0] === 'status' && (last === 'conditions' || joined === 'status.addresses')) return { kind: 'key', key: 'type' };
  if (last === 'containers' || last === 'initContainers' || last === 'volumes' || last === 'env') {
    return path.includes('spec') ? { kind: 'key', key: 'name' } : REPLACE;
  }
  if (last === 'volumeMounts') return { kind: 'key', key: 'mountPath' };
  return REPLACE;
}

const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .filter((item) => !(isPlainObject(item) && item.$patch !== undefined && Object.keys(item).length === 1))
      .map(stripDirectives);
  }
  if (!isPlainObject(value)) return cloneJson(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) continue;
    if (v === null) continue;
    setOwn(out, k, stripDirectives(v));
  }
  return out;
}

function mergeList(original: unknown, patch: unknown[], path: readonly string[]): unknown[] {
  const replaceMarker = patch.find((item) => isPlainObject(item) && item.$patch === 'replace');
  if (replaceMarker !== undefined) return stripDirectives(patch.filter((i) => i !== replaceMarker)) as unknown[];
  const strategy = listStrategy(path);
  const base = Array.isArray(original) ? original : [];
  if (strategy.kind === 'replace') return stripDirectives(patch) as unknown[];
  if (strategy.kind === 'primitive') {
    const out = [...base];
    for (const item of patch) if (!out.some((existing) => existing === item)) out.push(item);
    return out;
  }
  const out: unknown[] = base.map((item) => cloneJson(item));
  for (const item of patch) {
    if (!isPlainObject(item))
      throw new PatchError('inapplicable', `list ${path.join('.')} merges by "${strategy.key}": items must be objects`);
    const key = item[strategy.key];
    if (key === undefined) throw new PatchError('inapplicable', `list ${path.join('.')} item lacks its merge key "${strategy.key}"`);
    const index = out.findIndex((existing) => isPlainObject(existing) && existing[strategy.key] === key);
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = mergeMap(out[index], item, path);
    else out.push(stripDirectives(item));
  }
  return out;
}

function mergeMap(original: unknown, patch: Record<string, unknown>, path: readonly string[]): unknown {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirectives(patch);
  if (directive !== undefined && directive !== 'merge')
    throw new PatchError('malformed', `unknown $patch directive "${String(directive)}"`);
  const result: Record<string, unknown> = {};
  if (isPlainObject(original)) for (const [k, v] of Object.entries(original)) setOwn(result, k, v);
  const retain = patch.$retainKeys;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE.length);
      const current = result[field];
      if (!Array.isArray(value)) throw new PatchError('malformed', `${key} must be a list`);
      if (Array.isArray(current))
        setOwn(
          result,
          field,
          current.filter((item) => !value.includes(item)),
        );
      continue;
    }
    if (key.startsWith('$')) throw new PatchError('malformed', `unknown directive "${key}"`);
    const childPath = [...path, key];
    if (value === null) delete result[key];
    else if (Array.isArray(value)) setOwn(result, key, mergeList(result[key], value, childPath));
    else if (isPlainObject(value)) {
      const merged = mergeMap(result[key], value, childPath);
      if (merged === undefined) delete result[key];
      else setOwn(result, key, merged);
    } else setOwn(result, key, value);
  }
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }
  return result;
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) throw new PatchError('malformed', 'a strategic merge patch must be a JSON object');
  const merged = mergeMap(target, patch, []);
  return merged === undefined ? {} : merged;
}
