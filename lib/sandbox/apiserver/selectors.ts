// The object filter of a list or watch request: its labelSelector and fieldSelector (and a pinned name).
import { matchesFields, parseFieldSelector, pinnedName } from './field-selector.ts';
import { matchesLabels, parseLabelSelector } from './label-selector.ts';
import { isPlainObject, labelsOf, type KubeObject } from './object-meta.ts';
import type { ResourceInfo } from './resources.ts';

export interface RequestFilter {
  readonly matches: (obj: KubeObject) => boolean;
  /** A single object name the request is narrowed to, if any. */
  readonly name: string | undefined;
}

export function requestFilter(info: ResourceInfo, params: URLSearchParams, name?: string): RequestFilter {
  const labels = parseLabelSelector(params.get('labelSelector'));
  const fields = parseFieldSelector(params.get('fieldSelector'), info);
  const pinned = name ?? pinnedName(fields);
  const matches = (obj: KubeObject): boolean =>
    (name === undefined || (isPlainObject(obj.metadata) && obj.metadata.name === name)) &&
    matchesLabels(labels, labelsOf(obj)) &&
    matchesFields(fields, obj);
  return { matches, name: pinned };
}
