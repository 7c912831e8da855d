// client-node 1.x takes the patch content type as a per-call header option.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** Per-call options of a merge patch, on top of `base` (a request's deadline, say: api-deadline.ts). */
export function mergePatch(base?: Parameters<typeof setHeaderOptions>[2]): ReturnType<typeof setHeaderOptions> {
  return setHeaderOptions('Content-Type', PatchStrategy.MergePatch, base);
}

export function jsonPatch(base?: Parameters<typeof setHeaderOptions>[2]): ReturnType<typeof setHeaderOptions> {
  return setHeaderOptions('Content-Type', PatchStrategy.JsonPatch, base);
}
