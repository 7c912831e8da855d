// The quorum guard: a step that would take down enough control-plane (etcd) nodes to lose quorum is refused unless
// the scenario says allowQuorumLoss: true. Taking down = a fault the catalogue says takes nodes down or cuts them
// off, on the nodes it names (kill, restart, pause, isolate), or being outside the side of a partition that keeps
// the most control-plane nodes. Quorum is etcd's: more than half of the members up.
import { describeFault, propertiesOf, type FaultRequest } from './catalogue.ts';

export type GuardDecision = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** Refused by a safety rail (quorum guard, kill switch): the step is not run. */
export class SafetyRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetyRefusal';
  }
}

/** The control-plane nodes a request takes down (those of `management` it cuts off or stops). */
export function nodesTakenDown(request: FaultRequest, management: readonly string[]): string[] {
  const isManagement = new Set(management);
  const properties = propertiesOf(request.kind);
  if ('nodes' in request && (properties.takesDown || properties.cutsOff)) return request.nodes.filter((n) => isManagement.has(n));
  if (request.kind !== 'partition') return [];
  // The side that keeps the most control-plane nodes stays up (ungrouped nodes reach every side); the rest is down.
  const counts = request.groups.map((group) => group.filter((n) => isManagement.has(n)).length);
  const keep = counts.indexOf(Math.max(...counts));
  return request.groups.flatMap((group, i) => (i === keep ? [] : group.filter((n) => isManagement.has(n))));
}

export function quorumSize(members: number): number {
  return Math.floor(members / 2) + 1;
}

/**
 * Whether a step may run: refuses one that leaves fewer control-plane nodes up than quorum needs, counting the
 * nodes already down (earlier faults, NotReady), unless quorum loss is allowed. Steps that take nothing down pass.
 */
export function checkQuorumGuard(
  request: FaultRequest,
  currentManagementNodes: readonly string[],
  alreadyDown: readonly string[],
  allowQuorumLoss: boolean,
): GuardDecision {
  const management = [...new Set(currentManagementNodes)];
  const taking = nodesTakenDown(request, management);
  if (allowQuorumLoss || taking.length === 0 || management.length === 0) return { ok: true };
  const inManagement = new Set(management);
  const before = [...new Set(alreadyDown)].filter((n) => inManagement.has(n));
  const down = new Set([...before, ...taking]);
  const up = management.length - down.size;
  const needed = quorumSize(management.length);
  if (up >= needed) return { ok: true };
  const list = (names: readonly string[]): string => (names.length === 0 ? 'none' : [...names].sort().join(', '));
  return {
    ok: false,
    message:
      `refusing "${describeFault(request)}": it would take down ${list(taking)} ` +
      `(already down: ${list(before.filter((n) => !taking.includes(n)))}), leaving ${up} of ${management.length} control-plane nodes up; ` +
      `etcd quorum needs ${needed}. Set allowQuorumLoss: true in the scenario to break quorum on purpose.`,
  };
}
