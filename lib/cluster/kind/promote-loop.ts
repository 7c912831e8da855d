// Harvester's promote controller for kind, run from the harness: kind has no Harvester, so the reference controller
// (promotionActions through PromoteReconciler, lib/harvester/promote/) runs here against the kind API through
// the cluster's kubeconfig, with the same contract: the promote-status annotation, the cordon, the NodePromote*
// Events and the Job harvester-promote-<node> in harvester-system as the record.
//
// kind has no promote image either, so the Job's work is done by the harness (`promote`, normally
// StartedKindCluster.promoteToControlPlane: kubeadm through docker exec). The Job is created suspended, so kind's
// Job controller never starts pods for it; when the work ends, the loop writes the outcome into the Job's status
// (Complete or Failed, with the conditions the API server's Job status validation asks for), and the next pass
// follows it as Harvester's controller follows a Job: complete and uncordoned, or failed and still cordoned.
//
// Every request and every pass has a deadline; the work has its own. Nothing is thrown into the void: a failed
// pass or work is reported through onError and the next pass goes on.
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1JobCondition, type V1JobStatus } from '@kubernetes/client-node';
import { PROMOTE_JOB_NAMESPACE, promoteJobName } from '../../harvester/contract.ts';
import type { PromotionPolicy } from '../../harvester/promotion.ts';
import { errorMessage } from '../../util/errors.ts';
import { apiErrorMessage } from '../../util/kubeconfig.ts';
import { sleepMs, withDeadline } from '../../util/wait.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { jobOutcome } from '../../harvester/promote/actions.ts';
import { PromoteReconciler, type PromoteApi, type PromotePass } from '../../harvester/promote/reconciler.ts';
import { requestWithDeadline, type RequestOptions } from './api-request.ts';

export interface KindPromoteLoopOptions {
  /** The kind cluster's kubeconfig (TLS and client certificates as kind wrote them). */
  readonly kubeConfig: KubeConfig;
  readonly policy: PromotionPolicy;
  /** The promote Job's work for `node`; resolves when the node is a control plane. */
  readonly promote: (node: string, signal: AbortSignal) => Promise<void>;
  /** Pause between passes; default 1 s. */
  readonly intervalMs?: number;
  /** Deadline of each API request; default 10 s. */
  readonly requestDeadlineMs?: number;
  /** Deadline of a whole pass (its listing and writes); default 30 s. */
  readonly passDeadlineMs?: number;
  /** Deadline of one promotion's work; default 15 min. */
  readonly workDeadlineMs?: number;
  /** What the controller did (promote-status changes, Jobs created, Jobs finished). */
  readonly log?: (message: string) => void;
  /** A pass or a promotion's work failed (the loop goes on). Repeats of the same message are reported once. */
  readonly onError?: (message: string) => void;
  readonly now?: () => Date;
}

const DEFAULTS = { intervalMs: 1000, requestDeadlineMs: 10_000, passDeadlineMs: 30_000, workDeadlineMs: 15 * 60_000 };

/** Why a Job is not one the harness works on: kind's Job controller would run its pods itself. */
function isHarnessJob(job: V1Job): boolean {
  return job.spec?.suspend === true;
}

function condition(type: string, reason: string, message: string, now: Date): V1JobCondition {
  return { type, status: 'True', reason, message, lastProbeTime: now, lastTransitionTime: now };
}

function withConditions(job: V1Job, added: readonly V1JobCondition[]): V1JobCondition[] {
  const types = new Set(added.map((c) => c.type));
  return [...(job.status?.conditions ?? []).filter((c) => !types.has(c.type)), ...added];
}

/**
 * The status of a promote Job whose work succeeded: what the Job controller writes for a Job whose one pod
 * succeeded (SuccessCriteriaMet then Complete, with start and completion times, as the API server validates).
 */
export function harnessSucceededStatus(job: V1Job, startedAt: Date, now: Date): V1JobStatus {
  const message = 'the harness promoted the node (kubeadm join --control-plane through docker exec)';
  return {
    active: 0,
    succeeded: 1,
    startTime: startedAt,
    completionTime: now,
    conditions: withConditions(job, [
      condition('SuccessCriteriaMet', 'CompletionsReached', message, now),
      condition('Complete', 'CompletionsReached', message, now),
    ]),
  };
}

/** The status of a promote Job whose work failed: FailureTarget then Failed, as the Job controller writes them. */
export function harnessFailedStatus(job: V1Job, startedAt: Date, now: Date, message: string): V1JobStatus {
  return {
    active: 0,
    failed: 1,
    startTime: startedAt,
    conditions: withConditions(job, [
      condition('FailureTarget', 'BackoffLimitExceeded', message, now),
      condition('Failed', 'BackoffLimitExceeded', message, now),
    ]),
  };
}

/** The promote Job as kind gets it: suspended, so kind's Job controller starts no pod (the harness does the work). */
export function suspendedJob(job: V1Job): V1Job {
  return { ...job, spec: { ...(job.spec ?? { template: {} }), suspend: true } };
}

interface Work {
  readonly job: string;
  readonly startedAt: Date;
  /** Set when the work ended; cleared once the Job's status says so. */
  outcome?: { readonly ok: true } | { readonly ok: false; readonly message: string };
  readonly done: Promise<void>;
}

export class KindPromoteLoop {
  private readonly options: KindPromoteLoopOptions & typeof DEFAULTS;
  private readonly core: CoreV1Api;
  private readonly batch: BatchV1Api;
  private readonly reconciler: PromoteReconciler;
  private readonly stopping = new AbortController();
  private readonly works = new Map<string, Work>();
  private running: Promise<void> | undefined;
  private lastError = '';
  private warnedUnsuspended = new Set<string>();

  constructor(options: KindPromoteLoopOptions) {
    this.options = { ...DEFAULTS, ...options };
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.batch = options.kubeConfig.makeApiClient(BatchV1Api);
    this.reconciler = new PromoteReconciler(this.api(), options.policy, {
      log: (m) => this.log(m),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  private report(message: string): void {
    if (message === this.lastError) return;
    this.lastError = message;
    this.options.onError?.(message);
  }

  /** One request, aborted (its connection closed) past requestDeadlineMs: api-request.ts. */
  private request<T>(what: string, call: (options: RequestOptions) => Promise<T>, base?: RequestOptions): Promise<T> {
    return requestWithDeadline(`${what} (kind API)`, this.options.requestDeadlineMs, call, base);
  }

  private api(): PromoteApi {
    const namespace = PROMOTE_JOB_NAMESPACE;
    return {
      listNodes: async () => (await this.request('list nodes', (o) => this.core.listNode({}, o))).items,
      listJobs: () => this.listJobs(),
      patchNode: (node, body) =>
        this.request(`set promote status of ${node}`, (o) => this.core.patchNode({ name: node, body }, o), mergePatch()),
      createEvent: (node, eventNamespace, body) =>
        this.request(`record promote event for ${node}`, (o) => this.core.createNamespacedEvent({ namespace: eventNamespace, body }, o)),
      createJob: (node, job) =>
        this.request(`create promote job for ${node}`, (o) => this.batch.createNamespacedJob({ namespace, body: suspendedJob(job) }, o)),
      deleteJob: (name) =>
        this.request(`delete promote job ${name}`, (o) =>
          this.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' }, o),
        ),
    };
  }

  private async listJobs(): Promise<V1Job[]> {
    return (await this.request('list promote jobs', (o) => this.batch.listNamespacedJob({ namespace: PROMOTE_JOB_NAMESPACE }, o))).items;
  }

  /** Starts passing every intervalMs until stop(). */
  start(): void {
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      await this.passOnce().catch((error: unknown) => this.report(`promote pass failed: ${apiErrorMessage(error)}`));
      await sleepMs(this.options.intervalMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /**
   * One pass: the controller's pass (promotionActions' writes), then the Jobs' work: an unfinished, suspended promote
   * Job gets its work started; a work that ended gets its outcome written into its Job's status.
   */
  async passOnce(): Promise<PromotePass> {
    return withDeadline('a pass of the kind promote loop', this.options.passDeadlineMs, async () => {
      const pass = await this.reconciler.pass();
      const jobs = pass.actions.some((a) => a.kind === 'create-job') ? await this.listJobs() : pass.jobs;
      await this.followJobs(jobs);
      return pass;
    });
  }

  private async followJobs(jobs: readonly V1Job[]): Promise<void> {
    const byName = new Map(jobs.map((j) => [j.metadata?.name ?? '', j]));
    // Works whose Job is gone or finished (and recorded) are forgotten.
    for (const [node, work] of this.works) {
      const job = byName.get(work.job);
      if (work.outcome === undefined) continue;
      if (!job || jobOutcome(job) !== 'active') this.works.delete(node);
    }
    for (const job of jobs) {
      const node = job.metadata?.labels?.['harvesterhci.io/promote-node'];
      const name = job.metadata?.name ?? '';
      if (!node || name !== promoteJobName(node) || jobOutcome(job) !== 'active') continue;
      if (!isHarnessJob(job)) {
        if (!this.warnedUnsuspended.has(name))
          this.log(`promote: job ${PROMOTE_JOB_NAMESPACE}/${name} is not suspended: its pods do the work, not the harness`);
        this.warnedUnsuspended.add(name);
        continue;
      }
      const work = this.works.get(node);
      if (!work) {
        this.startWork(node, name);
        continue;
      }
      if (work.outcome) await this.recordOutcome(job, work);
    }
  }

  private startWork(node: string, job: string): void {
    if (this.stopping.signal.aborted) return;
    const startedAt = this.options.now?.() ?? new Date();
    this.log(`promote: job ${PROMOTE_JOB_NAMESPACE}/${job}: the harness promotes ${node}`);
    const work: Work = {
      job,
      startedAt,
      done: withDeadline(`the promotion of ${node}`, this.options.workDeadlineMs, (deadline) =>
        this.options.promote(node, AbortSignal.any([deadline, this.stopping.signal])),
      ).then(
        () => {
          work.outcome = { ok: true };
          this.log(`promote: ${node} is a control plane`);
        },
        (error: unknown) => {
          const message = this.stopping.signal.aborted
            ? `the harness stopped during the promotion: ${errorMessage(error)}`
            : errorMessage(error);
          work.outcome = { ok: false, message };
          this.report(`promotion of ${node} failed: ${message}`);
        },
      ),
    };
    this.works.set(node, work);
  }

  private async recordOutcome(job: V1Job, work: Work): Promise<void> {
    const name = job.metadata?.name ?? '';
    const outcome = work.outcome;
    if (!outcome) return;
    const now = this.options.now?.() ?? new Date();
    const status = outcome.ok
      ? harnessSucceededStatus(job, work.startedAt, now)
      : harnessFailedStatus(job, work.startedAt, now, outcome.message);
    await this.request(
      `record the outcome of job ${name}`,
      (o) => this.batch.patchNamespacedJobStatus({ name, namespace: PROMOTE_JOB_NAMESPACE, body: { status } }, o),
      mergePatch(),
    );
    this.log(`promote: job ${PROMOTE_JOB_NAMESPACE}/${name} marked ${outcome.ok ? 'succeeded' : 'failed'}`);
  }

  /**
   * Stops passing and cancels the work in flight, then writes the outcome of works that ended (a cancelled work:
   * failed), within one pass deadline. Idempotent.
   */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('the kind promote loop was stopped'));
    await this.running;
    const works = [...this.works.values()];
    if (works.length === 0) return;
    await withDeadline('the kind promote loop to record its last outcomes', this.options.passDeadlineMs, async () => {
      await Promise.all(works.map((w) => w.done));
      const jobs = await this.listJobs();
      for (const work of works) {
        const job = jobs.find((j) => j.metadata?.name === work.job);
        if (job && jobOutcome(job) === 'active' && work.outcome) await this.recordOutcome(job, work);
      }
    }).catch((error: unknown) => this.report(`stopping the promote loop: ${errorMessage(error)}`));
    this.works.clear();
  }
}
