// DeleteOptions as a DELETE or an Eviction carries them, and the pods/eviction subresource
// (POST /api/v1/namespaces/<ns>/pods/<name>/eviction), as kube-apiserver's pkg/registry/core/pod/storage/eviction.go
// serves it. The sandbox runs no disruption controller: PodDisruptionBudgets are stored, and a budget selecting the
// pod refuses the eviction until a client writes it a status (disruption-budget.ts); the sandbox itself creates
// none. An allowed eviction deletes the pod with the Eviction's DeleteOptions (a graceful delete: pod-strategy.ts
// podGraceSeconds) and answers 201 with a Status Success, as EvictionREST.Create does. kubectl drain then waits for
// the pod to be gone (k8s.io/kubectl/pkg/drain/drain.go evictPods, waitForDelete).
import { checkDisruptionBudget } from './disruption-budget.ts';
import type { GracefulDelete } from './graceful-delete.ts';
import { parseJson, readBody, sendJson } from './http-io.ts';
import { isPlainObject, metaOf, stringField } from './object-meta.ts';
import { podGraceSeconds } from './pod-strategy.ts';
import type { RequestContext } from './request-context.ts';
import type { ResourceInfo } from './resources.ts';
import type { Route } from './router.ts';
import type { DeletePreconditions } from './storage.ts';
import { badRequest, methodNotAllowed } from './status.ts';

export interface DeleteRequest {
  readonly preconditions: DeletePreconditions;
  /** DeleteOptions.gracePeriodSeconds (the body's, else the query's). */
  readonly gracePeriodSeconds: number | undefined;
}

function graceOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid gracePeriodSeconds ${JSON.stringify(value)}`);
  return n;
}

/** A DeleteOptions body (or none) and the request's query. */
export function deleteRequestOf(body: unknown, params?: URLSearchParams): DeleteRequest {
  const options = isPlainObject(body) ? body : {};
  const preconditions = isPlainObject(options.preconditions) ? options.preconditions : {};
  const uid = stringField(preconditions, 'uid');
  const resourceVersion = stringField(preconditions, 'resourceVersion');
  return {
    preconditions: { ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) },
    gracePeriodSeconds: graceOf(options.gracePeriodSeconds) ?? graceOf(params?.get('gracePeriodSeconds')),
  };
}

/** How a delete of this resource is graceful: Pods only (their strategy implements CheckGracefulDelete). */
export function gracefulDeleteOf(info: ResourceInfo, requestedSeconds: number | undefined): GracefulDelete | undefined {
  if (info.group !== '' || info.resource !== 'pods') return undefined;
  return { requestedSeconds, graceSecondsOf: (pod) => podGraceSeconds(pod, requestedSeconds) };
}

const EVICTION_VERSIONS = new Set(['policy/v1', 'policy/v1beta1']);

/** POST pods/<name>/eviction. A pod that is not there is a 404 (drain takes that as evicted). */
export async function handleEviction(ctx: RequestContext, route: Extract<Route, { kind: 'resource' }>, name: string): Promise<void> {
  if (ctx.req.method !== 'POST') {
    throw methodNotAllowed(`the server does not allow this method on the requested resource (${ctx.req.method ?? '?'} pods/eviction)`);
  }
  const body = parseJson(await readBody(ctx.req, ctx.signal));
  if (!isPlainObject(body)) throw badRequest('the request body must be a JSON object');
  const kind = stringField(body, 'kind');
  const apiVersion = stringField(body, 'apiVersion');
  if ((kind !== undefined && kind !== 'Eviction') || (apiVersion !== undefined && !EVICTION_VERSIONS.has(apiVersion))) {
    throw badRequest(`the object provided is unrecognized (expected policy/v1/Eviction, got ${apiVersion ?? '?'}/${kind ?? '?'})`);
  }
  if (stringField(metaOf(body), 'name') !== name) throw badRequest('name in URL does not match name in Eviction object');
  const request = deleteRequestOf(body.deleteOptions);
  const pod = await ctx.store.get(route.info, route.namespace, name, ctx.signal);
  await checkDisruptionBudget(ctx, route.namespace, pod);
  await ctx.store.delete(
    route.info,
    route.namespace,
    name,
    request.preconditions,
    ctx.signal,
    gracefulDeleteOf(route.info, request.gracePeriodSeconds),
  );
  sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
