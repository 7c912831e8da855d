// A Node deleted with its finalizers force-removed, so that no finalizer's removal handler runs (rke2's etcd member
// removal among them): the fault of harvester#8968, where an operator ran `kubectl delete node` and then a patch
// that emptied metadata.finalizers. Sent in that order, the two requests race the handlers: every wrangler OnRemove
// handler runs once the Node has a deletionTimestamp (rancher/wrangler pkg/generic/remove.go), and one that releases
// its finalizer before the strip has run, so the deletion was then a plain one, not the fault asked for.
//
// So the harness strips first and deletes second, which leaves the handlers no moment to run:
//   1. GET the Node: its finalizers and resourceVersion;
//   2. PATCH a JSON patch (RFC 6902) that tests that the finalizers are still those, then removes them (a failed
//      test is 422: k8s.io/apiserver handlers/patch.go applyJSPatch); its answer carries the new resourceVersion;
//   3. DELETE with preconditions.resourceVersion from that answer: a Node without finalizers is removed at once
//      (no deletionTimestamp, no Terminating phase), and the precondition refuses the DELETE (409) when anything
//      changed the Node since the strip, a wrangler controller above all, which adds its finalizer back to any Node
//      not being deleted (remove.go addFinalizer). Then the round starts again.
// The Node is gone exactly as after the operator's two requests when no handler ran in between; watchers see the
// finalizers go (a MODIFIED event), then the Node (DELETED), without a Terminating phase in between.
import type { CoreV1Api, V1Node } from '@kubernetes/client-node';
import type { RequestOptions } from '../../util/api-deadline.ts';
import { jsonPatch, mergePatch } from '../../util/patch-options.ts';
import { statusCodeOf } from '../../util/kubeconfig.ts';
import { InconclusiveFaultError } from './provider.ts';

/** Sends one request: the caller's deadline and options (a content type) around `call`. */
export type SendNodeRequest = <T>(what: string, call: (options?: RequestOptions) => Promise<T>, base?: RequestOptions) => Promise<T>;

const sendDirectly: SendNodeRequest = (_what, call, base) => call(base);

/**
 * Rounds of strip-then-DELETE before the fault is given up as inconclusive: a lost round is a controller that put a
 * finalizer back (or changed the Node otherwise) between the strip and the DELETE, which a controller answering in
 * less than one round trip does every time.
 */
export const FORCE_DELETE_ROUNDS = 5;

/**
 * A forced deletion that could not be shown. `nodeDeleting` tells the provider what became of the Node: true when it
 * was already being deleted (it goes once its handlers release it, so its host's removal goes on), false when every
 * round was lost (the Node is still there, finalizers and all, and nothing of it may be removed).
 */
export class ForceDeleteInconclusiveError extends InconclusiveFaultError {
  constructor(
    provider: string,
    reason: string,
    readonly nodeDeleting: boolean,
  ) {
    super(provider, 'force-delete-node', reason);
    this.name = 'ForceDeleteInconclusiveError';
  }
}

/** The JSON patch that removes `finalizers` only if they are still all there, in that order. */
export function stripFinalizersPatch(finalizers: readonly string[]): object[] {
  return [
    { op: 'test', path: '/metadata/finalizers', value: finalizers },
    { op: 'remove', path: '/metadata/finalizers' },
  ];
}

/**
 * Strips the Node's finalizers, then DELETEs it at the resourceVersion the strip left (see the top of this file),
 * up to FORCE_DELETE_ROUNDS times. Errors other than the strip's 422 and the DELETE's 409 (a 404 among them) are the
 * caller's. A Node already being deleted, or one whose controllers won every round, makes the fault inconclusive
 * (ForceDeleteInconclusiveError for `provider`, saying which).
 */
export async function forceDeleteNode(
  core: CoreV1Api,
  name: string,
  provider: string,
  send: SendNodeRequest = sendDirectly,
): Promise<void> {
  for (let round = 1; round <= FORCE_DELETE_ROUNDS; round += 1) {
    const node = await send(`reading Node ${name}`, (o) => core.readNode({ name }, o));
    if (node.metadata?.deletionTimestamp) await alreadyDeleting(core, node, provider, send);
    const resourceVersion = await stripFinalizers(core, node, send);
    if (resourceVersion === undefined) continue;
    try {
      await send(`deleting Node ${name} at resourceVersion ${resourceVersion}`, (o) =>
        core.deleteNode({ name, body: { preconditions: { resourceVersion } } }, o),
      );
      return;
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
    }
  }
  throw new ForceDeleteInconclusiveError(
    provider,
    `Node ${name}: in each of ${FORCE_DELETE_ROUNDS} rounds it changed between the strip of its finalizers and the DELETE (a controller put its finalizer back), so it could not be deleted without its removal handlers; it is left as it was`,
    false,
  );
}

/** Strips the Node's finalizers if they are still the ones read: the new resourceVersion, undefined when they changed. */
async function stripFinalizers(core: CoreV1Api, node: V1Node, send: SendNodeRequest): Promise<string | undefined> {
  const name = node.metadata?.name ?? '';
  const finalizers = node.metadata?.finalizers ?? [];
  if (finalizers.length === 0) return node.metadata?.resourceVersion;
  try {
    const stripped = await send(
      `removing the finalizers of Node ${name}`,
      (o) => core.patchNode({ name, body: stripFinalizersPatch(finalizers) }, o),
      jsonPatch(),
    );
    return stripped.metadata?.resourceVersion;
  } catch (error) {
    if (statusCodeOf(error) === 422) return undefined;
    throw error;
  }
}

/**
 * A Node that was Terminating before the forced deletion began: its handlers may have run already. What is left is
 * stripped (the operator's intent) and the fault is inconclusive.
 */
async function alreadyDeleting(core: CoreV1Api, node: V1Node, provider: string, send: SendNodeRequest): Promise<never> {
  const name = node.metadata?.name ?? '';
  const left = node.metadata?.finalizers ?? [];
  const since = node.metadata?.deletionTimestamp;
  if (left.length > 0) {
    await send(
      `removing the remaining finalizers of Node ${name}`,
      (o) => core.patchNode({ name, body: { metadata: { finalizers: null } } }, o),
      mergePatch(),
    ).catch((error: unknown) => {
      if (statusCodeOf(error) !== 404) throw error;
    });
  }
  throw new ForceDeleteInconclusiveError(
    provider,
    `Node ${name} was already being deleted (Terminating since ${since instanceof Date ? since.toISOString() : String(since)}) when the forced deletion began, so its removal handlers may have run (left: ${left.join(', ') || 'no finalizer'})`,
    true,
  );
}
