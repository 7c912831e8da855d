// A kind node's kubelet configuration, and the memory-pressure fault's change to it. kubeadm writes
// /var/lib/kubelet/config.yaml from the cluster's kubelet-config ConfigMap, which holds kind's KubeletConfiguration
// (kubernetes-sigs/kind v0.28.0 pkg/cluster/internal/kubeadm/config.go ConfigTemplateBetaV3: cgroupRoot /kubelet,
// failSwapOn false, imageGCHighThresholdPercent 100 and evictionHard nodefs.available, nodefs.inodesFree and
// imagefs.available all "0%"), with kubeadm's defaults added. The kubelet reads it at start only: dynamic kubelet
// configuration was removed in 1.24, so a changed file takes effect with `systemctl restart kubelet`.
//
// The eviction manager parses each evictionHard entry (kubernetes pkg/kubelet/eviction/helpers.go
// parseThresholdStatement): a quantity is a threshold met while the signal is below it; "0%" and "100%" set no
// threshold at all. kind's node thus has no memory threshold (its file-system ones are off too), and an evictionHard
// map replaces the kubelet's defaults rather than adding to them (pkg/kubelet/apis/config/v1beta1/defaults.go
// applies DefaultEvictionHard only to a nil map). memory.available<1Pi is met on every machine: the kubelet reports
// MemoryPressure=True at its next synchronize and, on a real node, evicts pods that are not critical.
import { isMap, parseDocument } from 'yaml';
import { MEMORY_PRESSURE_THRESHOLD } from '../../faults/catalogue.ts';

export const KUBELET_CONFIG_PATH = '/var/lib/kubelet/config.yaml';
/** Reads the node's kubelet configuration (`docker exec <node> cat ...`). */
export const READ_KUBELET_CONFIG_COMMAND: readonly string[] = ['cat', KUBELET_CONFIG_PATH];
/** Writes it from stdin, as kind's nodeutils.WriteFile does (`docker exec -i <node> cp /dev/stdin <path>`). */
export const WRITE_KUBELET_CONFIG_COMMAND: readonly string[] = ['cp', '/dev/stdin', KUBELET_CONFIG_PATH];
/** kind's node image runs the kubelet as a systemd unit (images/base/files/etc/systemd/system/kubelet.service). */
export const RESTART_KUBELET_COMMAND: readonly string[] = ['systemctl', 'restart', 'kubelet'];

/**
 * The kubelet's own hard thresholds when its configuration names none (pkg/kubelet/apis/config/v1beta1/
 * defaults_linux.go DefaultEvictionHard): kept when the fault has to write an evictionHard map, which would replace
 * them all.
 */
export const KUBELET_DEFAULT_EVICTION_HARD: Readonly<Record<string, string>> = {
  'memory.available': '100Mi',
  'nodefs.available': '10%',
  'nodefs.inodesFree': '5%',
  'imagefs.available': '15%',
};

/**
 * The configuration with evictionHard memory.available set to 1Pi, every other key (and the rest of the file, its
 * comments too) as it was. Throws on text that is not a KubeletConfiguration map.
 */
export function withMemoryPressure(text: string, where: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${where}: not YAML: ${doc.errors[0]?.message ?? ''}`);
  if (!isMap(doc.contents)) throw new Error(`${where}: not a KubeletConfiguration (a map was expected)`);
  const kind = doc.get('kind');
  if (kind !== undefined && kind !== 'KubeletConfiguration') throw new Error(`${where}: a ${String(kind)}, not a KubeletConfiguration`);
  const evictionHard = doc.get('evictionHard');
  if (evictionHard === undefined || evictionHard === null) {
    doc.set('evictionHard', { ...KUBELET_DEFAULT_EVICTION_HARD, 'memory.available': MEMORY_PRESSURE_THRESHOLD });
  } else if (isMap(evictionHard)) {
    evictionHard.set('memory.available', MEMORY_PRESSURE_THRESHOLD);
  } else {
    throw new Error(`${where}: evictionHard is not a map of signal to threshold`);
  }
  // Sequences unindented, as kubeadm's marshaller (sigs.k8s.io/yaml) writes them: the rest of the file stays as it was.
  return doc.toString({ indentSeq: false });
}
