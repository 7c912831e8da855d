// What kube-apiserver does to a Pod beyond the generic strategy: defaults, status at create, validation of the
// containers, and the grace period of a delete.
import { cloneJson, fieldAt, isPlainObject, metaOf, setOwn, stringField, type KubeObject } from './object-meta.ts';
import { invalid } from './status.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The default grace of a pod's deletion (pkg/apis/core/v1/defaults.go: DefaultTerminationGracePeriodSeconds). */
export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;
/** DefaultTolerationSeconds admission's (plugin/pkg/admission/defaulttolerationseconds): 300 s for both taints. */
const DEFAULT_TOLERATION_SECONDS = 300;

function containersOf(spec: Record<string, unknown>, key: 'containers' | 'initContainers'): Record<string, unknown>[] {
  const list = spec[key];
  return Array.isArray(list) ? list.filter(isPlainObject) : [];
}

/** The image pull policy a container gets by default (defaults.go SetDefaults_Container): Always for :latest or no tag. */
function defaultPullPolicy(image: string): string {
  const afterSlash = image.slice(image.lastIndexOf('/') + 1);
  if (afterSlash.includes('@')) return 'IfNotPresent';
  const colon = afterSlash.lastIndexOf(':');
  return colon < 0 || afterSlash.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(container: Record<string, unknown>): void {
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  if (container.imagePullPolicy === undefined && typeof container.image === 'string') {
    container.imagePullPolicy = defaultPullPolicy(container.image);
  }
  if (!isPlainObject(container.resources)) container.resources = {};
}

/** The not-ready and unreachable NoExecute tolerations every pod gets unless it tolerates them already. */
function defaultTolerations(spec: Record<string, unknown>): void {
  const tolerations = Array.isArray(spec.tolerations) ? [...(spec.tolerations as unknown[])] : [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const covered = tolerations.some(
      (t) =>
        isPlainObject(t) &&
        (t.key === key || (t.key === undefined && t.operator === 'Exists')) &&
        (t.effect ?? 'NoExecute') === 'NoExecute',
    );
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  spec.tolerations = tolerations;
}

/**
 * The pod's QoS class (pkg/apis/core/helper/qos GetPodQOS), for cpu and memory: BestEffort without any request or
 * limit, Guaranteed when every container limits both and requests what it limits, Burstable otherwise. Quantities
 * are compared as written ("1" and "1000m" differ here, not upstream).
 */
export function qosClassOf(spec: Record<string, unknown>): string {
  let any = false;
  let guaranteed = true;
  for (const container of [...containersOf(spec, 'containers'), ...containersOf(spec, 'initContainers')]) {
    const requests = fieldAt(container, ['resources', 'requests']);
    const limits = fieldAt(container, ['resources', 'limits']);
    for (const resource of ['cpu', 'memory']) {
      const request = isPlainObject(requests) ? requests[resource] : undefined;
      const limit = isPlainObject(limits) ? limits[resource] : undefined;
      if (request !== undefined || limit !== undefined) any = true;
      if (limit === undefined || (request !== undefined && String(request) !== String(limit))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** ValidatePodCreate's checks of the containers (pkg/apis/core/validation), the ones a hand-written pod trips. */
function validateContainers(name: string, spec: Record<string, unknown>): void {
  const causes: { field: string; message: string }[] = [];
  const containers = containersOf(spec, 'containers');
  if (containers.length === 0) causes.push({ field: 'spec.containers', message: 'Required value' });
  const seen = new Set<string>();
  containers.forEach((container, i) => {
    const containerName = stringField(container, 'name') ?? '';
    const path = `spec.containers[${i}]`;
    if (!containerName) causes.push({ field: `${path}.name`, message: 'Required value' });
    else if (!DNS_LABEL.test(containerName) || containerName.length > 63) {
      causes.push({ field: `${path}.name`, message: `Invalid value: "${containerName}": must be a lowercase RFC 1123 label` });
    } else if (seen.has(containerName)) causes.push({ field: `${path}.name`, message: `Duplicate value: "${containerName}"` });
    seen.add(containerName);
    if (!stringField(container, 'image')) causes.push({ field: `${path}.image`, message: 'Required value' });
  });
  if (causes.length > 0) throw invalid('Pod', name, causes);
}

/**
 * A pod as stored on create, after the generic preparation (which dropped any given status): the spec defaults
 * (defaults.go SetDefaults_PodSpec, SetDefaults_Container), DefaultTolerationSeconds' tolerations, and the status
 * podStrategy.PrepareForCreate sets: {phase: Pending, qosClass}. No ServiceAccount admission: the sandbox has none.
 */
export function preparePodForCreate(pod: KubeObject): void {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  setOwn(pod, 'spec', spec);
  validateContainers(stringField(metaOf(pod), 'name') ?? '', spec);
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_SECONDS;
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  if (!isPlainObject(spec.securityContext)) spec.securityContext = {};
  for (const container of [...containersOf(spec, 'containers'), ...containersOf(spec, 'initContainers')]) defaultContainer(container);
  defaultTolerations(spec);
  setOwn(pod, 'status', { phase: 'Pending', qosClass: qosClassOf(cloneJson(spec)) });
}

/**
 * The grace period of a pod's deletion (podStrategy.CheckGracefulDelete): the one requested, else the pod's
 * terminationGracePeriodSeconds; 0 for a pod bound to no node or already Succeeded/Failed; a negative one is 1.
 */
export function podGraceSeconds(pod: KubeObject, requested: number | undefined): number {
  const own = fieldAt(pod, ['spec', 'terminationGracePeriodSeconds']);
  let period = requested ?? (typeof own === 'number' ? own : 0);
  if (!fieldAt(pod, ['spec', 'nodeName'])) period = 0;
  const phase = fieldAt(pod, ['status', 'phase']);
  if (phase === 'Failed' || phase === 'Succeeded') period = 0;
  return period < 0 ? 1 : period;
}
