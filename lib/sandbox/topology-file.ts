// Sandbox topology files (fixtures/topologies/*.yaml): errors name the file, line, column and field.
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { SetupError } from '../util/errors.ts';
import { parseDuration } from '../util/duration.ts';
import type { SandboxTimers, SandboxTopologyOptions, TopologyNode } from './topology.ts';

const TIMER_KEYS: Record<string, keyof SandboxTimers> = {
  kubeletHeartbeat: 'kubeletHeartbeatMs',
  nodeMonitorGrace: 'nodeMonitorGraceMs',
  etcdHeartbeat: 'etcdHeartbeatMs',
  etcdElectionTimeout: 'etcdElectionTimeoutMs',
  leaderLease: 'leaderLeaseMs',
  apiRequestDeadline: 'apiRequestDeadlineMs',
};

class TopologyProblem extends Error {
  constructor(readonly path: string, readonly node: YamlNode | undefined, message: string) {
    super(message);
  }
}

function fail(path: string, node: YamlNode | undefined, message: string): never {
  throw new TopologyProblem(path, node, message);
}

function plain(node: YamlNode | undefined): unknown {
  return node && 'toJSON' in node ? (node as { toJSON(): unknown }).toJSON() : undefined;
}

function readCount(path: string, node: YamlNode | undefined, min: number): number {
  const value = plain(node);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(path, node, `expected a whole number >= ${min}, got ${JSON.stringify(value)}`);
  return value;
}

function readString(path: string, node: YamlNode | undefined): string {
  const value = plain(node);
  if (typeof value !== 'string' || value.length === 0) fail(path, node, `expected a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

export function parseTopology(text: string, file: string): SandboxTopologyOptions {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const locate = (node: YamlNode | undefined): string => {
    const offset = node?.range?.[0];
    if (offset === undefined) return `${file}`;
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new SetupError(`${file}:${line}:${col}: ${first.message.split('\n')[0]}`);
  }
  try {
    const root = doc.contents;
    if (!isMap(root)) fail('(root)', root ?? undefined, 'expected a mapping with controlPlanes, workers, nodes or timers');
    const result: { controlPlanes?: number; workers?: number; nodes?: TopologyNode[]; timers?: Partial<SandboxTimers> } = {};
    for (const pair of root.items) {
      const key = String(plain(pair.key as YamlNode));
      const value = pair.value as YamlNode | undefined;
      switch (key) {
        case 'controlPlanes':
          result.controlPlanes = readCount(key, value, 1);
          break;
        case 'workers':
          result.workers = readCount(key, value, 0);
          break;
        case 'nodes':
          if (!isSeq(value)) fail(key, value, 'expected a list of nodes');
          result.nodes = value.items.map((item, i) => readNode(`nodes[${i}]`, item as YamlNode));
          break;
        case 'timers':
          result.timers = readTimers(value);
          break;
        default:
          fail(key, pair.key as YamlNode, `unknown field "${key}" (expected controlPlanes, workers, nodes, timers)`);
      }
    }
    return result;
  } catch (error) {
    if (error instanceof TopologyProblem) throw new SetupError(`${locate(error.node)}: ${error.path}: ${error.message}`);
    throw error;
  }
}

function readNode(path: string, node: YamlNode): TopologyNode {
  if (!isMap(node)) fail(path, node, 'expected a mapping with name, role and optional zone and labels');
  let name: string | undefined;
  let role: TopologyNode['role'] | undefined;
  let zone: string | undefined;
  let labels: Record<string, string> | undefined;
  for (const pair of node.items) {
    const key = String(plain(pair.key as YamlNode));
    const value = pair.value as YamlNode | undefined;
    if (key === 'name') name = readString(`${path}.name`, value);
    else if (key === 'zone') zone = readString(`${path}.zone`, value);
    else if (key === 'role') {
      const text = readString(`${path}.role`, value);
      if (text !== 'control-plane' && text !== 'worker') fail(`${path}.role`, value, `expected "control-plane" or "worker", got "${text}"`);
      role = text;
    } else if (key === 'labels') {
      const raw = plain(value);
      if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
        fail(`${path}.labels`, value, 'expected a mapping of label keys to string values');
      }
      labels = raw as Record<string, string>;
    } else fail(`${path}.${key}`, pair.key as YamlNode, `unknown field "${key}" (expected name, role, zone, labels)`);
  }
  if (!name) fail(`${path}.name`, node, 'missing required field "name"');
  if (!role) fail(`${path}.role`, node, 'missing required field "role"');
  return { name, role, ...(zone ? { zone } : {}), ...(labels ? { labels } : {}) };
}

function readTimers(node: YamlNode | undefined): Partial<SandboxTimers> {
  if (!isMap(node)) fail('timers', node, 'expected a mapping of timer names to durations');
  const timers: Partial<Record<keyof SandboxTimers, number>> = {};
  for (const pair of node.items) {
    const key = String(plain(pair.key as YamlNode));
    const field = TIMER_KEYS[key];
    if (!field) fail(`timers.${key}`, pair.key as YamlNode, `unknown timer "${key}" (expected ${Object.keys(TIMER_KEYS).join(', ')})`);
    const text = plain(pair.value as YamlNode);
    const parsed = typeof text === 'string' ? parseDuration(text) : undefined;
    const ms = parsed?.ok ? parsed.ms : undefined;
    if (ms === undefined || ms <= 0) fail(`timers.${key}`, pair.value as YamlNode, `expected a duration such as "250ms" or "2s", got ${JSON.stringify(text)}`);
    timers[field] = ms;
  }
  return timers;
}

export function loadTopologyFile(file: string): SandboxTopologyOptions {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SetupError(`topology file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  return parseTopology(text, file);
}
