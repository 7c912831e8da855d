// Watches a cluster through its API and records what happens: Nodes, promote Jobs, Events and Leases (list-watch
// with gaps recorded), the write samplers (through the VIP and per API server), and etcd membership samples.
import { CpuPressureSampler } from './cpu-pressure.ts';
import {
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  type CoreV1Event,
  type KubeConfig,
  type KubernetesObject,
  type V1Job,
  type V1Lease,
  type V1Node,
} from '@kubernetes/client-node';
import type { ClusterEndpoints, EtcdMembership } from '../model/cluster.ts';
import { errorMessage } from '../util/errors.ts';
import { loadKubeConfig, statusCodeOf } from '../util/kubeconfig.ts';
import { requestWithDeadline, type RequestOptions } from '../util/api-deadline.ts';
import { PROMOTE_JOB_NAMESPACE } from '../harvester/contract.ts';
import type { GapSource, TrimmedNode } from './history.ts';
import { ReadSampler } from './read-sampler.ts';
import { ListWatcher, type ListResult } from './list-watch.ts';
import type { Recorder } from './recorder.ts';
import { trimEvent, trimJob, trimLease, trimNode } from './trim.ts';
import { PROBE_KEY, runObjects, SAMPLER_NAMESPACE, WriteSampler, type WriteSamplerOptions } from './write-sampler.ts';

/** An object the run creates in the cluster: journaled before it is created, so `cpchaos cleanup` can delete it. */
export interface RunObject {
  readonly kind: 'ConfigMap';
  readonly namespace: string;
  readonly name: string;
}

/**
 * What the observer needs of a cluster: where its API servers are, the run's id (its objects are named for it),
 * etcd membership when the target shows it, and a journal for the objects it creates and deletes.
 */
export interface ObservedCluster {
  readonly endpoints: ClusterEndpoints;
  readonly runId: string;
  etcdMembership?(): Promise<EtcdMembership | undefined>;
  /** Called before the object is created. */
  objectCreating?(object: RunObject): void;
  /** Called once the object is gone. */
  objectDeleted?(object: RunObject): void;
}

/** The process name of the write probe through the VIP. */
export const VIP_WRITE_PROBE = 'vip-probe';

/** How long creating the run's objects may take at the start (the cluster may be slow, not the run). */
const OBJECT_CREATE_DEADLINE_MS = 10_000;

/** How long deleting the run's objects may take at the end (the cluster may be slow, not the run). */
const OBJECT_DELETE_DEADLINE_MS = 10_000;

/**
 * How long a list of the recorder's list-watches may go unanswered before it is aborted and the list is asked for again
 * (the blind time a gap). Long: a list can be large (every Event of the cluster); it bounds a list nothing answers.
 */
const LIST_DEADLINE_MS = 30_000;

export interface ObserverOptions {
  /** Interval of the write sampler through the VIP. */
  readonly vipSampleIntervalMs: number;
  /** Interval of the per-API-server samplers (0: none). */
  readonly nodeSampleIntervalMs: number;
  readonly etcdSampleIntervalMs: number;
  readonly requestDeadlineMs: number;
  /** How long a list of the list-watches may go unanswered (default LIST_DEADLINE_MS). */
  readonly listDeadlineMs?: number;
  /**
   * false: write nothing into the cluster (no registers, no write samplers; `cpchaos watch` without --probe-writes).
   * Default true.
   */
  readonly writes?: boolean;
  /** Interval of the read sampler through the VIP (lib/observe/read-sampler.ts); 0 or absent: none. */
  readonly readSampleIntervalMs?: number;
  /**
   * Called before each node event is recorded (also for a node the list no longer holds after a relist), so a
   * watcher can record what it concludes from it (an operator's deletion) ahead of it.
   */
  readonly beforeNodeEvent?: (type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'SYNC', node: TrimmedNode) => void;
}

export const DEFAULT_OBSERVER_OPTIONS: ObserverOptions = {
  vipSampleIntervalMs: 100,
  nodeSampleIntervalMs: 500,
  etcdSampleIntervalMs: 500,
  requestDeadlineMs: 2000,
};

/** A list-watch's list (`what` names it), aborted when unanswered for `deadlineMs`: it fails, the watcher lists again. */
function listOf<T extends KubernetesObject>(
  what: string,
  deadlineMs: number,
  fetch: (options: RequestOptions) => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
): () => Promise<ListResult<T>> {
  return async () => {
    const list = await requestWithDeadline(what, deadlineMs, fetch);
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '0' };
  };
}

// Long enough to cover a Node watch that reconnects after a server went away; Node heartbeats normally release
// waiting Job events far sooner.
const REORDER_WAIT_MS = 5000;

function revision(object: KubernetesObject): bigint | undefined {
  const rv = object.metadata?.resourceVersion;
  return rv && /^\d{1,19}$/.test(rv) ? BigInt(rv) : undefined;
}

function rvOf(object: KubernetesObject): { rv?: string } {
  const rv = object.metadata?.resourceVersion;
  return rv ? { rv } : {};
}

export class ClusterObserver {
  private readonly watchers: { start(): Promise<void>; stop(): void }[] = [];
  private readonly samplers: WriteSampler[] = [];
  private readSampler: ReadSampler | undefined;
  private etcdTimer: NodeJS.Timeout | undefined;
  private etcdBusy = false;
  private etcdSampling: Promise<void> | undefined;
  private lastEtcd = '';
  private opId = 0;
  private readonly kubeConfig: KubeConfig;
  private readonly objects: RunObject[] = [];
  private stopped: Promise<void> | undefined;
  private cpuSampler: CpuPressureSampler | undefined;

  constructor(
    private readonly cluster: ObservedCluster,
    private readonly recorder: Recorder,
    private readonly options: ObserverOptions = DEFAULT_OBSERVER_OPTIONS,
  ) {
    this.kubeConfig = loadKubeConfig(cluster.endpoints.kubeconfigPath);
  }

  // Node and Job events arrive on separate watches and can overtake each other. Where both carry etcd revisions,
  // a Job event waits (at most REORDER_WAIT_MS) until the Node watch has passed its revision, so the history
  // records them in the order etcd applied them: a promotion's Job never seems to precede the deletion before it.
  private readonly pendingJobs: { rv: bigint; record: () => void }[] = [];
  private nodeRv = 0n;
  private flushTimer: NodeJS.Timeout | undefined;

  private jobEvent(job: KubernetesObject, record: () => void): void {
    const rv = revision(job);
    if (rv === undefined || rv <= this.nodeRv) {
      record();
      return;
    }
    this.pendingJobs.push({ rv, record });
    this.flushTimer ??= setTimeout(() => this.flushJobs(undefined), REORDER_WAIT_MS);
  }

  private beforeNodeEvent(node: KubernetesObject): void {
    const rv = revision(node);
    if (rv === undefined) return;
    this.flushJobs(rv);
    if (rv > this.nodeRv) this.nodeRv = rv;
  }

  /** Records pending Job events older than `below` (all of them when undefined), in revision order. */
  private flushJobs(below: bigint | undefined): void {
    this.pendingJobs.sort((a, b) => (a.rv < b.rv ? -1 : a.rv > b.rv ? 1 : 0));
    while (this.pendingJobs.length > 0 && (below === undefined || (this.pendingJobs[0] as { rv: bigint }).rv < below)) {
      (this.pendingJobs.shift() as { record: () => void }).record();
    }
    clearTimeout(this.flushTimer);
    this.flushTimer = this.pendingJobs.length > 0 ? setTimeout(() => this.flushJobs(undefined), REORDER_WAIT_MS) : undefined;
  }

  private gap(source: GapSource) {
    return (from: number, to: number, reason: string): void => {
      this.recorder.record({ kind: 'gap', source, from, to, reason });
    };
  }

  async start(): Promise<void> {
    const kc = this.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    const batch = kc.makeApiClient(BatchV1Api);
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const knownNodes = new Map<string, ReturnType<typeof trimNode>>();
    const record = this.recorder.record.bind(this.recorder);
    // The machine's CPU stall each second (`cpu` events, lib/observe/cpu-pressure.ts).
    this.cpuSampler = new CpuPressureSampler((stalledUs) => record({ kind: 'cpu', stalledUs }), 1000);
    this.cpuSampler.start();
    const listDeadlineMs = this.options.listDeadlineMs ?? LIST_DEADLINE_MS;
    this.watchers.push(
      new ListWatcher<V1Node>({
        kubeConfig: kc,
        path: '/api/v1/nodes',
        list: listOf('the Node list', listDeadlineMs, (options) => core.listNode({}, options)),
        onSync: (items) => {
          const seen = new Set<string>();
          for (const item of items) {
            const node = trimNode(item);
            seen.add(node.name);
            knownNodes.set(node.name, node);
            this.options.beforeNodeEvent?.('SYNC', node);
            record({ kind: 'node', type: 'SYNC', node, ...rvOf(item) });
          }
          // Nodes deleted while the recorder was blind: replaying node events must still give the node set.
          for (const [name, node] of knownNodes) {
            if (!seen.has(name)) {
              knownNodes.delete(name);
              this.options.beforeNodeEvent?.('DELETED', node);
              record({ kind: 'node', type: 'DELETED', node });
            }
          }
        },
        onEvent: (type, item) => {
          const node = trimNode(item);
          if (type === 'DELETED') knownNodes.delete(node.name);
          else knownNodes.set(node.name, node);
          this.beforeNodeEvent(item);
          this.options.beforeNodeEvent?.(type, node);
          record({ kind: 'node', type, node, ...rvOf(item) });
        },
        onGap: this.gap('nodes'),
      }),
      new ListWatcher<V1Job>({
        kubeConfig: kc,
        path: `/apis/batch/v1/namespaces/${PROMOTE_JOB_NAMESPACE}/jobs`,
        list: listOf(`the Job list of ${PROMOTE_JOB_NAMESPACE}`, listDeadlineMs, (options) =>
          batch.listNamespacedJob({ namespace: PROMOTE_JOB_NAMESPACE }, options),
        ),
        onSync: (items) => items.forEach((job) => record({ kind: 'job', type: 'SYNC', ...trimJob(job), ...rvOf(job) })),
        onEvent: (type, job) => this.jobEvent(job, () => record({ kind: 'job', type, ...trimJob(job), ...rvOf(job) })),
        onGap: this.gap('jobs'),
      }),
      new ListWatcher<CoreV1Event>({
        kubeConfig: kc,
        path: '/api/v1/events',
        list: listOf('the Event list', listDeadlineMs, (options) => core.listEventForAllNamespaces({}, options)),
        onSync: () => undefined, // events already recorded stay recorded; a relist adds nothing new to judge
        onEvent: (type, event) => {
          if (type !== 'DELETED') record({ kind: 'k8s-event', ...trimEvent(event) });
        },
        onGap: this.gap('events'),
      }),
      new ListWatcher<V1Lease>({
        kubeConfig: kc,
        path: '/apis/coordination.k8s.io/v1/leases',
        list: listOf('the Lease list', listDeadlineMs, (options) => coordination.listLeaseForAllNamespaces({}, options)),
        onSync: (items) => items.forEach((lease) => record({ kind: 'lease', ...trimLease(lease) })),
        onEvent: (type, lease) => {
          if (type !== 'DELETED') record({ kind: 'lease', ...trimLease(lease) });
        },
        onGap: this.gap('leases'),
      }),
    );
    await Promise.all(this.watchers.map((w) => w.start()));
    const readIntervalMs = this.options.readSampleIntervalMs ?? 0;
    if (readIntervalMs > 0) {
      this.readSampler = new ReadSampler({
        target: 'vip',
        kubeConfig: kc,
        intervalMs: readIntervalMs,
        deadlineMs: this.options.requestDeadlineMs,
        onOp: ({ t, ...op }) => this.recorder.record({ kind: 'op', ...op, t }),
        nextOpId: () => ++this.opId,
      });
      this.readSampler.start();
    }
    if (this.options.writes !== false) await this.startWriting(kc);
    if (this.cluster.etcdMembership) {
      this.etcdTimer = setInterval(() => {
        // A tick while a sample is in flight starts nothing: keep the promise of the one in flight for stop().
        if (!this.etcdBusy) this.etcdSampling = this.sampleEtcd();
      }, this.options.etcdSampleIntervalMs);
      await this.sampleEtcd();
    }
  }

  /** Creates the run's registers and starts the write samplers (through the VIP, and per API server). */
  private async startWriting(kc: KubeConfig): Promise<void> {
    const { register, probe } = runObjects(this.cluster.runId);
    await this.createObject(kc, register);
    await this.createObject(kc, probe);
    this.addSampler('vip', 'vip', kc, this.options.vipSampleIntervalMs, { register: { configMap: register } });
    // The write probe: blind writes through the VIP on a register of their own. The compare-and-swap client reads
    // first, and a read on a member without a leader waits out its whole deadline: alone, it would stretch every
    // outage it sees by up to one deadline.
    this.addSampler(VIP_WRITE_PROBE, 'vip', kc, this.options.vipSampleIntervalMs, {
      mode: 'write',
      register: { configMap: probe, key: PROBE_KEY },
    });
    if (this.options.nodeSampleIntervalMs > 0) {
      for (const [node, path] of this.cluster.endpoints.nodeKubeconfigPaths) {
        this.addSampler(`node:${node}`, node, loadKubeConfig(path), this.options.nodeSampleIntervalMs, {
          register: { configMap: register },
        });
      }
    }
  }

  /** Journals the register, then creates it (an existing one is taken over: a cleanup of an earlier run missed it). */
  private async createObject(kc: KubeConfig, name: string): Promise<void> {
    const object: RunObject = { kind: 'ConfigMap', namespace: SAMPLER_NAMESPACE, name };
    this.cluster.objectCreating?.(object);
    this.objects.push(object);
    await WriteSampler.ensureRegister(kc, name, OBJECT_CREATE_DEADLINE_MS);
  }

  /** Deletes the run's objects (an object already gone counts as deleted); failures leave them journaled. */
  private async deleteObjects(): Promise<void> {
    const core = this.kubeConfig.makeApiClient(CoreV1Api);
    for (const object of this.objects.splice(0)) {
      try {
        await requestWithDeadline(`deleting ConfigMap ${object.namespace}/${object.name}`, OBJECT_DELETE_DEADLINE_MS, (options) =>
          core.deleteNamespacedConfigMap({ name: object.name, namespace: object.namespace }, options),
        );
      } catch (error) {
        if (statusCodeOf(error) !== 404) {
          this.recorder.record({
            kind: 'note',
            message: `could not delete ConfigMap ${object.namespace}/${object.name}: ${errorMessage(error)}; cpchaos cleanup retries`,
          });
          continue;
        }
      }
      this.cluster.objectDeleted?.(object);
    }
  }

  private addSampler(
    process: string,
    target: string,
    kubeConfig: KubeConfig,
    intervalMs: number,
    extra: Pick<WriteSamplerOptions, 'mode' | 'register'>,
  ): void {
    const sampler = new WriteSampler({
      ...extra,
      process,
      target,
      kubeConfig,
      intervalMs,
      deadlineMs: this.options.requestDeadlineMs,
      blindWrites: process === 'vip',
      onOp: ({ t, ...op }) => this.recorder.record({ kind: 'op', ...op, t }),
      nextOpId: () => ++this.opId,
    });
    sampler.start();
    this.samplers.push(sampler);
  }

  private async sampleEtcd(): Promise<void> {
    if (this.etcdBusy || !this.cluster.etcdMembership) return;
    this.etcdBusy = true;
    try {
      const membership = await this.cluster.etcdMembership();
      if (!membership) return;
      const key = JSON.stringify(membership);
      if (key !== this.lastEtcd) {
        this.lastEtcd = key;
        this.recorder.record({ kind: 'etcd', members: membership.members, ...(membership.leader ? { leader: membership.leader } : {}) });
      }
    } catch (error) {
      const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      const key = `error:${message}`;
      if (key !== this.lastEtcd) {
        this.lastEtcd = key;
        this.recorder.record({ kind: 'etcd', members: [], error: message });
      }
    } finally {
      this.etcdBusy = false;
    }
  }

  /**
   * Stops every watcher and sampler, waits for operations in flight so their outcome is recorded, reads each VIP
   * register a last time (it shows which acknowledged writes survived), and deletes the run's objects. Idempotent.
   */
  stop(): Promise<void> {
    this.stopped ??= this.stopOnce();
    return this.stopped;
  }

  private async stopOnce(): Promise<void> {
    clearInterval(this.etcdTimer);
    // A sample in flight ends before stop() does: nothing reads etcd once the cluster is being stopped.
    await this.etcdSampling;
    for (const watcher of this.watchers) watcher.stop();
    this.flushJobs(undefined);
    await Promise.all([...this.samplers.map((s) => s.stop()), this.readSampler?.stop()]);
    await Promise.all(this.samplers.slice(0, 2).map((s) => s.finalRead()));
    this.cpuSampler?.stop();
    await this.deleteObjects();
  }
}
