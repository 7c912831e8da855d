// The fault catalogue: every action a scenario can take on a cluster, the shape of its request, and what it means
// for the cluster. Quorum guard, providers, oracles and the report read these properties from here and nowhere
// else, so "restart takes a node down" or "heal ends a partition" is decided once.

import { portsSuffix, type PortMatch } from './ports.ts';

/** Faults a provider applies to nodes or the network. */
export const FAULT_KINDS = [
  'kill',
  'restart',
  'pause',
  'resume',
  'isolate',
  'partition',
  'drop',
  'heal',
  'delete-node',
  'force-delete-node',
  'remove-host',
  'rejoin',
  'memory-pressure',
  'relieve',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Every harness action a history records: the provider faults plus the changes made through the Kubernetes API. */
export const ACTION_KINDS = [...FAULT_KINDS, 'cordon', 'uncordon', 'label', 'annotate'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export function isFaultKind(value: string): value is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(value);
}

/**
 * A fault request, provider-neutral. Targets are node names already resolved by the scenario layer. The cuts
 * (isolate, partition, drop) may be limited to ports (lib/faults/ports.ts); without `ports` they cut everything.
 */
export type FaultRequest =
  | { readonly kind: 'kill' | 'restart' | 'pause' | 'resume'; readonly nodes: readonly string[] }
  | { readonly kind: 'isolate'; readonly nodes: readonly string[]; readonly ports?: readonly PortMatch[] }
  | { readonly kind: 'partition'; readonly groups: readonly (readonly string[])[]; readonly ports?: readonly PortMatch[] }
  | { readonly kind: 'drop'; readonly from: readonly string[]; readonly to: readonly string[]; readonly ports?: readonly PortMatch[] }
  | { readonly kind: 'heal' }
  | { readonly kind: 'delete-node' | 'force-delete-node'; readonly nodes: readonly string[] }
  /**
   * Harvester's documented host removal (harvester/docs docs/host/host.md "Deleting a Node"): maintenance mode
   * (cordon + drain), rke2-uninstall.sh, shut the node down, then delete the Node. Nothing of it can be undone.
   */
  | { readonly kind: 'remove-host'; readonly nodes: readonly string[] }
  /**
   * A host joins again under the name of a node that was removed (its Node object gone): a reinstalled machine with a
   * fresh disk, registering a new Node of that name with the default role (Harvester issue 1040's rejoin).
   */
  | { readonly kind: 'rejoin'; readonly nodes: readonly string[] }
  /**
   * The node's kubelet reports MemoryPressure=True as its eviction manager does when memory.available falls below a
   * hard eviction threshold (kubernetes pkg/kubelet/eviction): the provider gives the kubelet a threshold no node
   * meets and restarts it. `relieve` gives the kubelet its own threshold back and restarts it.
   */
  | { readonly kind: 'memory-pressure' | 'relieve'; readonly nodes: readonly string[] };

/**
 * The hard eviction threshold on memory.available a memory-pressure fault gives the kubelet, whatever the provider:
 * one no machine meets (a quantity threshold is met while the signal is below it, helpers.go).
 */
export const MEMORY_PRESSURE_THRESHOLD = '1Pi';

/** A fault that was applied and can be undone. undo() is idempotent. */
export interface AppliedFault {
  readonly request: FaultRequest;
  undo(): Promise<void>;
}

/** What an action means for the nodes it names. */
export interface ActionProperties {
  /** The node's processes stop (a restart stops them until it has brought them back). */
  readonly takesDown: boolean;
  /** The node stays up but traffic to or from it is dropped. */
  readonly cutsOff: boolean;
  /** The effect lasts until something ends it (an undo, or one of `endedBy`). */
  readonly lasting: boolean;
  /** Actions that end this one's effect on the nodes they name. */
  readonly endedBy: readonly ActionKind[];
  /** The node's Kubernetes object is deleted. */
  readonly deletes: boolean;
}

/** A lasting effect no action ends (remove-host: the host is gone for good); a run never records it as undone. */
export function isPermanent(kind: ActionKind): boolean {
  const p = ACTION_PROPERTIES[kind];
  return p.lasting && p.endedBy.length === 0;
}

/** Faults nothing undoes: what they did stays done (the journal names it for the person cleaning up). */
export function isUndoable(kind: FaultKind): boolean {
  return !ACTION_PROPERTIES[kind].deletes && !isPermanent(kind);
}

const NONE: ActionProperties = { takesDown: false, cutsOff: false, lasting: false, endedBy: [], deletes: false };
const CUT: ActionProperties = { ...NONE, cutsOff: true, lasting: true, endedBy: ['heal'] };

export const ACTION_PROPERTIES: Readonly<Record<ActionKind, ActionProperties>> = {
  kill: { ...NONE, takesDown: true, lasting: true, endedBy: ['restart'] },
  restart: { ...NONE, takesDown: true },
  pause: { ...NONE, takesDown: true, lasting: true, endedBy: ['resume', 'restart'] },
  resume: NONE,
  isolate: CUT,
  partition: CUT,
  drop: CUT,
  heal: NONE,
  'delete-node': { ...NONE, deletes: true },
  'force-delete-node': { ...NONE, deletes: true },
  // The host is uninstalled and shut down before its Node is deleted: down for good (no action ends it).
  'remove-host': { ...NONE, takesDown: true, lasting: true, deletes: true },
  // A new host comes up: it takes nothing down, cuts nothing off, and ends nothing (the removal stays done).
  rejoin: NONE,
  // The node stays up and reachable: only what it reports (and, on a real kubelet, its evictions) changes.
  'memory-pressure': { ...NONE, lasting: true, endedBy: ['relieve'] },
  relieve: NONE,
  cordon: NONE,
  uncordon: NONE,
  label: NONE,
  annotate: NONE,
};

export function propertiesOf(kind: ActionKind): ActionProperties {
  return ACTION_PROPERTIES[kind];
}

/** Actions that end some other action's lasting effect (restart, resume, heal). */
export function endsOtherFaults(kind: ActionKind): boolean {
  return ACTION_KINDS.some((other) => ACTION_PROPERTIES[other].endedBy.includes(kind));
}

/** Whether an action bears on etcd quorum: it takes nodes down or cuts them off, or ends such an effect. */
export function affectsQuorum(kind: ActionKind): boolean {
  const p = ACTION_PROPERTIES[kind];
  return p.takesDown || p.cutsOff || endsOtherFaults(kind);
}

export type DeleteFault = 'delete-node' | 'force-delete-node' | 'remove-host';

export function isDeleteFault(kind: ActionKind): kind is DeleteFault {
  return ACTION_PROPERTIES[kind].deletes;
}

/** One line naming a request, as journals, refusals and progress lines show it. */
export function describeFault(request: FaultRequest): string {
  const ports = portsSuffix('ports' in request ? request.ports : undefined);
  switch (request.kind) {
    case 'isolate':
      return `isolate ${request.nodes.join(',')}${ports}`;
    case 'partition':
      return `partition ${request.groups.map((g) => `[${g.join(',')}]`).join(' | ')}${ports}`;
    case 'drop':
      return `drop ${request.from.join(',')} -> ${request.to.join(',')}${ports}`;
    case 'heal':
      return 'heal';
    default:
      return `${request.kind} ${request.nodes.join(',')}`;
  }
}
