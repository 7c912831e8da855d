// Sandbox topology files (fixtures/topologies/*.yaml), validated with the descriptor library like scenarios:
// every problem is one `file:line:col: path: message` line of a FileProblemsError (unknown keys with a did-you-mean).
import { duration } from '../schema/duration.ts';
import { array, integer, object, oneOf, optional, record, required, string } from '../schema/descriptors.ts';
import type { Desc } from '../schema/descriptors.ts';
import { FileProblemsError } from '../schema/problems.ts';
import { checkYamlFile, readFileText } from '../schema/yaml-file.ts';
import type { SandboxTimers, SandboxTopologyOptions, TopologyNode } from './topology.ts';
import { NAME_PATTERN } from './topology.ts';

const nonEmpty = string({ pattern: '^[\\s\\S]+$', patternMessage: 'must not be empty', expected: 'a non-empty string' });

const node: Desc<TopologyNode> = object({
  name: required(
    string({
      pattern: NAME_PATTERN.source,
      patternMessage: 'a node name is a DNS label of at most 32 characters (lower-case letters, digits and "-")',
    }),
  ),
  role: required(oneOf(['control-plane', 'worker'], { what: 'role' })),
  zone: optional(nonEmpty),
  labels: optional(record(string(), string()).map((pairs) => Object.fromEntries(pairs))),
}).map((n): TopologyNode => ({
  name: n.name,
  role: n.role,
  ...(n.zone ? { zone: n.zone } : {}),
  ...(n.labels ? { labels: n.labels } : {}),
}));

/** Timers are durations in the file ("250ms") and milliseconds in the options. */
const timers: Desc<Partial<SandboxTimers>> = object({
  kubeletHeartbeat: optional(duration),
  nodeMonitorGrace: optional(duration),
  etcdHeartbeat: optional(duration),
  etcdElectionTimeout: optional(duration),
  leaderLease: optional(duration),
  apiRequestDeadline: optional(duration),
}).map((t) => {
  const ms: Record<keyof SandboxTimers, number | undefined> = {
    kubeletHeartbeatMs: t.kubeletHeartbeat,
    nodeMonitorGraceMs: t.nodeMonitorGrace,
    etcdHeartbeatMs: t.etcdHeartbeat,
    etcdElectionTimeoutMs: t.etcdElectionTimeout,
    leaderLeaseMs: t.leaderLease,
    apiRequestDeadlineMs: t.apiRequestDeadline,
  };
  return Object.fromEntries(Object.entries(ms).filter(([, v]) => v !== undefined)) as Partial<SandboxTimers>;
});

export const topologySchema: Desc<SandboxTopologyOptions> = object({
  controlPlanes: optional(integer({ min: 1 })),
  workers: optional(integer({ min: 0 })),
  nodes: optional(
    array(node, { item: 'node' }).map((nodes, path, ctx) => {
      const seen = new Set<string>();
      for (const [i, n] of nodes.entries()) {
        if (seen.has(n.name)) return ctx.report([...path, i, 'name'], `duplicate node name "${n.name}"`);
        seen.add(n.name);
      }
      return nodes;
    }),
  ),
  timers: optional(timers),
});

/** Parses the text of a topology file; throws a FileProblemsError listing every problem. */
export function parseTopology(text: string, file: string): SandboxTopologyOptions {
  const { value, problems } = checkYamlFile(text, file, topologySchema, {
    what: 'topology file',
    notMapping: (found) => `a topology is a mapping (controlPlanes:, workers:, nodes:, timers:), found ${found}`,
  });
  if (value === undefined) throw new FileProblemsError(problems);
  return value;
}

export function loadTopologyFile(file: string): SandboxTopologyOptions {
  return parseTopology(readFileText(file, 'topology file'), file);
}
