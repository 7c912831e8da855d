// What a DELETE does to a stored object, as kube-apiserver's generic registry decides it (staging/src/k8s.io/apiserver
// pkg/registry/rest/delete.go BeforeDelete, pkg/registry/generic/registry/store.go Delete and
// updateForGracefulDeletionAndFinalizers): remove it now, mark it (deletionTimestamp, deletionGracePeriodSeconds), or
// leave it as it is. Only Pods delete gracefully here (their strategy's CheckGracefulDelete: pod-strategy.ts).
import { finalizersOf, isPlainObject, nowTimestamp, setOwn, type KubeObject } from './object-meta.ts';

/** A graceful resource's delete: the grace period the request asked for, and the strategy's grace for an object. */
export interface GracefulDelete {
  readonly requestedSeconds: number | undefined;
  graceSecondsOf(current: KubeObject): number;
}

export type DeletionStep = { readonly kind: 'delete' } | { readonly kind: 'keep' } | { readonly kind: 'mark'; readonly object: KubeObject };

function marked(current: KubeObject, deletionMs: number, graceSeconds: number): DeletionStep {
  const object: KubeObject = { ...current };
  const meta = isPlainObject(current.metadata) ? current.metadata : {};
  const next: Record<string, unknown> = {
    ...meta,
    deletionTimestamp: nowTimestamp(new Date(deletionMs)),
    deletionGracePeriodSeconds: graceSeconds,
  };
  delete next.resourceVersion;
  setOwn(object, 'metadata', next);
  return { kind: 'mark', object };
}

/**
 * The step a delete takes on `current`. An object already being deleted gracefully only takes a shorter grace
 * period (a deletionTimestamp moved earlier, never before now); one whose grace is over (none or 0) goes unless
 * finalizers hold it. An object not yet being deleted is marked for its grace period when that is above 0, marked
 * with 0 when finalizers hold it, and removed otherwise.
 */
export function deletionStep(current: KubeObject, graceful: GracefulDelete | undefined, nowMs = Date.now()): DeletionStep {
  const meta = isPlainObject(current.metadata) ? current.metadata : {};
  const held = finalizersOf(current).length > 0;
  const pendingSeconds = typeof meta.deletionGracePeriodSeconds === 'number' ? meta.deletionGracePeriodSeconds : 0;
  if (typeof meta.deletionTimestamp === 'string') {
    if (graceful && pendingSeconds > 0) {
      const requested = graceful.requestedSeconds;
      if (requested === undefined || requested >= pendingSeconds) return { kind: 'keep' };
      const period = requested < 0 ? 1 : requested;
      if (period === 0 && !held) return { kind: 'delete' };
      const deadlineMs = Date.parse(meta.deletionTimestamp) - pendingSeconds * 1000 + period * 1000;
      // Never into the past: a grace already over is shortened to 1 s, still a graceful delete.
      if (deadlineMs < nowMs) return marked(current, nowMs, period === 0 ? 0 : 1);
      return marked(current, deadlineMs, period);
    }
    return held ? { kind: 'keep' } : { kind: 'delete' };
  }
  const period = graceful ? graceful.graceSecondsOf(current) : 0;
  if (period > 0) return marked(current, nowMs + period * 1000, period);
  return held ? marked(current, nowMs, 0) : { kind: 'delete' };
}

/**
 * Whether an update leaves the object to be deleted (store.go ShouldDeleteDuringUpdate): no finalizers left on an
 * object being deleted whose grace period is over (none or 0). A pod in its grace period stays through updates.
 */
export function deleteOnUpdate(next: KubeObject): boolean {
  const meta = isPlainObject(next.metadata) ? next.metadata : {};
  if (!meta.deletionTimestamp || finalizersOf(next).length > 0) return false;
  return !(typeof meta.deletionGracePeriodSeconds === 'number' && meta.deletionGracePeriodSeconds > 0);
}
