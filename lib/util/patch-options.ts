// client-node 1.x takes the patch content type as a per-call header option.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

export function mergePatch(): ReturnType<typeof setHeaderOptions> {
  return setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
}

export function jsonPatch(): ReturnType<typeof setHeaderOptions> {
  return setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
}
