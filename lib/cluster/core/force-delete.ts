// A Node deleted with its finalizers force-removed, as an operator does it (harvester#8968: `kubectl delete node`,
// then a patch that empties metadata.finalizers), so that no finalizer's removal handler runs (rke2's etcd member
// removal among them). The two requests race the handlers: a controller that releases its finalizer between the
// DELETE and the strip has run its handler, and the deletion was then a plain one, not the fault the scenario asked
// for. So the strip is a JSON patch (RFC 6902) that first tests that the finalizers are still the ones the Node held
// before the DELETE (the API server answers 422 when a test fails: k8s.io/apiserver handlers/patch.go applyJSPatch);
// when they are not, the rest is stripped anyway (the operator's intent) and the fault is inconclusive, naming the
// finalizers whose handlers ran.
import type { CoreV1Api, V1Node } from '@kubernetes/client-node';
import type { RequestOptions } from '../../util/api-deadline.ts';
import { jsonPatch, mergePatch } from '../../util/patch-options.ts';
import { statusCodeOf } from '../../util/kubeconfig.ts';
import { InconclusiveFaultError } from './provider.ts';

/** Sends one request: the caller's deadline and options (a content type) around `call`. */
export type SendNodeRequest = <T>(what: string, call: (options?: RequestOptions) => Promise<T>, base?: RequestOptions) => Promise<T>;

const sendDirectly: SendNodeRequest = (_what, call, base) => call(base);

/** The JSON patch that removes `finalizers` only if they are still all there, in that order. */
export function stripFinalizersPatch(finalizers: readonly string[]): object[] {
  return [
    { op: 'test', path: '/metadata/finalizers', value: finalizers },
    { op: 'remove', path: '/metadata/finalizers' },
  ];
}

/** The finalizers the Node had before its DELETE, the ones released by their handlers before the strip. */
export function releasedBeforeStrip(before: readonly string[], now: V1Node | undefined): string[] {
  const left = now?.metadata?.finalizers ?? [];
  return before.filter((f) => !left.includes(f));
}

/**
 * Reads the Node's finalizers, DELETEs it, then strips the finalizers it had unless a handler released one first.
 * Errors of the read and the DELETE (a 404 among them) are the caller's; the strip's 404 or failed test make the
 * fault inconclusive (InconclusiveFaultError for `provider`), after the remaining finalizers are stripped.
 */
export async function forceDeleteNode(
  core: CoreV1Api,
  name: string,
  provider: string,
  send: SendNodeRequest = sendDirectly,
): Promise<void> {
  const before = await finalizersOf(core, name, send);
  await send(`deleting Node ${name}`, (o) => core.deleteNode({ name }, o));
  await stripFinalizers(core, name, before, provider, send);
}

/** The finalizers the Node holds now (read before its DELETE, for stripFinalizers). */
export async function finalizersOf(core: CoreV1Api, name: string, send: SendNodeRequest = sendDirectly): Promise<string[]> {
  return (await send(`reading Node ${name}`, (o) => core.readNode({ name }, o))).metadata?.finalizers ?? [];
}

/**
 * Strips the deleted Node's finalizers if they are still `before` (read before its DELETE); otherwise strips what is
 * left and throws InconclusiveFaultError for `provider`, naming the ones released before the strip.
 */
export async function stripFinalizers(
  core: CoreV1Api,
  name: string,
  before: readonly string[],
  provider: string,
  send: SendNodeRequest = sendDirectly,
): Promise<void> {
  if (before.length === 0) return;
  try {
    await send(
      `removing the finalizers of Node ${name}`,
      (o) => core.patchNode({ name, body: stripFinalizersPatch(before) }, o),
      jsonPatch(),
    );
    return;
  } catch (error) {
    const code = statusCodeOf(error);
    if (code !== 404 && code !== 422) throw error;
  }
  const now = await readNodeUnlessGone(core, name, send);
  if (now && (now.metadata?.finalizers ?? []).length > 0) {
    await send(
      `removing the remaining finalizers of Node ${name}`,
      (o) => core.patchNode({ name, body: { metadata: { finalizers: null } } }, o),
      mergePatch(),
    ).catch((error: unknown) => {
      if (statusCodeOf(error) !== 404) throw error;
    });
  }
  const released = releasedBeforeStrip(before, now);
  throw new InconclusiveFaultError(
    provider,
    'force-delete-node',
    `Node ${name}: ${released.length > 0 ? released.join(', ') : 'its finalizers'} released by their controllers between the DELETE and the strip, so their removal handlers ran (a plain deletion, not the forced one asked for)`,
  );
}

async function readNodeUnlessGone(core: CoreV1Api, name: string, send: SendNodeRequest): Promise<V1Node | undefined> {
  try {
    return await send(`reading Node ${name}`, (o) => core.readNode({ name }, o));
  } catch (error) {
    if (statusCodeOf(error) === 404) return undefined;
    throw error;
  }
}
