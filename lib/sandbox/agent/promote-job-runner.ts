// The sandbox's stand-in for the promote Job's pod: every node's agent looks, each heartbeat, for unfinished promote
// Jobs pinned to its node and does what promote.sh brings about: this node's etcd member joins the cluster as a
// learner (k3s pkg/etcd/etcd.go join(): MemberAddAsLearner; the etcd leader's manageLearners promotes it, see
// etcd-learner-manager.ts), the node starts its control plane (a witness: etcd only), gets the role labels, and the
// Job is marked succeeded. Errors are retried on the next heartbeat FOREVER: promote.sh's wait loops (`until ...; do
// sleep 2; done`, `while true`) have no end, and Harvester's Job has no activeDeadlineSeconds
// (deploy/charts/harvester/templates/configmap.yaml promote.sh; promote_controller.go buildPromoteJob), so a stuck
// promotion stays running (harvester#2191, #8968). Only the forced failure `promotion.fail` marks a Job failed.
import type { V1Job, V1JobCondition, V1JobStatus, V1Node, V1Taint } from '@kubernetes/client-node';
import {
  PROMOTE_JOB_BACKOFF_LIMIT,
  PROMOTE_JOB_NAMESPACE,
  PROMOTE_JOB_NODE_LABEL,
  WITNESS_TAINT,
  promotesAsWitness,
  roleLabelsForPromotion,
} from '../../harvester/contract.ts';
import { WITNESS_PROMOTE_PARAMETER } from '../../harvester/promote/actions.ts';
import type { EtcdMember } from '../etcd/codec.ts';
import { errorMessage } from '../../util/errors.ts';
import { sleepMs, waitFor, withDeadline } from '../../util/wait.ts';
import type { EtcdMemberPlan } from './config.ts';
import { readApiEndpoints } from './config.ts';
import type { FailoverApiClient, ListTrigger } from './api-client.ts';
import { etcdClientUrl, etcdPeerUrl } from './etcd-member-process.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { jobOutcome } from '../../harvester/promote/actions.ts';
import { batchApiOf } from './promote-controller.ts';

/** One attempt's bound (a hung call does not block the heartbeat); the next heartbeat tries again. */
export const DEFAULT_PROMOTE_ATTEMPT_DEADLINE_MS = 30_000;
const HUNG_CALL_GRACE_MS = 1000;

// ---- pure helpers -----------------------------------------------------------------------------------------------

/** The etcd client URLs of the control-plane nodes, from the API server URLs (http://addr:6443), this node's last. */
export function controlPlaneEtcdUrls(apiEndpoints: readonly string[], ownAddress: string): string[] {
  const addresses = new Set<string>();
  for (const endpoint of apiEndpoints) {
    try {
      addresses.add(new URL(endpoint).hostname.replace(/^\[|\]$/g, ''));
    } catch {
      // not a URL: skip
    }
  }
  const others = [...addresses].filter((a) => a !== ownAddress);
  return [...others, ...(addresses.has(ownAddress) ? [ownAddress] : [])].map(etcdClientUrl);
}

/**
 * The plan a joining member starts with: every member of the cluster (etcd requires the count to match), this node
 * under its name; another member added but not started yet has no name and gets a placeholder.
 */
export function joinPlan(members: readonly EtcdMember[], self: { readonly name: string; readonly peerUrl: string }): EtcdMemberPlan {
  const initialCluster = members.map((m) => {
    if (m.peerUrls.includes(self.peerUrl)) return { name: self.name, peerUrl: self.peerUrl };
    return { name: m.name === '' ? `unstarted-${m.idHex}` : m.name, peerUrl: m.peerUrls[0] ?? '' };
  });
  if (!initialCluster.some((peer) => peer.name === self.name)) initialCluster.push({ name: self.name, peerUrl: self.peerUrl });
  return { initialCluster, state: 'existing' };
}

/** Unfinished promote Jobs pinned to `node`. */
export function jobsToRun(jobs: readonly V1Job[], node: string): V1Job[] {
  return jobs.filter((job) => job.metadata?.labels?.[PROMOTE_JOB_NODE_LABEL] === node && jobOutcome(job) === 'active');
}

function withCondition(job: V1Job, condition: V1JobCondition): V1JobCondition[] {
  return [...(job.status?.conditions ?? []).filter((c) => c.type !== condition.type), condition];
}

export function succeededStatus(job: V1Job, now: Date): V1JobStatus {
  return {
    active: 0,
    succeeded: 1,
    startTime: job.status?.startTime ?? now,
    completionTime: now,
    conditions: withCondition(job, { type: 'Complete', status: 'True', lastProbeTime: now, lastTransitionTime: now }),
  };
}

export function failedStatus(job: V1Job, now: Date, message: string): V1JobStatus {
  const backoffLimit = job.spec?.backoffLimit ?? PROMOTE_JOB_BACKOFF_LIMIT;
  const condition: V1JobCondition = {
    type: 'Failed',
    status: 'True',
    reason: 'BackoffLimitExceeded',
    message,
    lastProbeTime: now,
    lastTransitionTime: now,
  };
  return { active: 0, failed: backoffLimit + 1, startTime: job.status?.startTime ?? now, conditions: withCondition(job, condition) };
}

/** Whether the sandbox's forced failure (`promotion.fail`: true for every node, or a list of node names) hits `node`. */
export function promotionFails(fail: boolean | readonly string[] | undefined, node: string): boolean {
  return fail === true || (Array.isArray(fail) && fail.includes(node));
}

/** True when `node` carries every role label its promotion gives (and the witness taint for a witness). */
export function hasPromotionRoles(node: V1Node, etcdOnly: boolean = promotesAsWitness(node)): boolean {
  const witness = etcdOnly;
  const labels = node.metadata?.labels ?? {};
  const labelled = Object.entries(roleLabelsForPromotion(witness)).every(([key, value]) => labels[key] === value);
  return labelled && (!witness || (node.spec?.taints ?? []).some((t) => sameTaint(t, WITNESS_TAINT)));
}

function sameTaint(a: V1Taint, b: V1Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

// ---- what the runner talks to -----------------------------------------------------------------------------------

/** The part of an etcd client the runner needs. */
export interface EtcdJoinOps {
  memberList(): Promise<{ readonly members: readonly EtcdMember[] }>;
  memberAdd(peerUrls: readonly string[], isLearner: boolean): Promise<{ readonly members: readonly EtcdMember[] }>;
  status(): Promise<{ readonly leader: string; readonly isLearner?: boolean }>;
}

/** promote.sh's ETCD_ONLY: the Job passes rke.cattle.io/etcd-role=true as $1 for a witness (buildPromoteJob). */
export function isEtcdOnlyJob(job: V1Job): boolean {
  return (job.spec?.template.spec?.containers ?? []).some((c) => (c.args ?? []).includes(WITNESS_PROMOTE_PARAMETER));
}

/** The API calls the runner makes. */
export interface PromoteJobApi {
  listJobs(node: string): Promise<V1Job[]>;
  readNode(node: string): Promise<V1Node>;
  patchNode(node: string, body: object): Promise<unknown>;
  patchJobStatus(job: string, status: V1JobStatus): Promise<unknown>;
}

export function promoteJobApi(api: FailoverApiClient): PromoteJobApi {
  const namespace = PROMOTE_JOB_NAMESPACE;
  return {
    listJobs: async (node) =>
      (
        await api.call('list promote jobs of this node', (a, requestOptions) =>
          // From the API server's cache, as a kubelet's pod source lists (a reflector's first list): a Job run here is
          // remembered by uid, so a list behind etcd cannot start a finished one again.
          batchApiOf(a).listNamespacedJob(
            { namespace, labelSelector: `${PROMOTE_JOB_NODE_LABEL}=${node}`, resourceVersion: '0' },
            requestOptions,
          ),
        )
      ).items,
    readNode: (node) => api.call('read own node', (a, requestOptions) => a.core.readNode({ name: node }, requestOptions)),
    patchNode: (node, body) =>
      api.call('label promoted node', (a, requestOptions) => a.core.patchNode({ name: node, body }, mergePatch(requestOptions))),
    patchJobStatus: (job, status) =>
      api.call(`patch status of job ${job}`, (a, requestOptions) =>
        batchApiOf(a).patchNamespacedJobStatus({ name: job, namespace, body: { status } }, mergePatch(requestOptions)),
      ),
  };
}

export interface PromoteJobRunnerOptions {
  readonly nodeName: string;
  readonly address: string;
  readonly periodMs: number;
  /** Waited before the work starts (simulates a slow promote.sh); default 0. */
  readonly jobDelayMs?: number;
  /** Mark every promote Job of this node failed instead of promoting. */
  readonly fail?: boolean;
  /** Bound of one attempt (default 30 s); a failed or timed-out attempt is retried next heartbeat, without end. */
  readonly attemptDeadlineMs?: number;
  /** This node's API server URL once it runs one (its /readyz is awaited). */
  readonly apiServerUrl: string;
  /** Client URLs of the control-plane etcd members to join through. */
  readonly controlPlaneEtcdUrls: () => string[];
  readonly etcdFor: (clientUrl: string) => EtcdJoinOps;
  /** True once this node runs its etcd member. */
  readonly hasEtcdMember: () => boolean;
  /** Starts the etcd member; then, unless etcdOnly (a witness: RKE2 etcd-only server), the API server. */
  readonly becomeControlPlane: (plan: EtcdMemberPlan, options: { readonly etcdOnly: boolean }) => Promise<void>;
  /** HTTP status of a GET; default fetch. */
  readonly httpStatus?: (url: string, signal: AbortSignal) => Promise<number>;
  readonly log: (message: string) => void;
  readonly onError: (what: string, error: unknown) => void;
  /**
   * When to list (change-watch.ts): without it, every heartbeat. With it, while no run is unfinished, only when the
   * watch on this node's promote Jobs saw a change, is not open, or the resync is due.
   */
  readonly changes?: ListTrigger;
}

/** Etcd client URLs of the cluster's control planes, read from the API endpoints file on every call. */
export function etcdUrlsFromEndpointsFile(apiEndpointsFile: string, ownAddress: string): () => string[] {
  return () => controlPlaneEtcdUrls(readApiEndpoints(apiEndpointsFile), ownAddress);
}

async function fetchStatus(url: string, signal: AbortSignal): Promise<number> {
  const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) });
  await response.body?.cancel();
  return response.status;
}

interface RunState {
  /** The configured delay is over. */
  started: boolean;
  lastError?: string;
  done: boolean;
}

export class PromoteJobRunner {
  private readonly runs = new Map<string, RunState>();
  private readonly etcdClients = new Map<string, EtcdJoinOps>();
  private readonly stopped = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly api: PromoteJobApi,
    private readonly options: PromoteJobRunnerOptions,
  ) {}

  start(): void {
    const tick = (): void => {
      if (this.busy) return;
      this.busy = true;
      this.tick()
        .catch((error: unknown) => this.options.onError('promote job runner', error))
        .finally(() => {
          this.busy = false;
        });
    };
    this.timer = setInterval(tick, this.options.periodMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopped.abort();
  }

  /** One heartbeat: one attempt at each unfinished promote Job of this node. */
  async tick(): Promise<void> {
    const { changes } = this.options;
    const unfinished = [...this.runs.values()].some((run) => !run.done);
    if (changes && !unfinished && !changes.listDue()) return;
    let jobs: V1Job[];
    try {
      jobs = await this.api.listJobs(this.options.nodeName);
    } catch (error) {
      changes?.listAgain();
      throw error;
    }
    for (const job of jobsToRun(jobs, this.options.nodeName)) {
      const key = job.metadata?.uid || (job.metadata?.name ?? '');
      let state = this.runs.get(key);
      if (!state) {
        state = { started: false, done: false };
        this.runs.set(key, state);
        this.options.log(`promote job ${job.metadata?.name ?? key}: started on this node`);
      }
      if (!state.done) await this.attempt(job, state);
    }
  }

  private async attempt(job: V1Job, state: RunState): Promise<void> {
    const name = job.metadata?.name ?? '';
    const etcdOnly = isEtcdOnlyJob(job);
    if (await this.alreadyPromoted(etcdOnly)) {
      this.options.log(`promote job ${name}: ${this.options.nodeName} already has its roles and etcd member`);
      return this.finish(job, state, succeededStatus(job, new Date()));
    }
    if (!state.started) {
      const delayMs = this.options.jobDelayMs ?? 0;
      if (delayMs > 0) {
        this.options.log(`promote job ${name}: waiting the configured ${delayMs} ms before promoting`);
        await sleepMs(delayMs, undefined, { signal: this.stopped.signal });
      }
      state.started = true;
      // The next heartbeat goes on, if the Job is still there (a Job deleted meanwhile takes its pod with it).
      if (delayMs > 0) return;
    }
    if (this.options.fail) {
      this.options.log(`promote job ${name}: failing as configured (promotion.fail)`);
      return this.finish(job, state, failedStatus(job, new Date(), 'forced failure (promotion.fail)'));
    }
    const attemptMs = this.options.attemptDeadlineMs ?? DEFAULT_PROMOTE_ATTEMPT_DEADLINE_MS;
    const deadlineAtMs = Date.now() + attemptMs;
    try {
      // The waits inside have the attempt's deadline and say what they waited for; this one catches a call that hangs.
      await withDeadline(`promotion of ${this.options.nodeName} (job ${name})`, attemptMs + HUNG_CALL_GRACE_MS, (signal) =>
        this.promote(name, etcdOnly, deadlineAtMs, signal),
      );
    } catch (error) {
      // No deadline on the Job: the promotion stays running and is tried again next heartbeat.
      state.lastError = errorMessage(error);
      this.options.onError(`promote job ${name} (retried next heartbeat; the Job has no deadline)`, error);
      return;
    }
    await this.finish(job, state, succeededStatus(job, new Date()));
  }

  /** Restart-safe: the node has its role labels and a running etcd member that answers. Errors count as no. */
  private async alreadyPromoted(etcdOnly: boolean): Promise<boolean> {
    if (!this.options.hasEtcdMember()) return false;
    try {
      return hasPromotionRoles(await this.api.readNode(this.options.nodeName), etcdOnly) && (await this.localEtcdVoting());
    } catch {
      return false;
    }
  }

  private async finish(job: V1Job, state: RunState, status: V1JobStatus): Promise<void> {
    const name = job.metadata?.name ?? '';
    await this.api.patchJobStatus(name, status);
    state.done = true;
    this.options.log(`promote job ${name}: marked ${status.succeeded ? 'succeeded' : 'failed'}`);
  }

  /**
   * The work itself: join etcd as a learner (once), wait until the local member is a voting member with a leader (k3s
   * ETCD.Test: "this server has not yet been promoted from learner to voting member") and, unless etcd-only, the local
   * API server is ready; then label the node (a witness: etcd=true and the NoExecute taint, as promote.sh's ETCD_ONLY
   * branch: `kubectl taint nodes $HOSTNAME node-role.kubernetes.io/etcd=true:NoExecute`).
   */
  private async promote(jobName: string, etcdOnly: boolean, deadlineAtMs: number, signal: AbortSignal): Promise<void> {
    const { nodeName, address } = this.options;
    if (!this.options.hasEtcdMember()) {
      const plan = await this.addEtcdMember();
      this.options.log(
        `promote job ${jobName}: starting ${etcdOnly ? 'etcd only (witness)' : 'control plane'}, etcd joins ${plan.initialCluster.map((p) => `${p.name}=${p.peerUrl}`).join(',')}`,
      );
      await this.options.becomeControlPlane(plan, { etcdOnly });
    }
    const apiReadyz = `${this.options.apiServerUrl}/readyz`;
    const httpStatus = this.options.httpStatus ?? fetchStatus;
    await waitFor(
      `local etcd at ${etcdClientUrl(address)} to be a voting member with a leader${etcdOnly ? '' : ` and ${apiReadyz} to return 200`}`,
      async () => (await this.localEtcdVoting()) && (etcdOnly || (await httpStatus(apiReadyz, signal)) === 200),
      { timeoutMs: Math.max(0, deadlineAtMs - Date.now()), intervalMs: 200, signal },
    );
    const node = await this.api.readNode(nodeName);
    const taints = node.spec?.taints ?? [];
    const body = {
      metadata: { labels: roleLabelsForPromotion(etcdOnly) },
      ...(etcdOnly ? { spec: { taints: [...taints.filter((t) => !sameTaint(t, WITNESS_TAINT)), WITNESS_TAINT] } } : {}),
    };
    await this.api.patchNode(nodeName, body);
    this.options.log(
      `promote job ${jobName}: labelled ${nodeName} ${Object.keys(body.metadata.labels).join(', ')}${etcdOnly ? ' and tainted it' : ''}`,
    );
  }

  /** Adds this node's member through the first control-plane etcd that answers (reusing one already added). */
  private async addEtcdMember(): Promise<EtcdMemberPlan> {
    const self = { name: this.options.nodeName, peerUrl: etcdPeerUrl(this.options.address) };
    const urls = this.options.controlPlaneEtcdUrls();
    const errors: string[] = [];
    for (const url of urls) {
      try {
        const etcd = this.etcd(url);
        const { members } = await etcd.memberList();
        if (members.some((m) => m.peerUrls.includes(self.peerUrl))) {
          this.options.log(`promote: etcd member with peer URL ${self.peerUrl} already exists (seen via ${url}); reusing it`);
          return joinPlan(members, self);
        }
        // k3s join(): client.MemberAddAsLearner; the member votes once the etcd leader promotes it.
        const added = await etcd.memberAdd([self.peerUrl], true);
        this.options.log(`promote: added etcd member ${self.peerUrl} as a learner via ${url}`);
        return joinPlan(added.members, self);
      } catch (error) {
        errors.push(`${url}: ${errorMessage(error)}`);
      }
    }
    throw new Error(`no control-plane etcd added this node's member (${errors.join('; ') || 'no control plane known'})`);
  }

  private etcd(clientUrl: string): EtcdJoinOps {
    let client = this.etcdClients.get(clientUrl);
    if (!client) {
      client = this.options.etcdFor(clientUrl);
      this.etcdClients.set(clientUrl, client);
    }
    return client;
  }

  /** The local member answers, knows a leader, and is no longer a learner. */
  private async localEtcdVoting(): Promise<boolean> {
    try {
      const status = await this.etcd(etcdClientUrl(this.options.address)).status();
      return status.leader !== '0' && status.isLearner !== true;
    } catch {
      return false;
    }
  }
}
