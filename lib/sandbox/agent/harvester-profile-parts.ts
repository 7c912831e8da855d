// The parts of a node that only the sandbox's Harvester profile runs (lib/sandbox/profile.ts), started once from the
// agent and driven by what the node has become: once it runs an etcd member, RKE2's etcd node metadata; once it serves
// the Kubernetes API, kube-vip.
// - etcd node metadata (k3s pkg/etcd/metadata_controller.go handleSelf, run by every server for its own Node): the
//   Node is annotated with its member's name and address (etcd.rke2.cattle.io/node-name, /node-address), which the
//   member removal reads when the Node is deleted (etcd-member-controller.ts, k3s member_controller.go onRemove).
//   handleSelf also sets the etcd/control-plane/master labels; here registration and the promote Job set the roles.
import type { V1Node } from '@kubernetes/client-node';
import { RKE2_ETCD_NODE_ADDRESS_ANNOTATION, RKE2_ETCD_NODE_NAME_ANNOTATION } from '../../harvester/etcd-members.ts';
import type { KubeVipLease } from '../../harvester/profiles.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { statusCodeOf } from '../../util/kubeconfig.ts';
import type { FailoverApiClient } from './api-client.ts';
import { memberNameOf } from './etcd-member-process.ts';
import { KubeVip } from './kube-vip.ts';
import { startPeriodic } from '../../util/periodic.ts';

export interface HarvesterNodeConfig {
  /** Annotate the Node with its etcd member, as RKE2 does (the member names are `<node>-<8 hex>`). */
  readonly etcdNodeMetadata: boolean;
  /** kube-vip's services election once the node serves the API; the holder writes `holderFile`. */
  readonly kubeVip?: { readonly lease: KubeVipLease; readonly holderFile: string };
}

export interface HarvesterNodeContext {
  readonly config: HarvesterNodeConfig;
  readonly nodeName: string;
  readonly address: string;
  readonly etcdDir: string;
  readonly periodMs: number;
  readonly api: FailoverApiClient;
  /** True once the node runs its etcd member. */
  readonly hasEtcdMember: () => boolean;
  /** True once the node's API server listens. */
  readonly servesApi: () => boolean;
  readonly log: (message: string) => void;
  readonly onError: (what: string, error: unknown) => void;
}

/** The annotations handleSelf wants on the Node, or undefined when it has them. */
export function missingEtcdMetadata(node: V1Node, memberName: string, address: string): Record<string, string> | undefined {
  const annotations = node.metadata?.annotations ?? {};
  if (annotations[RKE2_ETCD_NODE_NAME_ANNOTATION] === memberName && annotations[RKE2_ETCD_NODE_ADDRESS_ANNOTATION] === address)
    return undefined;
  return { [RKE2_ETCD_NODE_NAME_ANNOTATION]: memberName, [RKE2_ETCD_NODE_ADDRESS_ANNOTATION]: address };
}

/** Once the Node carries its metadata, how often it is read again (handleSelf runs on every change of the Node). */
const METADATA_RECHECK_MS = 5000;

/** Starts the node's Harvester-profile parts; returns how to stop them. */
export function startHarvesterNode(context: HarvesterNodeContext): () => Promise<void> {
  const { config, api, nodeName } = context;
  let kubeVip: KubeVip | undefined;
  let metadataSeenAtMs = 0;
  const tick = async (): Promise<void> => {
    if (config.kubeVip && !kubeVip && context.servesApi()) {
      kubeVip = new KubeVip(api, { identity: nodeName, ...config.kubeVip, log: context.log, onError: context.onError });
      kubeVip.start();
    }
    if (config.etcdNodeMetadata && context.hasEtcdMember() && Date.now() - metadataSeenAtMs >= METADATA_RECHECK_MS) {
      const node = await api
        .call('read own node', (a, requestOptions) => a.core.readNode({ name: nodeName }, requestOptions))
        .catch((error: unknown) => {
          // Not registered yet: the kubelet creates it.
          if (statusCodeOf(error) === 404) return undefined;
          throw error;
        });
      if (!node) return;
      const memberName = memberNameOf(context.etcdDir, nodeName);
      const missing = missingEtcdMetadata(node, memberName, context.address);
      if (missing) {
        await api.call('annotate own node with its etcd member', (a, requestOptions) =>
          a.core.patchNode({ name: nodeName, body: { metadata: { annotations: missing } } }, mergePatch(requestOptions)),
        );
        context.log(`etcd node metadata: ${nodeName} is etcd member ${memberName} (${context.address})`);
      }
      metadataSeenAtMs = Date.now();
    }
  };
  const stop = startPeriodic(context.periodMs, tick, (error) => context.onError('harvester node parts', error));
  return async () => {
    stop();
    await kubeVip?.stop();
  };
}
