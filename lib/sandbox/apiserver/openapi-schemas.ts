// The schemas of the served kinds, as OpenAPI v3 component schemas named like kube-apiserver's
// (io.k8s.api.core.v1.ConfigMap, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta, ...), for /openapi/v2 and
// /openapi/v3 (openapi.ts) and for unknown-field checks (field-validation.ts).
//
// Truthful rather than complete: an object whose fields are all listed here is closed (an unknown field is one),
// one this server does not describe field by field carries x-kubernetes-preserve-unknown-fields. List fields carry
// x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key only where this server's strategic merge patch merges
// them (strategic-merge-patch.ts), so a client computing a patch from these schemas gets what the server does.
// Field lists are those of k8s.io/api core/v1, coordination/v1 and apimachinery meta/v1 types.go.
import { RESOURCES, type ResourceInfo } from './resources.ts';

export interface Schema {
  readonly type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
  readonly format?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: Schema;
  readonly items?: Schema;
  readonly required?: readonly string[];
  readonly allOf?: readonly Schema[];
  readonly $ref?: string;
  readonly default?: unknown;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-patch-strategy'?: string;
  readonly 'x-kubernetes-patch-merge-key'?: string;
  readonly 'x-kubernetes-group-version-kind'?: readonly { group: string; version: string; kind: string }[];
}

export const REF_PREFIX = '#/components/schemas/';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';

const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const int = (description?: string): Schema => ({ type: 'integer', format: 'int32', ...(description ? { description } : {}) });
const int64 = (): Schema => ({ type: 'integer', format: 'int64' });
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
const time = (description?: string): Schema => ({ type: 'string', format: 'date-time', ...(description ? { description } : {}) });
const strings = (): Schema => ({ type: 'array', items: { type: 'string', default: '' } });
const stringMap = (description?: string): Schema => ({
  type: 'object',
  additionalProperties: { type: 'string', default: '' },
  ...(description ? { description } : {}),
});
const quantities = (): Schema => ({
  type: 'object',
  additionalProperties: { $ref: `${REF_PREFIX}io.k8s.apimachinery.pkg.api.resource.Quantity` },
});
/** A field holding one named schema, as kube-openapi writes it (allOf around the $ref). */
const ref = (name: string, description?: string): Schema => ({
  allOf: [{ $ref: `${REF_PREFIX}${name}` }],
  default: {},
  ...(description ? { description } : {}),
});
const refs = (name: string, patch?: { strategy: string; key?: string }): Schema => ({
  type: 'array',
  items: { allOf: [{ $ref: `${REF_PREFIX}${name}` }], default: {} },
  ...(patch ? { 'x-kubernetes-patch-strategy': patch.strategy } : {}),
  ...(patch?.key ? { 'x-kubernetes-patch-merge-key': patch.key } : {}),
});
const obj = (properties: Record<string, Schema>, description?: string, required?: string[]): Schema => ({
  type: 'object',
  properties,
  ...(description ? { description } : {}),
  ...(required ? { required } : {}),
});
/** An object this server stores as given without describing its fields. */
const open = (description: string): Schema => ({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });

const TYPE_META = {
  apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
  kind: str('Kind is a string value representing the REST resource this object represents.'),
};
const metadata = (): Schema => ref(`${META}.ObjectMeta`, "Standard object's metadata.");

const COMMON: Record<string, Schema> = {
  [`${META}.Time`]: time('Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.'),
  [`${META}.MicroTime`]: {
    type: 'string',
    format: 'date-time',
    description: 'MicroTime is version of Time with microsecond level precision.',
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    description: 'Quantity is a fixed-point representation of a number (e.g. 100m, 2Gi).',
    'x-kubernetes-int-or-string': true,
  },
  [`${META}.Patch`]: {
    type: 'object',
    description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
  },
  [`${META}.Status`]: open('Status is a return value for calls that do not return other objects.'),
  [`${META}.OwnerReference`]: obj(
    {
      apiVersion: str('API version of the referent.'),
      blockOwnerDeletion: bool(),
      controller: bool('If true, this reference points to the managing controller.'),
      kind: str('Kind of the referent.'),
      name: str('Name of the referent.'),
      uid: str('UID of the referent.'),
    },
    'OwnerReference contains enough information to let you identify an owning object.',
    ['apiVersion', 'kind', 'name', 'uid'],
  ),
  [`${META}.ManagedFieldsEntry`]: open('ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource.'),
  [`${META}.ObjectMeta`]: obj(
    {
      annotations: stringMap('Annotations is an unstructured key value map stored with a resource.'),
      creationTimestamp: ref(`${META}.Time`, 'The time this object was created (set by the server, read-only).'),
      deletionGracePeriodSeconds: int64(),
      deletionTimestamp: ref(`${META}.Time`, 'The time after which this resource will be deleted (set by the server).'),
      finalizers: {
        ...strings(),
        description: 'Must be empty before the object is deleted from the registry.',
        'x-kubernetes-patch-strategy': 'merge',
      },
      generateName: str('An optional prefix, used by the server to generate a unique name when name is not given.'),
      generation: int64(),
      labels: stringMap('Map of string keys and values that can be used to organize and categorize objects.'),
      managedFields: refs(`${META}.ManagedFieldsEntry`),
      name: str('Name must be unique within a namespace.'),
      namespace: str('Namespace defines the space within which each name must be unique.'),
      ownerReferences: {
        ...refs(`${META}.OwnerReference`, { strategy: 'merge', key: 'uid' }),
        description: 'List of objects depended by this object.',
      },
      resourceVersion: str('An opaque value that represents the internal version of this object (set by the server).'),
      selfLink: str('Deprecated.'),
      uid: str('UID is the unique in time and space value for this object (set by the server).'),
    },
    'ObjectMeta is metadata that all persisted resources must have.',
  ),
};

const conditionOf = (heartbeat: boolean): Schema =>
  obj(
    {
      ...(heartbeat ? { lastHeartbeatTime: ref(`${META}.Time`) } : {}),
      lastTransitionTime: ref(`${META}.Time`),
      message: str(),
      reason: str(),
      status: str(),
      type: str(),
    },
    undefined,
    ['type', 'status'],
  );

const CORE_SCHEMAS: Record<string, Schema> = {
  [`${CORE}.ConfigMap`]: obj(
    {
      ...TYPE_META,
      binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' }, description: 'Binary data, base64.' },
      data: stringMap('Data contains the configuration data.'),
      immutable: bool('If set to true, only object metadata can be modified.'),
      metadata: metadata(),
    },
    'ConfigMap holds configuration data for pods to consume.',
  ),
  [`${CORE}.Secret`]: obj(
    {
      ...TYPE_META,
      data: { type: 'object', additionalProperties: { type: 'string', format: 'byte' }, description: 'Secret data, base64.' },
      immutable: bool(),
      metadata: metadata(),
      stringData: stringMap('Write-only string data (stored as given by this server).'),
      type: str('Used to facilitate programmatic handling of secret data.'),
    },
    'Secret holds secret data of a certain type.',
  ),
  [`${CORE}.Namespace`]: obj(
    { ...TYPE_META, metadata: metadata(), spec: ref(`${CORE}.NamespaceSpec`), status: ref(`${CORE}.NamespaceStatus`) },
    'Namespace provides a scope for Names.',
  ),
  [`${CORE}.NamespaceSpec`]: obj({ finalizers: strings() }),
  [`${CORE}.NamespaceStatus`]: obj({
    conditions: refs(`${CORE}.NamespaceCondition`, { strategy: 'merge', key: 'type' }),
    phase: str('Phase is the current lifecycle phase of the namespace.'),
  }),
  [`${CORE}.NamespaceCondition`]: conditionOf(false),
  [`${CORE}.Node`]: obj(
    {
      ...TYPE_META,
      metadata: metadata(),
      spec: ref(`${CORE}.NodeSpec`, 'Spec defines the behavior of a node.'),
      status: ref(`${CORE}.NodeStatus`, 'Most recently observed status of the node.'),
    },
    'Node is a worker node in Kubernetes.',
  ),
  [`${CORE}.NodeSpec`]: obj({
    configSource: open('Deprecated: previously used to specify the source of the node configuration.'),
    externalID: str('Deprecated.'),
    podCIDR: str(),
    podCIDRs: strings(),
    providerID: str(),
    taints: refs(`${CORE}.Taint`),
    unschedulable: bool('Unschedulable controls node schedulability of new pods.'),
  }),
  [`${CORE}.Taint`]: obj({ effect: str(), key: str(), timeAdded: ref(`${META}.Time`), value: str() }, undefined, ['key', 'effect']),
  [`${CORE}.NodeStatus`]: obj({
    addresses: {
      ...refs(`${CORE}.NodeAddress`, { strategy: 'merge', key: 'type' }),
      description: 'List of addresses reachable to the node.',
    },
    allocatable: quantities(),
    capacity: quantities(),
    conditions: {
      ...refs(`${CORE}.NodeCondition`, { strategy: 'merge', key: 'type' }),
      description: 'Conditions is an array of current observed node conditions.',
    },
    config: open('Status of the config assigned to the node via the dynamic Kubelet config feature.'),
    daemonEndpoints: ref(`${CORE}.NodeDaemonEndpoints`),
    features: open('Features supported by the node.'),
    images: { type: 'array', items: open('A container image.') },
    nodeInfo: ref(`${CORE}.NodeSystemInfo`, 'Set of ids/uuids to uniquely identify the node.'),
    phase: str('Deprecated.'),
    runtimeHandlers: { type: 'array', items: open('A runtime handler.') },
    volumesAttached: { type: 'array', items: open('An attached volume.') },
    volumesInUse: strings(),
  }),
  [`${CORE}.NodeAddress`]: obj({ address: str('The node address.'), type: str('Node address type.') }, undefined, ['type', 'address']),
  [`${CORE}.NodeCondition`]: conditionOf(true),
  [`${CORE}.NodeDaemonEndpoints`]: obj({ kubeletEndpoint: ref(`${CORE}.DaemonEndpoint`) }),
  [`${CORE}.DaemonEndpoint`]: obj({ Port: int('Port number of the given endpoint.') }, undefined, ['Port']),
  [`${CORE}.NodeSystemInfo`]: obj(
    {
      architecture: str('The Architecture reported by the node'),
      bootID: str('Boot ID reported by the node.'),
      containerRuntimeVersion: str('ContainerRuntime Version reported by the node through runtime remote API.'),
      kernelVersion: str("Kernel Version reported by the node from 'uname -r'."),
      kubeProxyVersion: str('Deprecated: KubeProxy Version reported by the node.'),
      kubeletVersion: str('Kubelet Version reported by the node.'),
      machineID: str('MachineID reported by the node.'),
      operatingSystem: str('The Operating System reported by the node'),
      osImage: str('OS Image reported by the node from /etc/os-release.'),
      systemUUID: str('SystemUUID reported by the node.'),
    },
    'NodeSystemInfo is a set of ids/uuids to uniquely identify the node.',
  ),
  [`${CORE}.Service`]: obj(
    {
      ...TYPE_META,
      metadata: metadata(),
      spec: open('Spec defines the behavior of a service (stored as given: no ClusterIP allocation).'),
      status: open('Most recently observed status of the service.'),
    },
    'Service is a named abstraction of software service.',
  ),
  [`${CORE}.ObjectReference`]: obj({
    apiVersion: str(),
    fieldPath: str(),
    kind: str(),
    name: str(),
    namespace: str(),
    resourceVersion: str(),
    uid: str(),
  }),
  [`${CORE}.EventSource`]: obj({ component: str(), host: str() }),
  [`${CORE}.EventSeries`]: obj({ count: int(), lastObservedTime: ref(`${META}.MicroTime`) }),
  [`${CORE}.Event`]: obj(
    {
      ...TYPE_META,
      action: str(),
      count: int(),
      eventTime: ref(`${META}.MicroTime`),
      firstTimestamp: ref(`${META}.Time`),
      involvedObject: ref(`${CORE}.ObjectReference`, 'The object that this event is about.'),
      lastTimestamp: ref(`${META}.Time`),
      message: str(),
      metadata: metadata(),
      reason: str(),
      related: ref(`${CORE}.ObjectReference`),
      reportingComponent: str(),
      reportingInstance: str(),
      series: ref(`${CORE}.EventSeries`),
      source: ref(`${CORE}.EventSource`),
      type: str(),
    },
    'Event is a report of an event somewhere in the cluster.',
    ['metadata', 'involvedObject'],
  ),
  'io.k8s.api.coordination.v1.Lease': obj(
    { ...TYPE_META, metadata: metadata(), spec: ref('io.k8s.api.coordination.v1.LeaseSpec', 'Specification of the Lease.') },
    'Lease defines a lease concept.',
  ),
  'io.k8s.api.coordination.v1.LeaseSpec': obj({
    acquireTime: ref(`${META}.MicroTime`),
    holderIdentity: str('The identity of the holder of a current lease.'),
    leaseDurationSeconds: int('Duration that candidates for a lease need to wait to force acquire it.'),
    leaseTransitions: int(),
    preferredHolder: str(),
    renewTime: ref(`${META}.MicroTime`),
    strategy: str(),
  }),
};

/** The schema name of a served kind: kube-apiserver's for built-in groups, the reversed group for others (CRDs). */
export function schemaNameOf(info: Pick<ResourceInfo, 'group' | 'version' | 'kind'>): string {
  if (info.group === '') return `${CORE}.${info.kind}`;
  const builtin = /^([a-z0-9]+)(\.k8s\.io)?$/.exec(info.group);
  if (builtin?.[1]) return `io.k8s.api.${info.group.replace(/\.k8s\.io$/, '')}.${info.version}.${info.kind}`;
  return `${info.group.split('.').reverse().join('.')}.${info.version}.${info.kind}`;
}

/** Whether a kind is built in (strategic merge patch applies) rather than a custom resource (merge patches only). */
export function isBuiltIn(info: Pick<ResourceInfo, 'group'>): boolean {
  return info.group === '' || info.group.endsWith('.k8s.io') || !info.group.includes('.');
}

function gvkOf(info: ResourceInfo): { group: string; version: string; kind: string } {
  return { group: info.group, version: info.version, kind: info.kind };
}

/** A kind this file does not describe: type meta and metadata, the rest stored as given. */
function openKind(info: ResourceInfo): Schema {
  return {
    type: 'object',
    description: `${info.kind} (${info.group || 'core'}/${info.version}); this server stores its fields as given.`,
    properties: { ...TYPE_META, metadata: metadata(), spec: open('Stored as given.'), status: open('Stored as given.') },
    'x-kubernetes-preserve-unknown-fields': true,
  };
}

/** Every component schema: the common meta types, each served kind's (with its GVK) and the types they use. */
export function componentSchemas(resources: readonly ResourceInfo[] = RESOURCES): Record<string, Schema> {
  const out: Record<string, Schema> = { ...COMMON, ...CORE_SCHEMAS };
  for (const info of resources) {
    const name = schemaNameOf(info);
    const base = out[name] ?? openKind(info);
    out[name] = { ...base, 'x-kubernetes-group-version-kind': [gvkOf(info)] };
  }
  return out;
}

/** The schemas a kind's document needs: its own and every one reachable through $refs. */
export function schemasReachableFrom(names: readonly string[], all: Readonly<Record<string, Schema>>): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const visit = (name: string): void => {
    const schema = all[name];
    if (schema === undefined || out[name] !== undefined) return;
    out[name] = schema;
    walkRefs(schema, visit);
  };
  for (const name of names) visit(name);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function walkRefs(schema: Schema, visit: (name: string) => void): void {
  if (schema.$ref?.startsWith(REF_PREFIX)) visit(schema.$ref.slice(REF_PREFIX.length));
  for (const sub of [...Object.values(schema.properties ?? {}), ...(schema.allOf ?? [])]) walkRefs(sub, visit);
  if (schema.items) walkRefs(schema.items, visit);
  if (schema.additionalProperties) walkRefs(schema.additionalProperties, visit);
}
