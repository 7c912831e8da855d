// The columns of `kubectl get pods` (and -o wide) and `kubectl get pdb`, as kube-apiserver prints them: kubernetes
// pkg/printers/internalversion/printers.go, podColumnDefinitions and printPod, printPodDisruptionBudget.
import { fieldAt, isPlainObject, type KubeObject } from './object-meta.ts';
import type { Column } from './table.ts';

function objects(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

const containerStatuses = (pod: KubeObject): Record<string, unknown>[] => objects(fieldAt(pod, ['status', 'containerStatuses']));

function podReady(pod: KubeObject): string {
  const total = objects(fieldAt(pod, ['spec', 'containers'])).length;
  const ready = containerStatuses(pod).filter((c) => c.ready === true && isPlainObject(fieldAt(c, ['state', 'running']))).length;
  return `${ready}/${total}`;
}

/** A container state's reason, as printPod reads it: waiting's, terminated's, or Signal:N / ExitCode:N. */
function stateReason(status: Record<string, unknown>): string | undefined {
  const waiting = fieldAt(status, ['state', 'waiting']);
  if (isPlainObject(waiting) && typeof waiting.reason === 'string' && waiting.reason !== '') return waiting.reason;
  const terminated = fieldAt(status, ['state', 'terminated']);
  if (!isPlainObject(terminated)) return undefined;
  if (typeof terminated.reason === 'string' && terminated.reason !== '') return terminated.reason;
  return typeof terminated.signal === 'number' && terminated.signal !== 0
    ? `Signal:${terminated.signal}`
    : `ExitCode:${Number(terminated.exitCode ?? 0)}`;
}

/**
 * printPod's STATUS: the phase, or status.reason; a container's waiting/terminated reason (the first container's
 * wins); Completed back to Running while a container still runs; Terminating once deleted (Unknown for a pod the
 * node lifecycle controller gave reason NodeLost). Init containers are not looked at.
 */
function podStatus(pod: KubeObject): string {
  const phase = fieldAt(pod, ['status', 'phase']);
  const statusReason = fieldAt(pod, ['status', 'reason']);
  let reason = typeof statusReason === 'string' && statusReason !== '' ? statusReason : typeof phase === 'string' ? phase : '';
  let hasRunning = false;
  for (const status of [...containerStatuses(pod)].reverse()) {
    const own = stateReason(status);
    if (own !== undefined) reason = own;
    else if (status.ready === true && isPlainObject(fieldAt(status, ['state', 'running']))) hasRunning = true;
  }
  if (reason === 'Completed' && hasRunning) {
    const conditions = objects(fieldAt(pod, ['status', 'conditions']));
    reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (fieldAt(pod, ['metadata', 'deletionTimestamp'])) {
    if (statusReason === 'NodeLost') reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }
  return reason;
}

/** The containers' restarts summed (upstream adds "(5m ago)" from lastState; the sandbox never restarts one). */
function podRestarts(pod: KubeObject): string {
  return String(containerStatuses(pod).reduce((sum, c) => sum + (typeof c.restartCount === 'number' ? c.restartCount : 0), 0));
}

const orNone = (value: unknown): string => (typeof value === 'string' && value !== '' ? value : '<none>');

function readinessGates(pod: KubeObject): string {
  const gates = objects(fieldAt(pod, ['spec', 'readinessGates']));
  if (gates.length === 0) return '<none>';
  const conditions = objects(fieldAt(pod, ['status', 'conditions']));
  const met = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${met}/${gates.length}`;
}

/** NAME READY STATUS RESTARTS AGE, then -o wide's (priority 1) IP NODE NOMINATED NODE READINESS GATES. */
export function podColumns(name: Column, age: Column): readonly Column[] {
  return [
    name,
    { name: 'Ready', type: 'string', cell: podReady },
    { name: 'Status', type: 'string', cell: podStatus },
    { name: 'Restarts', type: 'string', cell: podRestarts },
    age,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => orNone(fieldAt(o, ['status', 'podIP'])) },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => orNone(fieldAt(o, ['spec', 'nodeName'])) },
    { name: 'Nominated Node', type: 'string', priority: 1, cell: (o) => orNone(fieldAt(o, ['status', 'nominatedNodeName'])) },
    { name: 'Readiness Gates', type: 'string', priority: 1, cell: readinessGates },
  ];
}

const intOrString = (value: unknown): string => (typeof value === 'number' || typeof value === 'string' ? String(value) : 'N/A');

/** printPodDisruptionBudget's: NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE. */
export function podDisruptionBudgetColumns(name: Column, age: Column): readonly Column[] {
  return [
    name,
    { name: 'Min Available', type: 'string', cell: (o) => intOrString(fieldAt(o, ['spec', 'minAvailable'])) },
    { name: 'Max Unavailable', type: 'string', cell: (o) => intOrString(fieldAt(o, ['spec', 'maxUnavailable'])) },
    {
      name: 'Allowed Disruptions',
      type: 'integer',
      cell: (o) => {
        const allowed = fieldAt(o, ['status', 'disruptionsAllowed']);
        return typeof allowed === 'number' ? allowed : 0;
      },
    },
    age,
  ];
}
