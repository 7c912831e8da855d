// The sandbox kubelet: registers its Node, renews its Lease in kube-node-lease and keeps its Ready condition.
// Like a real kubelet it goes on while its Node is Terminating (a deletionTimestamp, finalizers still holding it):
// kubernetes pkg/kubelet/kubelet_node_status.go tryUpdateNodeStatus gets the Node and patches its status with no
// look at deletionTimestamp, and the node lease controller renews the Lease regardless. And it never re-creates a
// Node object that was deleted after registration: registerWithAPIServer returns at once once registrationCompleted
// is set, so status updates of a Node that is gone just fail (until the kubelet restarts).
import type { V1Lease, V1Node, V1NodeCondition, V1NodeStatus, V1NodeSystemInfo } from '@kubernetes/client-node';
import type { FailoverApiClient, ListTrigger } from './api-client.ts';
import { statusCodeOf } from '../../util/kubeconfig.ts';
import { fromApiserverCache } from '../../util/api-deadline.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { nodeAddresses, nodeSystemInfo } from './node-info.ts';
import type { NodeResources } from './node-resources.ts';
import { memoryPressureCondition, type MemoryPressureMonitor } from './memory-pressure.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface KubeletOptions {
  readonly nodeName: string;
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The kubelet's tick: how often it looks whether its Lease or its status is due. */
  readonly heartbeatMs: number;
  /**
   * How often the Lease is renewed (default: every tick). Upstream, a quarter of the lease's duration
   * (pkg/kubelet/kubelet.go nodeLeaseRenewIntervalFraction 0.25 of nodeLeaseDurationSeconds, 40 s), the duration being
   * the node-monitor grace (40 s); a failed renewal is tried again at the next tick.
   */
  readonly leaseRenewMs?: number;
  /**
   * How often the kubelet compares its status with its Node's (kubelet nodeStatusUpdateFrequency, 10 s upstream): it
   * patches the status when it differs (a condition other than by its heartbeat time, addresses, nodeInfo, resources).
   */
  readonly statusUpdateMs: number;
  /** Patches the status at least this often even when nothing changed (nodeStatusReportFrequency, 5 min upstream). */
  readonly statusReportMs: number;
  readonly onError?: (what: string, error: unknown) => void;
  /** Told once the kubelet has created its Node (or found it there, after a restart). */
  readonly onRegistered?: () => void;
  /**
   * A node that must be registered first (the previous worker of the topology), so Nodes are created — and aged, as
   * Harvester's promotion ranks them — in topology order. Waited for at most registerAfterMaxMs.
   */
  readonly registerAfter?: string | undefined;
  readonly registerAfterMaxMs?: number;
  /**
   * How the kubelet learns that the node to register after may have appeared (main.ts: a watch on that one Node):
   * it reads the Node only when the trigger says so, and `changed` runs its heartbeat at once, so a chain of 50
   * waiting workers neither reads a Node each tick nor loses a tick at each link. None: it reads each tick.
   */
  readonly watchPredecessor?: (name: string, changed: () => void) => PredecessorTrigger;
  /** status.capacity and status.allocatable to report (node-resources.ts); none: the Node reports none. */
  readonly resources?: NodeResources | undefined;
  /**
   * The eviction manager's memory signal (memory-pressure.ts), observed at each status check (kubelet's eviction
   * monitoring period and nodeStatusUpdateFrequency are both 10 s upstream); none: no MemoryPressure condition.
   */
  readonly memoryPressure?: MemoryPressureMonitor | undefined;
}

const DEFAULT_REGISTER_AFTER_MAX_MS = 15_000;

/** When to read the node to register after; stopped once the kubelet has registered. */
export interface PredecessorTrigger extends ListTrigger {
  stop(): void;
}

export class Kubelet {
  private registered = false;
  private gone = false;
  private lease: V1Lease | undefined;
  private lastStatusPostMs = 0;
  private lastStatusCheckMs = 0;
  private lastLeaseRenewMs = 0;
  /** Heartbeats (Lease renewals, status updates) failed in a row. */
  private failedHeartbeats = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly startedMs = Date.now();
  private predecessor: PredecessorTrigger | undefined;
  /** status.nodeInfo of this start of the node (a new bootID each start). */
  private readonly nodeInfo: V1NodeSystemInfo;

  constructor(
    private readonly api: FailoverApiClient,
    private readonly options: KubeletOptions,
  ) {
    this.nodeInfo = nodeSystemInfo(options.nodeName);
  }

  /** Whether the node to register after is there (or waiting for it has taken too long). */
  private async predecessorRegistered(): Promise<boolean> {
    const name = this.options.registerAfter;
    if (!name || Date.now() - this.startedMs > (this.options.registerAfterMaxMs ?? DEFAULT_REGISTER_AFTER_MAX_MS)) return true;
    if (this.predecessor && !this.predecessor.listDue()) return false;
    try {
      // From the API server's cache: a cache behind etcd only makes the kubelet wait for the next change or tick.
      await this.api.call('read the node to register after', (api, requestOptions) =>
        api.core.readNode({ name }, fromApiserverCache(requestOptions)),
      );
      return true;
    } catch (error) {
      if (statusCodeOf(error) === 404) return false;
      this.predecessor?.listAgain();
      throw error;
    }
  }

  start(): void {
    const name = this.options.registerAfter;
    if (name && this.options.watchPredecessor) this.predecessor = this.options.watchPredecessor(name, () => this.tick());
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.heartbeatMs);
  }

  private tick(): void {
    if (this.busy || this.gone) return;
    this.busy = true;
    this.beat()
      .catch((error: unknown) => this.options.onError?.('heartbeat', error))
      .finally(() => {
        this.busy = false;
      });
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopWatchingPredecessor();
  }

  private stopWatchingPredecessor(): void {
    this.predecessor?.stop();
    this.predecessor = undefined;
  }

  /**
   * What a kubelet restart changes here (systemctl restart kubelet after its configuration changed): the eviction
   * manager reads its thresholds again and forgets its observations, and the status is checked at the next beat.
   */
  restart(): void {
    this.options.memoryPressure?.restart();
    this.lastStatusCheckMs = 0;
    this.lastLeaseRenewMs = 0;
  }

  /** True once the Node object was deleted after registration: the kubelet stops for good. */
  get nodeGone(): boolean {
    return this.gone;
  }

  private async beat(): Promise<void> {
    // The lease first: a restarted node must not show Ready with a stale lease, or the node lifecycle controller
    // turns it Unknown again at once.
    if (Date.now() - this.lastLeaseRenewMs >= (this.options.leaseRenewMs ?? this.options.heartbeatMs)) {
      await this.heartbeat(() => this.renewLease());
      this.lastLeaseRenewMs = Date.now();
    }
    if (!this.registered) {
      if (!(await this.predecessorRegistered())) return;
      await this.register();
      this.registered = true;
      this.stopWatchingPredecessor();
      this.options.onRegistered?.();
    }
    if (Date.now() - this.lastStatusCheckMs >= this.options.statusUpdateMs) await this.heartbeat(() => this.updateStatus());
  }

  /**
   * A Lease renewal or a status update. From the second failure in a row on, every connection to the API is closed
   * before the next try, as upstream: the node lease controller's retryUpdateLease and the kubelet's updateNodeStatus
   * call onRepeatedHeartbeatFailure on each failed retry after the first (k8s.io/component-helpers/apimachinery/lease
   * controller.go, pkg/kubelet/kubelet_node_status.go), which the kubelet sets to closeAllConns. Upstream retries
   * within one beat (5 times); this kubelet retries at its next tick.
   */
  private async heartbeat(run: () => Promise<void>): Promise<void> {
    try {
      await run();
      this.failedHeartbeats = 0;
    } catch (error) {
      // A conflict is not a failed heartbeat upstream (retryUpdateLease reads the Lease again and goes on).
      if (statusCodeOf(error) !== 409 && ++this.failedHeartbeats >= 2) this.api.closeConnections();
      throw error;
    }
  }

  private readyCondition(now: Date): V1NodeCondition {
    return {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    };
  }

  private async register(): Promise<void> {
    const now = new Date();
    const node: V1Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.options.nodeName, labels: { ...this.options.labels } },
      spec: {},
      status: {
        conditions: [
          ...(this.options.memoryPressure ? [memoryPressureCondition(this.options.memoryPressure.observe(), now, undefined)] : []),
          this.readyCondition(now),
        ],
        addresses: nodeAddresses(this.options.nodeName, this.options.address),
        nodeInfo: this.nodeInfo,
        ...this.options.resources,
      },
    };
    try {
      await this.api.call('register node', (api, requestOptions) => api.core.createNode({ body: node }, requestOptions));
      this.lastStatusPostMs = Date.now();
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
      // Already registered (a restart): keep the object, refresh the status.
      await this.updateStatus({ force: true });
    }
  }

  private async renewLease(): Promise<void> {
    const now = new Date();
    const name = this.options.nodeName;
    if (!this.lease) {
      try {
        this.lease = await this.api.call('read node lease', (api, requestOptions) =>
          api.coordination.readNamespacedLease({ name, namespace: NODE_LEASE_NAMESPACE }, requestOptions),
        );
      } catch (error) {
        if (statusCodeOf(error) !== 404) throw error;
        const body: V1Lease = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace: NODE_LEASE_NAMESPACE },
          spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now },
        };
        this.lease = await this.api.call('create node lease', (api, requestOptions) =>
          api.coordination.createNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, body }, requestOptions),
        );
        return;
      }
    }
    const body: V1Lease = { ...this.lease, spec: { ...this.lease.spec, holderIdentity: name, renewTime: now } };
    try {
      this.lease = await this.api.call('renew node lease', (api, requestOptions) =>
        api.coordination.replaceNamespacedLease({ name, namespace: NODE_LEASE_NAMESPACE, body }, requestOptions),
      );
    } catch (error) {
      this.lease = undefined; // re-read next beat (409 conflict, or 404 when the lease was removed)
      throw error;
    }
  }

  private readOwnNode(fromCache: boolean): Promise<V1Node> {
    return this.api.call('read own node', (api, requestOptions) =>
      api.core.readNode({ name: this.options.nodeName }, fromCache ? fromApiserverCache(requestOptions) : requestOptions),
    );
  }

  /**
   * kubelet's tryUpdateNodeStatus: reads its Node and patches the status when it changed (nodeStatusHasChanged) or
   * when nodeStatusReportFrequency has passed since the last report (pkg/kubelet/kubelet_node_status.go).
   */
  private async updateStatus(options: { readonly force?: boolean } = {}): Promise<void> {
    this.lastStatusCheckMs = Date.now();
    const now = new Date();
    let node: V1Node;
    try {
      // From the API server's cache, as tryUpdateNodeStatus's first try reads it; its later tries read etcd, as a
      // NotFound from the cache is read again here (a cache that has not yet seen a registration a moment old).
      node = await this.readOwnNode(true).catch((error: unknown) => {
        if (statusCodeOf(error) === 404) return this.readOwnNode(false);
        throw error;
      });
    } catch (error) {
      if (statusCodeOf(error) === 404 && this.registered) {
        this.gone = true;
        this.stop();
        return;
      }
      throw error;
    }
    const conditions = node.status?.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    const wasReady = ready?.status === 'True';
    const readyAsPosted = wasReady && ready.reason === 'KubeletReady';
    const next = this.readyCondition(now);
    if (wasReady && ready?.lastTransitionTime) next.lastTransitionTime = ready.lastTransitionTime;
    const monitor = this.options.memoryPressure;
    const memory = monitor
      ? memoryPressureCondition(
          monitor.observe(),
          now,
          conditions.find((c) => c.type === 'MemoryPressure'),
        )
      : undefined;
    const others = conditions.filter((c) => c.type !== 'Ready' && (memory === undefined || c.type !== memory.type));
    // As kubelet's status setters do on every update: addresses, nodeInfo (a restart brings a new bootID), capacity and
    // allocatable too.
    const status = {
      conditions: [...others, ...(memory ? [memory] : []), next],
      addresses: nodeAddresses(this.options.nodeName, this.options.address),
      nodeInfo: this.nodeInfo,
      ...this.options.resources,
    };
    const due = Date.now() - this.lastStatusPostMs >= this.options.statusReportMs;
    const memoryAsPosted = memory === undefined || conditions.some((c) => c.type === memory.type && c.status === memory.status);
    if (!options.force && !due && readyAsPosted && memoryAsPosted && !statusChanged(node.status ?? {}, status)) return;
    await this.api.call('post node status', (api, requestOptions) =>
      api.core.patchNodeStatus({ name: this.options.nodeName, body: { status } }, mergePatch(requestOptions)),
    );
    this.lastStatusPostMs = Date.now();
  }
}

/** The parts of a Node's status the kubelet sets besides its Ready condition. */
type ReportedStatus = Pick<V1NodeStatus, 'addresses' | 'nodeInfo' | 'capacity' | 'allocatable'>;

/** A value's JSON with object keys sorted (client-node's models list fields in their own order). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * Whether the status to post differs from the Node's (kubelet's nodeStatusHasChanged), the Ready condition aside: the
 * caller posts whenever the Node is not Ready as the kubelet would say.
 */
function statusChanged(current: ReportedStatus, next: ReportedStatus): boolean {
  const comparable = (status: ReportedStatus): string =>
    canonicalJson([status.addresses ?? [], status.nodeInfo ?? {}, status.capacity ?? {}, status.allocatable ?? {}]);
  return comparable(current) !== comparable(next);
}
