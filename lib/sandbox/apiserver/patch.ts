// Patch dispatch by Content-Type.
import { applyJsonPatch } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

export type PatchType = 'merge' | 'strategic' | 'json';

/** The patch type of a Content-Type header, or undefined when it is not one this server applies. */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  switch (mediaType) {
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/json-patch+json':
      return 'json';
    default:
      return undefined;
  }
}

/** Applies `patch` to `target`; throws PatchError (malformed or inapplicable). Does not modify `target`. */
export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  switch (type) {
    case 'merge':
      return applyMergePatch(target, patch);
    case 'strategic':
      return applyStrategicMergePatch(target, patch);
    case 'json':
      return applyJsonPatch(target, patch);
  }
}
