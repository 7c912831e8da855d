// Commands that look like they take an RKE2 node down but do not. rke2-server.service (and rke2-agent.service) run
// with KillMode=process (rke2's bundle/lib/systemd/system/rke2-server.service; docs/harvester-promotion-contract.md): `systemctl stop` or `restart`
// ends the rke2 supervisor only, and etcd, the API server and every other pod keep running in their containers. A
// signal sent with `systemctl kill` reaches the unit's own cgroup, not the pods (the kubelet puts them under
// kubepods.slice), so SIGSTOP there freezes rke2, containerd and the kubelet but not etcd. What really takes an
// RKE2 node down: rke2-killall.sh (undo: systemctl start rke2-server), or a power-off (ipmi, kubevirt executors).
import type { FaultKind } from '../../../faults/catalogue.ts';
import type { CommandTemplate } from './template.ts';

/** The fault kinds that must take the node's control plane down (stop or freeze etcd and the API server). */
export const TAKEDOWN_FAULTS: readonly FaultKind[] = ['kill', 'restart', 'pause'];

const RKE2_UNIT = /^rke2-(server|agent)(\.service)?$/;
const UNIT_ONLY_ACTIONS = new Set(['stop', 'restart', 'kill', 'try-restart', 'reload-or-restart']);

function literalWords(template: CommandTemplate): string[] {
  return template.words.map((word) => word.map((part) => ('text' in part ? part.text : '\u0000')).join(''));
}

/**
 * Why this command would not take an RKE2 node down for `kind`, or undefined when nothing says so. Recognised:
 * `systemctl stop|restart|kill ... rke2-server|rke2-agent` and `service rke2-server stop|restart`, without
 * rke2-killall.sh in the same command.
 */
export function rke2UnitOnly(kind: string, template: CommandTemplate): string | undefined {
  if (!(TAKEDOWN_FAULTS as readonly string[]).includes(kind)) return undefined;
  const words = literalWords(template);
  if (words.some((word) => word.endsWith('rke2-killall.sh'))) return undefined;
  const unit = words.find((word) => RKE2_UNIT.test(word));
  if (unit === undefined) return undefined;
  const systemctl = words.indexOf('systemctl');
  const service = words.indexOf('service');
  const viaSystemctl = systemctl >= 0 && words.slice(systemctl + 1).some((word) => UNIT_ONLY_ACTIONS.has(word));
  const viaService = service >= 0 && words.slice(service + 1).some((word) => word === 'stop' || word === 'restart');
  if (!viaSystemctl && !viaService) return undefined;
  return (
    `"${template.source}" does not take an RKE2 node down: ${unit} runs with KillMode=process, so etcd, the API server ` +
    `and every pod keep running (a signal from systemctl kill reaches the unit's cgroup, not the pods). Use ` +
    `rke2-killall.sh (undo: systemctl start rke2-server), a power-off (ipmi, kubevirt), or say why it does on this ` +
    `host with because: "..."`
  );
}
