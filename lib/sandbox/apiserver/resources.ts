// The resources this API server serves, with what discovery and storage need to know about each.

export interface ResourceInfo {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** Plural, lower case: the URL segment and the storage key's first part. */
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly hasStatus: boolean;
  /** metadata.generation starts at 1 and grows when spec changes. */
  readonly tracksGeneration: boolean;
  /** Status given at create is dropped (as for Jobs); Nodes keep theirs (the kubelet registers with one). */
  readonly clearStatusOnCreate: boolean;
  /** Field-selector labels beyond metadata.name / metadata.namespace, mapped to object paths. */
  readonly fieldLabels: Readonly<Record<string, readonly string[]>>;
}

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
export const SUBRESOURCE_VERBS = ['get', 'patch', 'update'] as const;

export const RESOURCES: readonly ResourceInfo[] = [
  {
    group: '',
    version: 'v1',
    resource: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    hasStatus: true,
    tracksGeneration: false,
    clearStatusOnCreate: true,
    fieldLabels: { 'status.phase': ['status', 'phase'] },
  },
  {
    group: '',
    version: 'v1',
    resource: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    hasStatus: true,
    tracksGeneration: false,
    clearStatusOnCreate: false,
    fieldLabels: { 'spec.unschedulable': ['spec', 'unschedulable'] },
  },
  // Pods, as kube-apiserver's pod registry (pkg/registry/core/pod/strategy.go): a create gets the spec defaults and
  // status {phase: Pending, qosClass} (pod-strategy.ts), the kubelet writes status through /status, a delete is graceful
  // for a pod bound to a node (CheckGracefulDelete), and pods/eviction deletes as an eviction does (eviction.ts). The
  // field labels are ToSelectableFields' (strategy.go; pkg/apis/core/v1/conversion.go accepts the same set).
  {
    group: '',
    version: 'v1',
    resource: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    hasStatus: true,
    tracksGeneration: false,
    clearStatusOnCreate: true,
    fieldLabels: {
      'spec.nodeName': ['spec', 'nodeName'],
      'spec.restartPolicy': ['spec', 'restartPolicy'],
      'spec.schedulerName': ['spec', 'schedulerName'],
      'spec.serviceAccountName': ['spec', 'serviceAccountName'],
      'spec.hostNetwork': ['spec', 'hostNetwork'],
      'status.phase': ['status', 'phase'],
      'status.podIP': ['status', 'podIP'],
      'status.nominatedNodeName': ['status', 'nominatedNodeName'],
    },
  },
  {
    group: '',
    version: 'v1',
    resource: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    hasStatus: false,
    tracksGeneration: false,
    clearStatusOnCreate: false,
    fieldLabels: {},
  },
  // Stored as given (no encryption at rest, `stringData` is not folded into `data`). kubeadm keeps its bootstrap tokens
  // and uploaded certificates in Secrets (cmd/kubeadm/app/phases/copycerts, bootstraptoken).
  {
    group: '',
    version: 'v1',
    resource: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    shortNames: [],
    hasStatus: false,
    tracksGeneration: false,
    clearStatusOnCreate: false,
    fieldLabels: { type: ['type'] },
  },
  // Stored as given: no ClusterIP allocation, no endpoints (nothing in the sandbox routes to a Service). The sandbox's
  // Harvester profile exposes its VIP as Harvester's LoadBalancer Service (lib/sandbox/profile.ts); the status, as
  // kube-vip writes it, goes through the status subresource (a create drops it, as the Service strategy does).
  {
    group: '',
    version: 'v1',
    resource: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    hasStatus: true,
    tracksGeneration: false,
    clearStatusOnCreate: true,
    fieldLabels: {},
  },
  {
    group: '',
    version: 'v1',
    resource: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    hasStatus: false,
    tracksGeneration: false,
    clearStatusOnCreate: false,
    fieldLabels: {
      'involvedObject.kind': ['involvedObject', 'kind'],
      'involvedObject.namespace': ['involvedObject', 'namespace'],
      'involvedObject.name': ['involvedObject', 'name'],
      'involvedObject.uid': ['involvedObject', 'uid'],
      'involvedObject.apiVersion': ['involvedObject', 'apiVersion'],
      'involvedObject.resourceVersion': ['involvedObject', 'resourceVersion'],
      'involvedObject.fieldPath': ['involvedObject', 'fieldPath'],
      reason: ['reason'],
      reportingComponent: ['reportingComponent'],
      source: ['source', 'component'],
      type: ['type'],
    },
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    shortNames: [],
    hasStatus: false,
    tracksGeneration: false,
    clearStatusOnCreate: false,
    fieldLabels: {},
  },
  {
    group: 'batch',
    version: 'v1',
    resource: 'jobs',
    singular: 'job',
    kind: 'Job',
    namespaced: true,
    shortNames: [],
    hasStatus: true,
    tracksGeneration: true,
    clearStatusOnCreate: true,
    fieldLabels: { 'status.successful': ['status', 'succeeded'] },
  },
  // PodDisruptionBudgets are stored, but no disruption controller computes their status: an eviction of a pod a budget
  // selects is refused (429) until something writes status (observedGeneration, disruptionsAllowed) through /status,
  // as on a cluster whose kube-controller-manager never processed the budget (disruption-budget.ts).
  {
    group: 'policy',
    version: 'v1',
    resource: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
    hasStatus: true,
    tracksGeneration: true,
    clearStatusOnCreate: true,
    fieldLabels: {},
  },
  // KubeVirt's (CRDs in a real cluster; virt-api's start/stop/restart/pause/unpause are in kubevirt.ts). No
  // controller here writes their status, so a create keeps the status it is given.
  {
    group: 'kubevirt.io',
    version: 'v1',
    resource: 'virtualmachines',
    singular: 'virtualmachine',
    kind: 'VirtualMachine',
    namespaced: true,
    shortNames: ['vm', 'vms'],
    hasStatus: true,
    tracksGeneration: true,
    clearStatusOnCreate: false,
    fieldLabels: {},
  },
  {
    group: 'kubevirt.io',
    version: 'v1',
    resource: 'virtualmachineinstances',
    singular: 'virtualmachineinstance',
    kind: 'VirtualMachineInstance',
    namespaced: true,
    shortNames: ['vmi', 'vmis'],
    hasStatus: true,
    tracksGeneration: true,
    clearStatusOnCreate: false,
    fieldLabels: {},
  },
];

export function apiVersionOf(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

/** Group versions served, core first. */
export function groupVersions(): readonly { readonly group: string; readonly version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(apiVersionOf(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

/** The etcd key of an object, or of a collection's prefix when `name` is undefined (always ends with '/'). */
export function storageKey(info: ResourceInfo, namespace: string | undefined, name?: string): string {
  const base = `/registry/${info.resource}/`;
  if (!info.namespaced) return name === undefined ? base : `${base}${name}`;
  if (namespace === undefined) return base;
  return name === undefined ? `${base}${namespace}/` : `${base}${namespace}/${name}`;
}
