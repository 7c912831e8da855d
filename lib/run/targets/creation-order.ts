// A precondition some scenarios state: their workers were created in different seconds, worker[0] first
// (cluster.sandbox.distinctCreationSeconds). Harvester ranks candidates by creationTimestamp, which has whole seconds,
// so the scenario's expectation ("the oldest worker, worker[0], is promoted") holds only if the cluster's Nodes are
// aged that way. The sandbox creates them so; kind creates its nodes at once (in any order, within a second), and an
// existing cluster is as it is: there the precondition is checked, and a cluster that does not meet it makes the run
// inconclusive, not a failure of the system under test.
import type { V1Node } from '@kubernetes/client-node';
import type { ClusterNode } from '../../model/cluster.ts';
import type { Scenario } from '../../scenario/types.ts';

export function needsDistinctCreationSeconds(scenario: Scenario): boolean {
  return scenario.cluster.sandbox?.['distinctCreationSeconds'] === true;
}

/** Why the workers are not aged worker[0], worker[1], ... in different seconds; undefined when they are. */
export function creationOrderMismatch(startNodes: readonly ClusterNode[], nodes: readonly V1Node[]): string | undefined {
  const created = new Map(nodes.map((n) => [n.metadata?.name ?? '', n.metadata?.creationTimestamp]));
  const workers = startNodes.filter((n) => n.role === 'worker');
  const seconds = (name: string): number | undefined => {
    const at = created.get(name);
    return at === undefined ? undefined : Math.floor(new Date(at).getTime() / 1000);
  };
  for (let i = 1; i < workers.length; i++) {
    const [older, newer] = [workers[i - 1] as ClusterNode, workers[i] as ClusterNode];
    const [a, b] = [seconds(older.name), seconds(newer.name)];
    if (a === undefined || b === undefined) return `no creationTimestamp for ${a === undefined ? older.name : newer.name}`;
    if (a >= b) {
      const when = (s: number): string => new Date(s * 1000).toISOString();
      return (
        `the scenario needs its workers created in different seconds, worker[${i - 1}] first (cluster.sandbox.distinctCreationSeconds); ` +
        `worker[${i - 1}] ${older.name} was created at ${when(a)}, worker[${i}] ${newer.name} at ${when(b)}`
      );
    }
  }
  return undefined;
}
