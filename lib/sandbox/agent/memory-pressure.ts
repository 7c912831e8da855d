// The part of kubelet's eviction manager that decides the node's MemoryPressure condition (kubernetes
// pkg/kubelet/eviction/eviction_manager.go synchronize, helpers.go; pkg/kubelet/nodestatus/setters.go
// MemoryPressureCondition):
// - The hard threshold on memory.available comes from KubeletConfiguration.evictionHard. Without evictionHard the
//   kubelet's default applies, memory.available<100Mi (pkg/kubelet/apis/config/v1beta1/defaults.go: a nil EvictionHard
//   becomes DefaultEvictionHard); an evictionHard that does not name memory.available sets no memory threshold (kind's
//   own config names only the file-system signals). A percentage is of the memory capacity; "0%" and "100%" are
//   ignored (helpers.go parseThresholdStatement); a negative quantity or a percentage above 100 is refused.
// - The signal is memory.available = capacity - working set (docs "Node-pressure Eviction"; the kubelet reads the root
//   cgroup). Here /proc/meminfo's MemTotal and MemAvailable stand for capacity and what is available.
// - The condition is True from the first observation that meets the threshold until evictionPressureTransitionPeriod
//   (5 min upstream) has passed since the last one that did (nodeConditionsObservedSince). The observations are in
//   the kubelet's memory: a restarted kubelet starts with none.
// The sandbox runs no containers, so nothing is evicted: only the condition (and what reads it) changes.
import type { V1NodeCondition } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseQuantity } from '../../util/quantity.ts';
import { EVICTION_HARD_MEMORY_BYTES } from './node-resources.ts';

/** A hard threshold on memory.available: bytes, or a fraction of the capacity. */
export type MemoryThreshold = { readonly bytes: number } | { readonly fraction: number };

/** The memory.available threshold a KubeletConfiguration sets; undefined when it sets none. Throws on a bad value. */
export function memoryThresholdOf(configText: string | undefined, file: string): MemoryThreshold | undefined {
  const config: unknown = configText === undefined ? undefined : parse(configText);
  const evictionHard = config !== null && typeof config === 'object' ? (config as Record<string, unknown>)['evictionHard'] : undefined;
  if (evictionHard === undefined || evictionHard === null) return { bytes: EVICTION_HARD_MEMORY_BYTES };
  if (typeof evictionHard !== 'object') throw new Error(`${file}: evictionHard must be a map of signal to threshold`);
  const value = (evictionHard as Record<string, unknown>)['memory.available'];
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (text.endsWith('%')) {
    if (text === '0%' || text === '100%') return undefined;
    const percent = Number(text.slice(0, -1));
    if (!Number.isFinite(percent) || percent < 0 || percent > 100)
      throw new Error(`${file}: evictionHard memory.available: a percentage from 0 to 100 was expected, not ${text}`);
    return { fraction: percent / 100 };
  }
  const bytes = parseQuantity(text);
  if (bytes === undefined)
    throw new Error(`${file}: evictionHard memory.available: a quantity (100Mi) or a percentage was expected, not ${text}`);
  return { bytes };
}

/** Reads the kubelet's configuration file; a file that is not there is a kubelet with no configuration file. */
export function readMemoryThreshold(file: string | undefined): MemoryThreshold | undefined {
  if (file === undefined) return { bytes: EVICTION_HARD_MEMORY_BYTES };
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return memoryThresholdOf(text, file);
}

export interface MemoryReading {
  readonly capacityBytes: number;
  readonly availableBytes: number;
}

/** This machine's memory as /proc/meminfo has it (kB). */
export function readMeminfo(text = readFileSync('/proc/meminfo', 'utf8')): MemoryReading {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!match) throw new Error(`/proc/meminfo has no ${name}`);
    return Number(match[1]) * 1024;
  };
  return { capacityBytes: field('MemTotal'), availableBytes: field('MemAvailable') };
}

export interface MemoryPressureOptions {
  readonly threshold: () => MemoryThreshold | undefined;
  /** evictionPressureTransitionPeriod (5 min upstream). */
  readonly transitionMs: number;
  readonly read?: () => MemoryReading;
  readonly nowMs?: () => number;
}

/** Observes memory.available against the hard threshold; says whether the node is under memory pressure. */
export class MemoryPressureMonitor {
  private threshold: MemoryThreshold | undefined;
  private lastMetMs: number | undefined;

  constructor(private readonly options: MemoryPressureOptions) {
    this.threshold = options.threshold();
  }

  /** A kubelet restart: the configuration read again, the observations forgotten. */
  restart(): void {
    this.threshold = this.options.threshold();
    this.lastMetMs = undefined;
  }

  /** One synchronize pass: reads the signal and returns whether the node is under memory pressure now. */
  observe(): boolean {
    const now = (this.options.nowMs ?? Date.now)();
    const threshold = this.threshold;
    if (threshold !== undefined) {
      const reading = (this.options.read ?? readMeminfo)();
      const limit = 'bytes' in threshold ? threshold.bytes : threshold.fraction * reading.capacityBytes;
      if (reading.availableBytes < limit) this.lastMetMs = now;
    }
    return this.lastMetMs !== undefined && now - this.lastMetMs < this.options.transitionMs;
  }
}

/** setters.go MemoryPressureCondition: the condition's status, reason and message; its transition time kept unless it changed. */
export function memoryPressureCondition(pressure: boolean, now: Date, previous: V1NodeCondition | undefined): V1NodeCondition {
  const status = pressure ? 'True' : 'False';
  return {
    type: 'MemoryPressure',
    status,
    reason: pressure ? 'KubeletHasInsufficientMemory' : 'KubeletHasSufficientMemory',
    message: pressure ? 'kubelet has insufficient memory available' : 'kubelet has sufficient memory available',
    lastHeartbeatTime: now,
    lastTransitionTime: previous?.status === status && previous.lastTransitionTime ? previous.lastTransitionTime : now,
  };
}
