// Request paths to routes: health, version, discovery and OpenAPI documents, and resource paths
// (/api/v1/..., /apis/<group>/<version>/..., with /namespaces/<ns>/ and the legacy /watch/ prefix), and KubeVirt's
// actions (/apis/subresources.kubevirt.io/v1/namespaces/<ns>/virtualmachines/<name>/start, ...).
import { KUBEVIRT_SUBRESOURCES, kubevirtActionRoute, type KubevirtActionRoute } from './kubevirt.ts';
import { findResource, type ResourceInfo } from './resources.ts';

export type HealthCheck = 'healthz' | 'livez' | 'readyz';

export type Route =
  | { readonly kind: 'health'; readonly check: HealthCheck }
  | { readonly kind: 'version' }
  | { readonly kind: 'openapiV2' }
  /** /openapi/v3 (path '') or a group version's document (path 'api/v1', 'apis/batch/v1'). */
  | { readonly kind: 'openapiV3'; readonly path: string }
  | { readonly kind: 'apiVersions' }
  | { readonly kind: 'apiGroupList' }
  | { readonly kind: 'apiGroup'; readonly group: string }
  | { readonly kind: 'resourceList'; readonly group: string; readonly version: string }
  | {
      readonly kind: 'resource';
      readonly info: ResourceInfo;
      /** The request's namespace; undefined for cluster-scoped resources and all-namespace collections. */
      readonly namespace: string | undefined;
      readonly name: string | undefined;
      readonly subresource: string | undefined;
      /** The path had the legacy /watch/ segment. */
      readonly legacyWatch: boolean;
    }
  | KubevirtActionRoute
  | { readonly kind: 'notFound' };

const NOT_FOUND: Route = { kind: 'notFound' };

function segmentsOf(pathname: string): string[] | undefined {
  try {
    return pathname
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function resourceRoute(group: string, version: string, rest: readonly string[]): Route {
  let legacyWatch = false;
  let parts = rest;
  if (parts[0] === 'watch') {
    legacyWatch = true;
    parts = parts.slice(1);
  }
  const [first, second, third, fourth, fifth, ...extra] = parts;
  if (first === undefined) return NOT_FOUND;
  if (first === 'namespaces' && second !== undefined && third !== undefined) {
    const nested = findResource(group, version, third);
    if (nested?.namespaced) {
      if (extra.length > 0) return NOT_FOUND;
      return { kind: 'resource', info: nested, namespace: second, name: fourth, subresource: fifth, legacyWatch };
    }
  }
  const info = findResource(group, version, first);
  if (!info || fourth !== undefined) return NOT_FOUND;
  if (info.namespaced && second !== undefined) return NOT_FOUND; // /api/v1/configmaps/<name> is not a path
  return { kind: 'resource', info, namespace: undefined, name: second, subresource: third, legacyWatch };
}

export function route(pathname: string): Route {
  const segments = segmentsOf(pathname);
  if (!segments) return NOT_FOUND;
  const [root, a, b, ...rest] = segments;
  switch (root) {
    case 'healthz':
    case 'livez':
    case 'readyz':
      return { kind: 'health', check: root };
    case 'version':
      return segments.length === 1 ? { kind: 'version' } : NOT_FOUND;
    case 'openapi':
      if (a === 'v2' && b === undefined) return { kind: 'openapiV2' };
      if (a === 'v3') return { kind: 'openapiV3', path: segments.slice(2).join('/') };
      return NOT_FOUND;
    case 'api':
      if (a === undefined) return { kind: 'apiVersions' };
      if (a !== 'v1') return NOT_FOUND;
      if (b === undefined) return { kind: 'resourceList', group: '', version: 'v1' };
      return resourceRoute('', 'v1', [b, ...rest]);
    case 'apis': {
      if (a === undefined) return { kind: 'apiGroupList' };
      if (b === undefined) return { kind: 'apiGroup', group: a };
      if (rest.length === 0) return { kind: 'resourceList', group: a, version: b };
      if (a === KUBEVIRT_SUBRESOURCES.group) return kubevirtActionRoute(b, rest) ?? NOT_FOUND;
      return resourceRoute(a, b, rest);
    }
    default:
      return NOT_FOUND;
  }
}
