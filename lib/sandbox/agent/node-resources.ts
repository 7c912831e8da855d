// What the sandbox kubelet reports as the node's status.capacity and status.allocatable, as kubelet's MachineInfo
// setter fills them (kubernetes pkg/kubelet/nodestatus/setters.go MachineInfo), from this machine's real values:
// - capacity: cpu from cAdvisor's NumCores (resource.NewMilliQuantity(NumCores*1000, DecimalSI): "2"), memory its
//   MemoryCapacity (MemTotal; BinarySI), pods the kubelet's maxPods (110 by default, KubeletConfiguration.MaxPods),
//   ephemeral-storage the capacity of the filesystem holding the kubelet's root dir (cadvisor
//   EphemeralStorageCapacityFromFsInfo; here the node's data folder), and hugepages-<size> for every huge page size the
//   machine has (size x pages, cadvisor.HugePageResourceCapacity);
// - allocatable: each capacity minus the node allocatable reservation (kube-reserved + system-reserved + hard eviction
//   thresholds, cm.GetNodeAllocatableReservation). Without reservations configured, the defaults' hard eviction
//   thresholds remain (pkg/kubelet/apis/config/v1beta1 DefaultEvictionHard): memory.available<100Mi takes 100Mi of
//   memory, nodefs.available<10% a tenth of ephemeral-storage. Then "for every huge page reservation, we need to
//   remove it from allocatable memory" (setters.go). Never below zero.
// Every sandbox node shares one machine, so each reports the whole of it, as would a kubelet in a VM of that size.
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';

/** KubeletConfiguration.MaxPods's default (pkg/kubelet/apis/config/v1beta1/defaults.go). */
export const DEFAULT_MAX_PODS = 110;
/** DefaultEvictionHard's memory.available (pkg/kubelet/eviction/defaults_linux.go). */
export const EVICTION_HARD_MEMORY_BYTES = 100 * 1024 * 1024;
/** DefaultEvictionHard's nodefs.available. */
export const EVICTION_HARD_NODEFS_FRACTION = 0.1;

export interface MachineInfo {
  readonly numCores: number;
  readonly memoryBytes: number;
  /** Capacity of the filesystem of the kubelet's data. */
  readonly rootFsBytes: number;
  /** Huge pages by page size in bytes: how many there are. */
  readonly hugePages: ReadonlyMap<number, number>;
}

export interface NodeResources {
  readonly capacity: Record<string, string>;
  readonly allocatable: Record<string, string>;
}

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** A byte count as resource.Quantity writes a BinarySI one: the largest power of 1024 that divides it exactly. */
export function binarySI(bytes: number): string {
  const value = Math.max(0, Math.trunc(bytes));
  if (value < 1024) return String(value);
  let scaled = BigInt(value);
  let exponent = 0;
  while (exponent < BINARY_SUFFIXES.length - 1 && scaled % 1024n === 0n) {
    scaled /= 1024n;
    exponent++;
  }
  return `${scaled}${BINARY_SUFFIXES[exponent]}`;
}

/** Huge page sizes and counts, as cAdvisor reads them (/sys/kernel/mm/hugepages/hugepages-<kB>kB/nr_hugepages). */
function readHugePages(root = '/sys/kernel/mm/hugepages'): Map<number, number> {
  const pages = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return pages;
  }
  for (const entry of entries) {
    const match = /^hugepages-(\d+)kB$/.exec(entry);
    if (!match) continue;
    try {
      pages.set(Number(match[1]) * 1024, Number(readFileSync(`${root}/${entry}/nr_hugepages`, 'utf8').trim()));
    } catch {
      // unreadable: cAdvisor would skip it too
    }
  }
  return pages;
}

/** This machine: its logical CPUs, MemTotal, the capacity of the filesystem holding `dataDir`, its huge pages. */
export function readMachineInfo(dataDir: string): MachineInfo {
  const fs = statfsSync(dataDir);
  return {
    numCores: os.cpus().length,
    memoryBytes: os.totalmem(),
    rootFsBytes: fs.blocks * fs.bsize,
    hugePages: readHugePages(),
  };
}

/** status.capacity and status.allocatable of a node on `machine` (MachineInfo setter, default kubelet configuration). */
export function nodeResources(machine: MachineInfo, maxPods: number = DEFAULT_MAX_PODS): NodeResources {
  const hugePageBytes = [...machine.hugePages].map(([size, count]) => ({ name: `hugepages-${binarySI(size)}`, bytes: size * count }));
  const capacity: Record<string, string> = {
    cpu: String(machine.numCores),
    memory: binarySI(machine.memoryBytes),
    pods: String(maxPods),
    'ephemeral-storage': binarySI(machine.rootFsBytes),
  };
  for (const page of hugePageBytes) capacity[page.name] = binarySI(page.bytes);
  // The hard eviction reservation (int64 of capacity x percentage for a percentage threshold, as kubelet computes it).
  const nodefsReserved = Math.trunc(machine.rootFsBytes * EVICTION_HARD_NODEFS_FRACTION);
  const hugePagesTotal = hugePageBytes.reduce((sum, page) => sum + page.bytes, 0);
  const allocatable: Record<string, string> = {
    cpu: capacity['cpu'] as string,
    memory: binarySI(Math.max(0, machine.memoryBytes - EVICTION_HARD_MEMORY_BYTES - hugePagesTotal)),
    pods: capacity['pods'] as string,
    'ephemeral-storage': binarySI(machine.rootFsBytes - nodefsReserved),
  };
  for (const page of hugePageBytes) allocatable[page.name] = binarySI(page.bytes);
  return { capacity, allocatable };
}
