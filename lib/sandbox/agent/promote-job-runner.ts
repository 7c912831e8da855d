// The sandbox's stand-in for the promote Job's pod: every node's agent looks, each heartbeat, for unfinished promote
// Jobs pinned to its node and does what promote.sh brings about: this node's etcd member joins the cluster, the node
// starts its control plane, gets the role labels, and the Job is marked succeeded. Errors are retried on the next
// heartbeat until the work deadline, which marks the Job failed (as does the forced failure `promotion.fail`).
import type { V1Job, V1JobCondition, V1JobStatus, V1Node, V1Taint } from '@kubernetes/client-node';
import {
  PROMOTE_JOB_BACKOFF_LIMIT,
  PROMOTE_JOB_NAMESPACE,
  PROMOTE_JOB_NODE_LABEL,
  WITNESS_TAINT,
  promotesAsWitness,
  roleLabelsForPromotion,
} from '../../harvester/contract.ts';
import type { EtcdMember } from '../etcd/codec.ts';
import { errorMessage } from '../../util/errors.ts';
import { sleepMs, waitFor, withDeadline } from '../../util/wait.ts';
import type { EtcdMemberPlan } from './config.ts';
import { readApiEndpoints } from './config.ts';
import type { FailoverApiClient } from './api-client.ts';
import { etcdClientUrl, etcdPeerUrl } from './etcd-member-process.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { jobOutcome } from '../../harvester/promote/actions.ts';
import { batchApiOf } from './promote-controller.ts';

export const DEFAULT_PROMOTE_WORK_DEADLINE_MS = 60_000;
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
export function hasPromotionRoles(node: V1Node): boolean {
  const witness = promotesAsWitness(node);
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
  memberAdd(peerUrls: readonly string[]): Promise<{ readonly members: readonly EtcdMember[] }>;
  status(): Promise<{ readonly leader: string }>;
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
        await api.call('list promote jobs of this node', (a) =>
          batchApiOf(a).listNamespacedJob({ namespace, labelSelector: `${PROMOTE_JOB_NODE_LABEL}=${node}` }),
        )
      ).items,
    readNode: (node) => api.call('read own node', (a) => a.core.readNode({ name: node })),
    patchNode: (node, body) => api.call('label promoted node', (a) => a.core.patchNode({ name: node, body }, mergePatch())),
    patchJobStatus: (job, status) =>
      api.call(`patch status of job ${job}`, (a) =>
        batchApiOf(a).patchNamespacedJobStatus({ name: job, namespace, body: { status } }, mergePatch()),
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
  /** From the end of the delay: past it the Job is marked failed. Default 60 s. */
  readonly workDeadlineMs?: number;
  /** This node's API server URL once it runs one (its /readyz is awaited). */
  readonly apiServerUrl: string;
  /** Client URLs of the control-plane etcd members to join through. */
  readonly controlPlaneEtcdUrls: () => string[];
  readonly etcdFor: (clientUrl: string) => EtcdJoinOps;
  /** True once this node runs its etcd member. */
  readonly hasEtcdMember: () => boolean;
  readonly becomeControlPlane: (plan: EtcdMemberPlan) => Promise<void>;
  /** HTTP status of a GET; default fetch. */
  readonly httpStatus?: (url: string, signal: AbortSignal) => Promise<number>;
  readonly log: (message: string) => void;
  readonly onError: (what: string, error: unknown) => void;
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
  /** When the work deadline passes (set once the delay is over). */
  deadlineAtMs?: number;
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
    for (const job of jobsToRun(await this.api.listJobs(this.options.nodeName), this.options.nodeName)) {
      const key = job.metadata?.uid || (job.metadata?.name ?? '');
      let state = this.runs.get(key);
      if (!state) {
        state = { done: false };
        this.runs.set(key, state);
        this.options.log(`promote job ${job.metadata?.name ?? key}: started on this node`);
      }
      if (!state.done) await this.attempt(job, state);
    }
  }

  private async attempt(job: V1Job, state: RunState): Promise<void> {
    const name = job.metadata?.name ?? '';
    if (await this.alreadyPromoted()) {
      this.options.log(`promote job ${name}: ${this.options.nodeName} already has its roles and etcd member`);
      return this.finish(job, state, succeededStatus(job, new Date()));
    }
    if (state.deadlineAtMs === undefined) {
      const delayMs = this.options.jobDelayMs ?? 0;
      if (delayMs > 0) {
        this.options.log(`promote job ${name}: waiting the configured ${delayMs} ms before promoting`);
        await sleepMs(delayMs, undefined, { signal: this.stopped.signal });
      }
      state.deadlineAtMs = Date.now() + this.workDeadlineMs;
      // The next heartbeat goes on, if the Job is still there (a Job deleted meanwhile takes its pod with it).
      if (delayMs > 0) return;
    }
    if (this.options.fail) {
      this.options.log(`promote job ${name}: failing as configured (promotion.fail)`);
      return this.finish(job, state, failedStatus(job, new Date(), 'forced failure (promotion.fail)'));
    }
    const deadlineAtMs = state.deadlineAtMs;
    try {
      if (Date.now() >= deadlineAtMs) throw new Error('no time left');
      // The waits inside have the work's deadline and say what they waited for; this one catches a call that hangs.
      const leftMs = deadlineAtMs - Date.now() + HUNG_CALL_GRACE_MS;
      await withDeadline(`promotion of ${this.options.nodeName} (job ${name})`, leftMs, (signal) =>
        this.promote(name, deadlineAtMs, signal),
      );
    } catch (error) {
      if (Date.now() < deadlineAtMs) {
        state.lastError = errorMessage(error);
        this.options.onError(`promote job ${name} (retried next heartbeat)`, error);
        return;
      }
      state.lastError ??= errorMessage(error);
      return this.giveUp(job, state);
    }
    await this.finish(job, state, succeededStatus(job, new Date()));
  }

  /** Restart-safe: the node has its role labels and a running etcd member that answers. Errors count as no. */
  private async alreadyPromoted(): Promise<boolean> {
    if (!this.options.hasEtcdMember()) return false;
    try {
      return hasPromotionRoles(await this.api.readNode(this.options.nodeName)) && (await this.localEtcdAnswers());
    } catch {
      return false;
    }
  }

  private get workDeadlineMs(): number {
    return this.options.workDeadlineMs ?? DEFAULT_PROMOTE_WORK_DEADLINE_MS;
  }

  private async giveUp(job: V1Job, state: RunState): Promise<void> {
    const message = `promotion did not finish within ${this.workDeadlineMs} ms${state.lastError ? `: ${state.lastError}` : ''}`;
    this.options.log(`promote job ${job.metadata?.name ?? ''}: ${message}; marking it failed`);
    await this.finish(job, state, failedStatus(job, new Date(), message.slice(0, 1000)));
  }

  private async finish(job: V1Job, state: RunState, status: V1JobStatus): Promise<void> {
    const name = job.metadata?.name ?? '';
    await this.api.patchJobStatus(name, status);
    state.done = true;
    this.options.log(`promote job ${name}: marked ${status.succeeded ? 'succeeded' : 'failed'}`);
  }

  /** The work itself: join etcd (once), wait for the local control plane, label the node. */
  private async promote(jobName: string, deadlineAtMs: number, signal: AbortSignal): Promise<void> {
    const { nodeName, address } = this.options;
    if (!this.options.hasEtcdMember()) {
      const plan = await this.addEtcdMember();
      this.options.log(
        `promote job ${jobName}: starting control plane, etcd joins ${plan.initialCluster.map((p) => `${p.name}=${p.peerUrl}`).join(',')}`,
      );
      await this.options.becomeControlPlane(plan);
    }
    const apiReadyz = `${this.options.apiServerUrl}/readyz`;
    const httpStatus = this.options.httpStatus ?? fetchStatus;
    await waitFor(
      `local etcd at ${etcdClientUrl(address)} to answer with a leader and ${apiReadyz} to return 200`,
      async () => (await this.localEtcdAnswers()) && (await httpStatus(apiReadyz, signal)) === 200,
      { timeoutMs: Math.max(0, deadlineAtMs - Date.now()), intervalMs: 200, signal },
    );
    const node = await this.api.readNode(nodeName);
    const witness = promotesAsWitness(node);
    const taints = node.spec?.taints ?? [];
    const body = {
      metadata: { labels: roleLabelsForPromotion(witness) },
      ...(witness ? { spec: { taints: [...taints.filter((t) => !sameTaint(t, WITNESS_TAINT)), WITNESS_TAINT] } } : {}),
    };
    await this.api.patchNode(nodeName, body);
    this.options.log(
      `promote job ${jobName}: labelled ${nodeName} ${Object.keys(body.metadata.labels).join(', ')}${witness ? ' and tainted it' : ''}`,
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
        const added = await etcd.memberAdd([self.peerUrl]);
        this.options.log(`promote: added etcd member ${self.peerUrl} via ${url}`);
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

  private async localEtcdAnswers(): Promise<boolean> {
    try {
      return (await this.etcd(etcdClientUrl(this.options.address)).status()).leader !== '0';
    } catch {
      return false;
    }
  }
}
