// Finalizers on Nodes, as wrangler's OnRemove handlers keep them (rancher/wrangler pkg/generic/remove.go,
// objectLifecycleAdapter): a controller that registers `nodes.OnRemove(ctx, name, handler)` adds the finalizer
// `wrangler.cattle.io/<name>` to every Node that is not being deleted (no condition given: includeAll, workers
// too); on a Node with a deletionTimestamp that still carries it, it runs the handler, then removes its finalizer.
// A handler error keeps the finalizer, and the key is retried (the controller's rate-limited work queue). Each
// controller works on its own (on a real cluster they run in different processes), so the releases come in no
// fixed order: the API server removes the Node when the last finalizer is gone, and until then the Node is
// Terminating — still listed, labels and all.
//
// The hold (the sandbox's nodeRemoval.finalizerHoldMs) stands for the time these controllers take on a real
// cluster before their handlers have run: their work queues and retry backoff, a leader that has to fail over
// first, the calls the handlers make (etcd's member removal, the Machine delete request). Upstream gives no figure;
// Harvester's docs (host/host.md since harvester/docs PR 1108) say a removal "typically completes within one
// minute". During the hold no handler runs: the etcd member stays and the Node keeps every finalizer. It is
// measured from the Node's deletionTimestamp (whole seconds, as the API server writes it), so it survives a change
// of controller leader.
import type { V1Node } from '@kubernetes/client-node';
import type { FailoverApiClient } from './api-client.ts';
import type { Controller } from './controller-manager.ts';
import { errorMessage } from '../../util/errors.ts';
import { mergePatch } from '../../util/patch-options.ts';

/** wrangler's finalizer prefix (pkg/generic/remove.go finalizerKey). */
export const WRANGLER_FINALIZER_PREFIX = 'wrangler.cattle.io/';

/** The finalizer a wrangler OnRemove handler registered under `controller` keeps on Nodes. */
export function finalizerOf(controller: string): string {
  return `${WRANGLER_FINALIZER_PREFIX}${controller}`;
}

/** One controller's OnRemove handler on Nodes. */
export interface NodeRemoveHandler {
  /** The name the controller registers with wrangler: its finalizer is wrangler.cattle.io/<controller>. */
  readonly controller: string;
  /** Runs on a deleted Node that still carries the finalizer; throws to keep it (retried at the next pass). */
  onRemove(node: V1Node): Promise<void>;
}

export interface NodeFinalizerOptions {
  /** How long after its deletionTimestamp a deleted Node's handlers run (default 0: at the next pass). */
  readonly holdMs?: number;
  readonly now?: () => Date;
}

export interface NodeFinalizerPass {
  /** Finalizers added to Nodes that are not being deleted, as "<node> <finalizer>". */
  readonly added: string[];
  /** Deleted Nodes whose hold has not ended yet: no handler ran on them. */
  readonly held: string[];
  /** Finalizers released, as "<node> <finalizer>", in the order they were. */
  readonly released: string[];
  /** Handlers (or releases) that failed: their finalizer stays. */
  readonly failed: { readonly node: string; readonly finalizer: string; readonly error: string }[];
}

/** When a deleted Node's hold ends (ms since the epoch), or undefined when it is not being deleted. */
export function holdEndsMs(node: V1Node, holdMs: number): number | undefined {
  const deletion = node.metadata?.deletionTimestamp;
  if (deletion === undefined || deletion === null) return undefined;
  return new Date(deletion).getTime() + holdMs;
}

async function setFinalizers(api: FailoverApiClient, node: V1Node, finalizers: readonly string[]): Promise<V1Node> {
  const name = node.metadata?.name as string;
  return api.call(`set finalizers of node ${name}`, (a, requestOptions) =>
    a.core.patchNode(
      {
        name,
        body: { metadata: { finalizers: finalizers.length > 0 ? finalizers : null, resourceVersion: node.metadata?.resourceVersion } },
      },
      mergePatch(requestOptions),
    ),
  );
}

/**
 * One pass of every handler's controller over the listed Nodes: finalizers added to live Nodes (in the handlers'
 * order, one write per Node), and on each deleted Node whose hold has ended, each handler whose finalizer it still
 * carries runs and releases it. A failing handler keeps its own finalizer only; the others still release theirs.
 */
export async function reconcileNodeFinalizers(
  api: FailoverApiClient,
  handlers: readonly NodeRemoveHandler[],
  options: NodeFinalizerOptions = {},
): Promise<NodeFinalizerPass> {
  const pass: NodeFinalizerPass = { added: [], held: [], released: [], failed: [] };
  const holdMs = options.holdMs ?? 0;
  const nowMs = (options.now?.() ?? new Date()).getTime();
  const nodes = await api.list('nodes', 'list nodes', (a, requestOptions) => a.core.listNode({}, requestOptions));
  for (const node of nodes.items) {
    const name = node.metadata?.name;
    if (!name) continue;
    const finalizers = node.metadata?.finalizers ?? [];
    const endsMs = holdEndsMs(node, holdMs);
    if (endsMs === undefined) {
      const missing = handlers.map((h) => finalizerOf(h.controller)).filter((f) => !finalizers.includes(f));
      if (missing.length === 0) continue;
      try {
        await setFinalizers(api, node, [...finalizers, ...missing]);
        pass.added.push(...missing.map((f) => `${name} ${f}`));
      } catch (error) {
        pass.failed.push({ node: name, finalizer: missing.join(', '), error: errorMessage(error) });
      }
      continue;
    }
    if (nowMs < endsMs) {
      pass.held.push(name);
      continue;
    }
    let current = node;
    for (const handler of handlers) {
      const finalizer = finalizerOf(handler.controller);
      const held = current.metadata?.finalizers ?? [];
      if (!held.includes(finalizer)) continue;
      try {
        await handler.onRemove(current);
        current = await setFinalizers(
          api,
          current,
          held.filter((f) => f !== finalizer),
        );
        pass.released.push(`${name} ${finalizer}`);
      } catch (error) {
        pass.failed.push({ node: name, finalizer, error: errorMessage(error) });
        // The next handler works on the Node as it is now (a conflict means it changed: the kubelet's heartbeat).
        const fresh = await readNode(api, name);
        if (fresh === undefined) break;
        current = fresh;
      }
    }
  }
  return pass;
}

/** The Node as stored now; undefined when it is gone or cannot be read (the next pass tries again). */
async function readNode(api: FailoverApiClient, name: string): Promise<V1Node | undefined> {
  try {
    return await api.call(`read node ${name}`, (a, requestOptions) => a.core.readNode({ name }, requestOptions));
  } catch {
    return undefined;
  }
}

/** The handlers' controllers as one controller of the sandbox's controller manager. */
export class NodeFinalizerController implements Controller {
  readonly name = 'node-finalizers';

  constructor(
    private readonly api: FailoverApiClient,
    private readonly handlers: readonly NodeRemoveHandler[],
    private readonly options: NodeFinalizerOptions = {},
  ) {}

  /** One pass; throws (for the manager's log) when a handler failed, after every other Node was handled. */
  async reconcile(): Promise<NodeFinalizerPass> {
    const pass = await reconcileNodeFinalizers(this.api, this.handlers, this.options);
    if (pass.failed.length > 0) {
      throw new Error(pass.failed.map((f) => `${f.node} ${f.finalizer}: ${f.error}`).join('; '));
    }
    return pass;
  }
}
