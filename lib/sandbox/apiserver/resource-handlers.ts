// The verbs on a resource path: get, list, watch, create, update, patch, delete, deletecollection.
import { deleteRequestOf, gracefulDeleteOf, handleEviction } from './eviction.ts';
import { decodeContinue, parseLimit } from './pagination.ts';
import type { ListOutcome } from './storage.ts';
import { parseJson, readBody, sendJson } from './http-io.ts';
import { isPlainObject, metaOf, stringField, type KubeObject } from './object-meta.ts';
import { applyPatch, patchTypeOf } from './patch.ts';
import type { RequestContext } from './request-context.ts';
import { deleteDryRun, optionsKindOf, queryDryRun } from './dry-run.ts';
import { checkFields, fieldValidationOf } from './field-validation.ts';
import { apiVersionOf, storageKey, type ResourceInfo } from './resources.ts';
import type { Route } from './router.ts';
import { requestFilter } from './selectors.ts';
import { ApiError, badRequest, methodNotAllowed, notFound, pathNotFound, successStatus, unsupportedMediaType } from './status.ts';
import { checkNamespace, checkTypeMeta, nameForCreate, prepareForCreate, prepareForUpdate } from './strategy.ts';
import { toTable, wantsTable } from './table.ts';
import { serveWatch } from './watch-handler.ts';
import { queryBool } from './query-bool.ts';

type ResourceRoute = Extract<Route, { kind: 'resource' }>;

function isWatch(ctx: RequestContext, route: ResourceRoute): boolean {
  return route.legacyWatch || queryBool(ctx.url.searchParams, 'watch');
}

async function readObject(ctx: RequestContext): Promise<KubeObject> {
  const body = parseJson(await readBody(ctx.req, ctx.signal));
  if (!isPlainObject(body)) throw badRequest('the request body must be a JSON object');
  return body;
}

function checkBodyName(body: KubeObject, name: string): void {
  const given = stringField(metaOf(body), 'name');
  if (given !== undefined && given !== '' && given !== name) {
    throw badRequest(`the name of the object (${given}) does not match the name on the URL (${name})`);
  }
}

/** What a list's metadata says besides its items: the resourceVersion, and for a chunk where the next one starts. */
type ListMeta = Pick<ListOutcome, 'resourceVersion' | 'continue' | 'remainingItemCount'>;

/** A list as Kubernetes sends it: items without kind/apiVersion. */
function listOf(info: ResourceInfo, items: KubeObject[], meta: ListMeta): Record<string, unknown> {
  const bare = items.map((item) => {
    const rest = { ...item };
    delete rest.kind;
    delete rest.apiVersion;
    return rest;
  });
  return { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata: { ...meta }, items: bare };
}

/** A list or object reply, as a Table when kubectl asks for one. */
function sendRead(ctx: RequestContext, info: ResourceInfo, items: KubeObject[], meta: ListMeta, single: boolean): void {
  if (wantsTable(ctx.req.headers.accept)) {
    sendJson(ctx.res, 200, toTable(info, items, meta.resourceVersion, ctx.url.searchParams.get('includeObject'), meta.continue));
  } else {
    sendJson(ctx.res, 200, single ? items[0] : listOf(info, items, meta));
  }
}

async function list(ctx: RequestContext, info: ResourceInfo, namespace: string | undefined): Promise<void> {
  const params = ctx.url.searchParams;
  const filter = requestFilter(info, params);
  const limit = parseLimit(params.get('limit'));
  const continued = params.get('continue');
  const resourceVersion = params.get('resourceVersion') ?? '';
  if (continued && resourceVersion !== '') throw badRequest('specifying resource version is not allowed when using continue');
  const exact = params.get('resourceVersionMatch') === 'Exact';
  // Any state will do ("0", not a chunk): from the watch cache when it is live, as kube-apiserver's Cacher serves it.
  const cached =
    resourceVersion === '0' && !exact && limit === undefined
      ? ctx.cache.read(storageKey(info, undefined), storageKey(info, namespace))
      : undefined;
  if (cached) {
    const items = cached.kvs.map((kv) => ctx.store.decode(kv)).filter((o) => filter.matches(o));
    sendRead(ctx, info, items, { resourceVersion: String(cached.revision) }, false);
    return;
  }
  const result = await ctx.store.list(
    info,
    namespace,
    {
      resourceVersion,
      exact,
      // kube-apiserver's predicate is Everything without selectors: then a chunk counts what remains.
      filter: params.get('labelSelector') || params.get('fieldSelector') ? filter.matches : undefined,
      limit,
      continueFrom: continued ? decodeContinue(continued) : undefined,
    },
    ctx.signal,
  );
  sendRead(ctx, info, result.items, result, false);
}

async function get(ctx: RequestContext, route: ResourceRoute, name: string): Promise<void> {
  const { info, namespace } = route;
  // Any state will do ("0", as a kubelet's node status read asks: FromApiserverCache): from the watch cache when live.
  const key = storageKey(info, namespace, name);
  const cached = ctx.url.searchParams.get('resourceVersion') === '0' ? ctx.cache.read(storageKey(info, undefined), key) : undefined;
  const kv = cached?.kvs.find((k) => k.key === key);
  if (cached && !kv) throw notFound(info, name);
  const obj = kv ? ctx.store.decode(kv) : await ctx.store.get(info, namespace, name, ctx.signal);
  sendRead(ctx, info, [obj], { resourceVersion: stringField(metaOf(obj), 'resourceVersion') ?? '' }, true);
}

async function create(ctx: RequestContext, info: ResourceInfo, namespace: string | undefined): Promise<void> {
  const body = await readObject(ctx);
  checkTypeMeta(info, body);
  checkNamespace(info, body, namespace);
  const name = nameForCreate(info, body);
  checkFields(info, body, fieldValidationOf(ctx.url.searchParams, 'CreateOptions'), ctx.res);
  const created = await ctx.store.create(info, namespace, prepareForCreate(info, body, name, namespace), ctx.signal);
  sendJson(ctx.res, 201, created);
}

async function update(ctx: RequestContext, route: ResourceRoute, name: string, subresource: 'status' | undefined): Promise<void> {
  const { info, namespace } = route;
  const body = await readObject(ctx);
  checkTypeMeta(info, body);
  checkBodyName(body, name);
  checkNamespace(info, body, namespace);
  checkFields(info, body, fieldValidationOf(ctx.url.searchParams, 'UpdateOptions'), ctx.res);
  const expected = stringField(metaOf(body), 'resourceVersion');
  const updated = await ctx.store.update(
    info,
    namespace,
    name,
    (current) => ({ object: prepareForUpdate(info, current, body, subresource), expectedResourceVersion: expected }),
    ctx.signal,
  );
  sendJson(ctx.res, 200, updated);
}

async function patch(ctx: RequestContext, route: ResourceRoute, name: string, subresource: 'status' | undefined): Promise<void> {
  const { info, namespace } = route;
  const contentType = ctx.req.headers['content-type'] ?? '';
  const type = patchTypeOf(contentType);
  if (!type) throw unsupportedMediaType(contentType);
  const directive = fieldValidationOf(ctx.url.searchParams, 'PatchOptions');
  const patchDoc = parseJson(await readBody(ctx.req, ctx.signal));
  const patched = await ctx.store.update(
    info,
    namespace,
    name,
    (current) => {
      const result = applyPatch(type, current, patchDoc);
      if (!isPlainObject(result)) throw new ApiError(422, 'Invalid', 'the patch does not leave an object');
      checkFields(info, result, directive, ctx.res);
      const currentRv = stringField(metaOf(current), 'resourceVersion');
      const patchedRv = stringField(metaOf(result), 'resourceVersion');
      return {
        object: prepareForUpdate(info, current, result, subresource),
        // A patch that sets resourceVersion makes it a precondition, as in Kubernetes.
        expectedResourceVersion: patchedRv !== currentRv ? patchedRv : undefined,
      };
    },
    ctx.signal,
  );
  sendJson(ctx.res, 200, patched);
}

/** The request's DeleteOptions (body and query): its preconditions and grace period. */
async function readDeleteOptions(ctx: RequestContext): Promise<ReturnType<typeof deleteRequestOf> & { dryRun: boolean }> {
  const raw = await readBody(ctx.req, ctx.signal);
  const body = raw.length === 0 ? undefined : parseJson(raw);
  return { ...deleteRequestOf(body, ctx.url.searchParams), dryRun: deleteDryRun(body, ctx.url.searchParams) };
}

async function remove(ctx: RequestContext, route: ResourceRoute, name: string): Promise<void> {
  const { info, namespace } = route;
  const options = await readDeleteOptions(ctx);
  const graceful = gracefulDeleteOf(info, options.gracePeriodSeconds);
  const store = options.dryRun ? ctx.store.asDryRun() : ctx.store;
  const outcome = await store.delete(info, namespace, name, options.preconditions, ctx.signal, graceful);
  if (!outcome.deleted) {
    sendJson(ctx.res, 200, outcome.object);
    return;
  }
  const uid = stringField(metaOf(outcome.object), 'uid');
  sendJson(ctx.res, 200, successStatus(info, name, uid));
}

async function removeCollection(ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const { info, namespace } = route;
  const options = await readDeleteOptions(ctx);
  const store = options.dryRun ? ctx.store.asDryRun() : ctx.store;
  const filter = requestFilter(info, ctx.url.searchParams);
  const listed = await ctx.store.list(info, namespace, { filter: filter.matches }, ctx.signal);
  const removed: KubeObject[] = [];
  for (const obj of listed.items) {
    const meta = metaOf(obj);
    const objNamespace = info.namespaced ? stringField(meta, 'namespace') : undefined;
    try {
      const graceful = gracefulDeleteOf(info, options.gracePeriodSeconds);
      const outcome = await store.delete(info, objNamespace, stringField(meta, 'name') ?? '', {}, ctx.signal, graceful);
      removed.push(outcome.object);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }
  sendJson(ctx.res, 200, listOf(info, removed, { resourceVersion: listed.resourceVersion }));
}

export async function handleResource(ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const { info, namespace, name, subresource } = route;
  // dryRun=All (dry-run.ts): the write runs against a store that stores nothing. A DELETE reads it from its body.
  const optionsKind = optionsKindOf(ctx.req.method ?? 'GET');
  if (optionsKind && optionsKind !== 'DeleteOptions' && queryDryRun(ctx.url.searchParams, optionsKind)) {
    ctx = { ...ctx, store: ctx.store.asDryRun() };
  }
  if (subresource === 'eviction' && info.resource === 'pods' && info.group === '' && name !== undefined) {
    return handleEviction(ctx, route, name);
  }
  if (subresource !== undefined && !(subresource === 'status' && info.hasStatus)) throw pathNotFound();
  const status = subresource === 'status' ? 'status' : undefined;
  const method = ctx.req.method ?? 'GET';
  const allNamespaces = info.namespaced && namespace === undefined;
  if (name === undefined) {
    if (subresource !== undefined) throw pathNotFound();
    switch (method) {
      case 'GET':
        return isWatch(ctx, route) ? serveWatch(ctx, info, namespace, undefined) : list(ctx, info, namespace);
      case 'POST':
        if (allNamespaces) throw methodNotAllowed(`create of ${info.resource} needs a namespace in the path`);
        return create(ctx, info, namespace);
      case 'DELETE':
        return removeCollection(ctx, route);
      default:
        throw methodNotAllowed(`the server does not allow this method on the requested resource (${method} ${info.resource})`);
    }
  }
  switch (method) {
    case 'GET':
      if (isWatch(ctx, route)) return serveWatch(ctx, info, namespace, name);
      return get(ctx, route, name);
    case 'PUT':
      return update(ctx, route, name, status);
    case 'PATCH':
      return patch(ctx, route, name, status);
    case 'DELETE':
      if (status) break;
      return remove(ctx, route, name);
    default:
      break;
  }
  throw methodNotAllowed(
    `the server does not allow this method on the requested resource (${method} ${info.resource}${status ? '/status' : ''})`,
  );
}
