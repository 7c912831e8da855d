// The finalizers a Harvester Node carries and the controllers that release them. A Harvester control-plane Node
// lists, in this order (harvester/harvester pkg/controller/master/node/condition_annotations_test.go @3d63c2af, a
// Node dumped from a running cluster):
//   wrangler.cattle.io/harvester-network-manager-node-controller  harvester/harvester-network-controller
//       pkg/controller/manager/node/controller.go @b3ad6a1b OnRemove: drops the node from VlanConfigs' matched
//       nodes and from LinkMonitors' link statuses (the sandbox has neither);
//   wrangler.cattle.io/node  k3s pkg/node/controller.go onRemove: deletes the node's password Secret (the sandbox's
//       kubelet keeps none);
//   wrangler.cattle.io/managed-etcd-controller  k3s pkg/etcd/member_controller.go onRemove: removes the node's etcd
//       member (etcd-member-controller.ts);
//   wrangler.cattle.io/maintain-node-controller  harvester maintain_controller.go OnNodeRemoved: clears the
//       maintenance-mode annotations of VMs that name the node (the sandbox has no VMs);
//   wrangler.cattle.io/node-remove-controller  harvester node_remove_controller.go OnNodeRemoved: deletes the CAPI
//       Machine named by the node's cluster.x-k8s.io/machine annotation in fleet-local, without waiting for it to
//       go (the sandbox's Nodes have no Machine; the harness removes the machine once the Node is gone).
// Every one is a wrangler OnRemove handler with no condition, so workers carry them all too; they run on their own
// (k3s's on the RKE2 leader, Harvester's in the harvester pod, the network controller's in its own), in no fixed
// order; the sandbox runs them in the controller manager of its leader, in the order above.
import type { FailoverApiClient } from './api-client.ts';
import { etcdMemberRemoveHandler, type EtcdMemberOps } from './etcd-member-controller.ts';
import { NodeFinalizerController, type NodeFinalizerOptions, type NodeRemoveHandler } from './node-finalizers.ts';

/** A handler whose cleanup concerns objects the sandbox does not have: it releases its finalizer at once. */
function nothingToClean(controller: string): NodeRemoveHandler {
  return { controller, onRemove: () => Promise.resolve() };
}

export function harvesterNodeRemoveHandlers(etcd: EtcdMemberOps): NodeRemoveHandler[] {
  return [
    nothingToClean('harvester-network-manager-node-controller'),
    nothingToClean('node'),
    etcdMemberRemoveHandler(etcd),
    nothingToClean('maintain-node-controller'),
    nothingToClean('node-remove-controller'),
  ];
}

/** The Harvester Node finalizer controllers, for the sandbox's controller manager. */
export function harvesterNodeFinalizerController(
  api: FailoverApiClient,
  etcd: EtcdMemberOps,
  options: NodeFinalizerOptions = {},
): NodeFinalizerController {
  return new NodeFinalizerController(api, harvesterNodeRemoveHandlers(etcd), options);
}
