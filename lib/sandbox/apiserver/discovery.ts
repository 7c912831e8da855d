// Legacy discovery documents (kubectl falls back to them when aggregated discovery is not offered) and /version.
import { KUBEVIRT_SUBRESOURCES, kubevirtSubresourceList } from './kubevirt.ts';
import { RESOURCES, SUBRESOURCE_VERBS, VERBS, apiVersionOf, groupVersions } from './resources.ts';

/** Group versions in discovery: the stored resources', then KubeVirt's subresource group (actions only). */
function servedGroupVersions(): readonly { readonly group: string; readonly version: string }[] {
  return [...groupVersions(), KUBEVIRT_SUBRESOURCES];
}

/**
 * pods/eviction as kube-apiserver lists it in core/v1 (its group, version and kind are policy/v1 Eviction's).
 * kubectl drain evicts only when discovery lists it and the policy group (served for PodDisruptionBudgets):
 * k8s.io/kubectl/pkg/drain/drain.go CheckEvictionSupport; otherwise it deletes the pods.
 */
const POD_EVICTION = {
  name: 'pods/eviction',
  singularName: '',
  namespaced: true,
  group: 'policy',
  version: 'v1',
  kind: 'Eviction',
  verbs: ['create'],
};

export const SERVER_GIT_VERSION = 'v1.30.0-cpchaos';

export function versionInfo(): Record<string, unknown> {
  return {
    major: '1',
    minor: '30',
    gitVersion: SERVER_GIT_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-01-01T00:00:00Z',
    goVersion: `node ${process.version}`,
    compiler: 'gc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(group: string): Record<string, unknown> | undefined {
  const versions = servedGroupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: apiVersionOf(gv), version: gv.version }));
  const preferred = versions[0];
  if (!group || !preferred) return undefined;
  return { name: group, versions, preferredVersion: preferred };
}

export function apiGroupList(): Record<string, unknown> {
  const groups = [...new Set(servedGroupVersions().map((gv) => gv.group))].filter((g) => g !== '').map(groupDoc);
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** The APIGroup document, or undefined for a group this server does not serve. */
export function apiGroup(group: string): Record<string, unknown> | undefined {
  const doc = groupDoc(group);
  return doc ? { kind: 'APIGroup', apiVersion: 'v1', ...doc } : undefined;
}

/** The APIResourceList of a group version, or undefined when none is served. */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  if (group === KUBEVIRT_SUBRESOURCES.group && version === KUBEVIRT_SUBRESOURCES.version) return kubevirtSubresourceList();
  const served = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of served) {
    resources.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...VERBS],
      ...(r.shortNames.length > 0 ? { shortNames: [...r.shortNames] } : {}),
    });
    if (r.hasStatus) {
      resources.push({
        name: `${r.resource}/status`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: [...SUBRESOURCE_VERBS],
      });
    }
    if (r.group === '' && r.resource === 'pods') resources.push({ ...POD_EVICTION });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}
