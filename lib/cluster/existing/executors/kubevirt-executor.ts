// The KubeVirt executor: nodes that are VirtualMachines of an outer Harvester/KubeVirt cluster. It does what a
// Harvester user (or virtctl) does: PUT the VM's stop/start/restart subresource, PUT the VMI's pause/unpause
// subresource, through the outer cluster's kubeconfig.
import type { FaultKind } from '../../../faults/catalogue.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import type { FaultAction, FaultStep } from './action.ts';
import type { KubevirtSettings, VmRef } from './config-types.ts';
import { KubeRequestError, kubeRequest, requestUrl, type KubeRequest } from './kube-request.ts';

export type VmAction = 'stop' | 'start' | 'restart' | 'pause' | 'unpause';

/** What KubeVirt does for each fault kind it supports, and the undo. */
export const KUBEVIRT_ACTIONS: Partial<Record<FaultKind, { readonly apply: VmAction; readonly undo?: VmAction }>> = {
  kill: { apply: 'stop', undo: 'start' },
  restart: { apply: 'restart' },
  pause: { apply: 'pause', undo: 'unpause' },
  resume: { apply: 'unpause' },
};

const SUBRESOURCES = '/apis/subresources.kubevirt.io/v1';

export function vmPath(vm: VmRef): string {
  return `/apis/kubevirt.io/v1/namespaces/${encodeURIComponent(vm.namespace)}/virtualmachines/${encodeURIComponent(vm.name)}`;
}

/** The subresource request for an action: VM stop/start/restart, VMI pause/unpause. */
export function subresourceRequest(
  vm: VmRef,
  action: VmAction,
  settings: Pick<KubevirtSettings, 'stopGracePeriodMs' | 'timeoutMs'>,
): KubeRequest {
  const kind = action === 'pause' || action === 'unpause' ? 'virtualmachineinstances' : 'virtualmachines';
  const body = action === 'stop' ? { gracePeriod: Math.round(settings.stopGracePeriodMs / 1000) } : {};
  return {
    method: 'PUT',
    path: `${SUBRESOURCES}/namespaces/${encodeURIComponent(vm.namespace)}/${kind}/${encodeURIComponent(vm.name)}/${action}`,
    body,
    timeoutMs: settings.timeoutMs,
  };
}

/** Actions whose "already so" answer (409 Conflict: already stopped, not paused, ...) counts as done. */
const IDEMPOTENT: readonly VmAction[] = ['stop', 'start', 'pause', 'unpause'];

export type KubeRequester = (kc: KubeConfig, request: KubeRequest) => Promise<unknown>;

export class KubevirtExecutor {
  constructor(
    private readonly settings: KubevirtSettings,
    private readonly outer: KubeConfig,
    private readonly request: KubeRequester = kubeRequest,
  ) {}

  action(vm: VmRef, action: VmAction): FaultAction {
    const request = subresourceRequest(vm, action, this.settings);
    return {
      describe: `${request.method} ${requestUrl(this.outer, request.path)} ${JSON.stringify(request.body)}`,
      run: async () => {
        try {
          await this.request(this.outer, request);
        } catch (error) {
          if (error instanceof KubeRequestError && error.status === 409 && IDEMPOTENT.includes(action)) return;
          throw error;
        }
      },
    };
  }

  step(kind: FaultKind, node: string, vm: VmRef): FaultStep {
    const actions = KUBEVIRT_ACTIONS[kind];
    if (!actions) throw new Error(`kubevirt cannot carry out ${kind}`);
    return {
      node,
      apply: this.action(vm, actions.apply),
      ...(actions.undo ? { undo: this.action(vm, actions.undo) } : {}),
    };
  }

  /** Problems finding the VMs (each read once), for the start of a run: a missing VM is a setup error. */
  async checkVms(vms: ReadonlyMap<string, VmRef>): Promise<string[]> {
    const problems: string[] = [];
    for (const [node, vm] of vms) {
      try {
        await this.request(this.outer, { method: 'GET', path: vmPath(vm), timeoutMs: this.settings.timeoutMs });
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        problems.push(`kubevirt: node ${node}: cannot read VirtualMachine ${vm.namespace}/${vm.name} in the outer cluster: ${why}`);
      }
    }
    return problems;
  }
}
