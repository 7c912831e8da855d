// The parsed scenario: what the loader hands to the runner. Durations are milliseconds (`...Ms`),
// targets are parsed selectors (resolved to node names only when a step runs, see targets.ts).
import type { FaultKind } from '../faults/catalogue.ts';
import type { PortMatch } from '../faults/ports.ts';
import type { RoleName, Selector } from './targets.ts';

export type { RoleName, Selector } from './targets.ts';

export { INVARIANT_NAMES, type InvariantName } from '../model/invariants.ts';

/** An invariant to check, with its options. Budgets fall back to `Scenario.budgets`. */
export type InvariantSpec =
  | { readonly name: 'quorum-survives'; readonly budgetMs?: number }
  | { readonly name: 'promotion-after-deletion'; readonly budgetMs?: number }
  | { readonly name: 'management-count'; readonly expected?: number }
  | { readonly name: 'promotion-only-after-deletion' | 'quorum-lost' | 'no-lost-writes' | 'promote-status-lifecycle' };

/** The Kubernetes Ready condition status of a node. */
export type NodeReadiness = 'True' | 'False' | 'Unknown';
import type { PromoteStatus } from '../harvester/contract.ts';

export type { PromoteStatus };
export type ApiState = 'writable' | 'readable' | 'unavailable';

/** Faults aimed at whole nodes. */
export type NodeFaultKind = Extract<FaultKind, 'kill' | 'restart' | 'pause' | 'resume' | 'isolate' | 'memory-pressure' | 'relieve'>;

export interface NodeFaultStep {
  readonly kind: NodeFaultKind;
  readonly targets: readonly Selector[];
  /** Binds the resolved node names to `$as` for later steps. */
  readonly as?: string;
  /** isolate only: cut only the traffic to these ports (lib/faults/ports.ts). */
  readonly ports?: readonly PortMatch[];
}

export interface PartitionStep {
  readonly kind: 'partition';
  /** Two or more disjoint groups; traffic between groups is cut. */
  readonly groups: readonly (readonly Selector[])[];
  /** Cut only the traffic to these ports. */
  readonly ports?: readonly PortMatch[];
}

export interface DropStep {
  readonly kind: 'drop';
  /** One-way: packets from `from` to `to` are dropped, the reverse direction still flows. */
  readonly from: readonly Selector[];
  readonly to: readonly Selector[];
  /** Drop only the packets to these ports. */
  readonly ports?: readonly PortMatch[];
}

export interface HealStep {
  readonly kind: 'heal';
}

export interface DeleteNodeStep {
  readonly kind: 'delete-node';
  readonly targets: readonly Selector[];
  /** Also strip finalizers so the Node object goes away at once (fault kind force-delete-node). */
  readonly forceFinalizers: boolean;
  readonly as?: string;
}

/**
 * Harvester's documented host removal (harvester/docs docs/host/host.md, "Deleting a Node"): maintenance mode
 * (cordon + drain), rke2-uninstall.sh, shut the node down, then delete the host (a Node DELETE). Not undoable.
 */
export interface RemoveHostStep {
  readonly kind: 'remove-host';
  readonly targets: readonly Selector[];
  readonly as?: string;
}

/**
 * A host joins again under the name of a node that was removed (its Node object gone): a reinstalled machine with a
 * fresh disk, registering a new Node of that name with the default role (Harvester issue 1040). Not undoable.
 */
export interface RejoinStep {
  readonly kind: 'rejoin';
  readonly targets: readonly Selector[];
  readonly as?: string;
}

export interface CordonStep {
  readonly kind: 'cordon' | 'uncordon';
  readonly targets: readonly Selector[];
  readonly as?: string;
}

export interface LabelStep {
  readonly kind: 'label';
  readonly targets: readonly Selector[];
  /** Labels to set; null removes the label. */
  readonly labels: Readonly<Record<string, string | null>>;
  readonly as?: string;
}

export interface AnnotateStep {
  readonly kind: 'annotate';
  readonly targets: readonly Selector[];
  /** Annotations to set; null removes the annotation (as an operator clearing Harvester's promote-status). */
  readonly annotations: Readonly<Record<string, string | null>>;
  readonly as?: string;
}

export interface HoldStep {
  readonly kind: 'hold';
  readonly holdMs: number;
}

export type WaitCondition =
  | { readonly kind: 'node'; readonly node: Selector; readonly ready: NodeReadiness }
  /** The node's Node object no longer exists (a deletion's finalizers all released). */
  | { readonly kind: 'nodeGone'; readonly node: Selector }
  | { readonly kind: 'promotion'; readonly node: Selector; readonly status: PromoteStatus }
  | { readonly kind: 'etcdMembers'; readonly count: number }
  | { readonly kind: 'managementCount'; readonly count: number }
  | { readonly kind: 'api'; readonly state: ApiState };

export interface WaitStep {
  readonly kind: 'wait';
  readonly until: WaitCondition;
  readonly timeoutMs: number;
}

/** A point assertion (in `check` steps and in `expect`). */
export type Assertion =
  | { readonly kind: 'managementCount'; readonly count: number }
  | { readonly kind: 'etcdMembers'; readonly count: number }
  | { readonly kind: 'nodeReady'; readonly node: Selector; readonly ready: NodeReadiness }
  | { readonly kind: 'promoteStatus'; readonly node: Selector; readonly status: PromoteStatus }
  | { readonly kind: 'roles'; readonly roles: readonly { readonly node: Selector; readonly role: RoleName }[] }
  /** Each node still exists, marked for deletion (deletionTimestamp set) while finalizers hold it. */
  | { readonly kind: 'terminating'; readonly nodes: readonly Selector[] }
  /** How many nodes have promote-status running. */
  | { readonly kind: 'promotionsRunning'; readonly count: number };

export interface CheckStep {
  readonly kind: 'check';
  readonly assertions: readonly Assertion[];
}

export type Step =
  | NodeFaultStep
  | PartitionStep
  | DropStep
  | HealStep
  | DeleteNodeStep
  | RemoveHostStep
  | RejoinStep
  | CordonStep
  | LabelStep
  | AnnotateStep
  | HoldStep
  | WaitStep
  | CheckStep;

export type StepKind = Step['kind'];

/** The end state checked after the steps. */
export interface Expectation {
  readonly assertions: readonly Assertion[];
  /** The nodes that must have been promoted (empty: none may be); absent: not checked. */
  readonly promoted?: readonly Selector[];
}

export interface ClusterSpec {
  readonly controlPlanes: number;
  readonly workers: number;
  readonly witnesses: number;
  /** Absolute path of the sandbox topology file. */
  readonly topology?: string;
  /** Provider-specific options, validated by the provider. */
  readonly sandbox?: Readonly<Record<string, unknown>>;
  readonly kind?: Readonly<Record<string, unknown>>;
  readonly existing?: Readonly<Record<string, unknown>>;
}

export interface Budgets {
  /** From a control-plane node's deletion to a completed promotion. */
  readonly promotionMs?: number;
  /** Longest tolerated API outage. */
  readonly outageMs?: number;
}

/**
 * A scenario that reproduces a known, unfixed bug of the system under test (tag known-bug): the verdicts the bug
 * makes fail. Reproduced as described, the run is an expected failure; those verdicts passing means the bug did not
 * reproduce (fixed?).
 */
export interface KnownBug {
  /** A link to the bug report. */
  readonly url: string;
  /** The verdicts (invariant names, `steps` or `expect`) the bug makes fail. */
  readonly fails: readonly string[];
}

/** The tag that marks a known-bug scenario; it goes with a `knownBug` field. */
export const KNOWN_BUG_TAG = 'known-bug';

/** What the schema yields from one file. */
export interface ScenarioSpec {
  readonly name: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly knownBug?: KnownBug;
  readonly sandboxOnly: boolean;
  readonly allowQuorumLoss: boolean;
  readonly cluster: ClusterSpec;
  readonly budgets: Budgets;
  readonly steps: readonly Step[];
  readonly expect: Expectation;
  /** Explicit list, or all invariants that fit allowQuorumLoss (never both quorum-survives and quorum-lost). */
  readonly invariants: readonly InvariantSpec[];
}

export interface ScenarioSource {
  /** The file as given to the loader. */
  readonly file: string;
  /** 1-based line of each step, parallel to `steps`. */
  readonly stepLines: readonly number[];
}

export interface Scenario extends ScenarioSpec {
  readonly source: ScenarioSource;
}
