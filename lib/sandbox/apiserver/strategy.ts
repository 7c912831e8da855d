// What the server does to an object on create and update, per resource: identity and timestamps on create,
// immutable metadata kept on update, status only through /status, generation bumped on spec changes.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { cloneJson, isPlainObject, metaOf, nowTimestamp, setOwn, stringField, type KubeObject } from './object-meta.ts';
import { preparePodForCreate } from './pod-strategy.ts';
import { apiVersionOf, type ResourceInfo } from './resources.ts';
import { badRequest, invalid } from './status.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Metadata the server owns: a client's update cannot change it. */
const IMMUTABLE_META = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'name', 'namespace'] as const;

export function validateName(info: ResourceInfo, name: string): void {
  const label = info.resource === 'namespaces';
  const ok = label ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253;
  if (!ok) {
    const rule = label ? 'a lowercase RFC 1123 label' : 'a lowercase RFC 1123 subdomain';
    invalidName(info, name, `Invalid value: "${name}": must be ${rule}`);
  }
}

function invalidName(info: ResourceInfo, name: string, message: string): never {
  throw invalid(info.kind, name, [{ field: 'metadata.name', message }]);
}

/** Checks a body's kind/apiVersion (when given) against the resource. */
export function checkTypeMeta(info: ResourceInfo, body: KubeObject): void {
  const kind = stringField(body, 'kind');
  const apiVersion = stringField(body, 'apiVersion');
  if ((kind !== undefined && kind !== info.kind) || (apiVersion !== undefined && apiVersion !== apiVersionOf(info))) {
    throw badRequest(
      `the object provided is unrecognized (expected ${apiVersionOf(info)}/${info.kind}, got ${apiVersion ?? '?'}/${kind ?? '?'})`,
    );
  }
}

/** Checks a body's namespace against the request's (a namespaced body without one gets the request's). */
export function checkNamespace(info: ResourceInfo, body: KubeObject, namespace: string | undefined): void {
  const meta = metaOf(body);
  const given = stringField(meta, 'namespace');
  if (!info.namespaced) {
    if (given) delete meta.namespace;
    return;
  }
  if (given && given !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

/** The name a create will use: metadata.name, or generateName plus five random characters. */
export function nameForCreate(info: ResourceInfo, body: KubeObject): string {
  const meta = metaOf(body);
  let name = stringField(meta, 'name') ?? '';
  const generateName = stringField(meta, 'generateName') ?? '';
  if (!name && generateName) {
    for (let i = 0; i < 5; i++) name += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)] ?? 'x';
    name = generateName + name;
  }
  if (!name) throw invalid(info.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  validateName(info, name);
  return name;
}

/** The object as stored on create. `body` has passed checkTypeMeta/checkNamespace. */
export function prepareForCreate(
  info: ResourceInfo,
  body: KubeObject,
  name: string,
  namespace: string | undefined,
  now = new Date(),
): KubeObject {
  const obj = cloneJson(body);
  setOwn(obj, 'apiVersion', apiVersionOf(info));
  setOwn(obj, 'kind', info.kind);
  const meta = metaOf(obj);
  meta.name = name;
  if (info.namespaced) meta.namespace = namespace;
  else delete meta.namespace;
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp(now);
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (info.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  if (info.clearStatusOnCreate) delete obj.status;
  if (info.resource === 'namespaces') setOwn(obj, 'status', { phase: 'Active' });
  if (info.resource === 'pods') preparePodForCreate(obj);
  return obj;
}

/**
 * The object as stored after an update of `next` over `old` (both without resourceVersion).
 * subresource 'status' takes only next's status; the main resource keeps old's status when the resource has one.
 */
export function prepareForUpdate(info: ResourceInfo, old: KubeObject, next: KubeObject, subresource: 'status' | undefined): KubeObject {
  if (subresource === 'status') {
    const obj = cloneJson(old);
    if (next.status === undefined) delete obj.status;
    else setOwn(obj, 'status', cloneJson(next.status));
    return obj;
  }
  const obj = cloneJson(next);
  setOwn(obj, 'apiVersion', apiVersionOf(info));
  setOwn(obj, 'kind', info.kind);
  const meta = metaOf(obj);
  const oldMeta = isPlainObject(old.metadata) ? old.metadata : {};
  for (const key of IMMUTABLE_META) {
    if (oldMeta[key] === undefined) delete meta[key];
    else meta[key] = oldMeta[key];
  }
  delete meta.resourceVersion;
  delete meta.selfLink;
  if (info.tracksGeneration) {
    const oldGeneration = typeof oldMeta.generation === 'number' ? oldMeta.generation : 1;
    meta.generation = isDeepStrictEqual(old.spec, obj.spec) ? oldGeneration : oldGeneration + 1;
  } else delete meta.generation;
  if (info.hasStatus) {
    if (old.status === undefined) delete obj.status;
    else setOwn(obj, 'status', cloneJson(old.status));
  }
  return obj;
}
