// The API write sampler: a compare-and-swap register on a ConfigMap, driven through one endpoint (the VIP or one
// node's API server) every interval. Each operation is reported as invoke, then ok / fail / info (Jepsen's
// semantics: fail = certainly did not happen, info = may or may not have happened).
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { requestWithDeadline } from '../util/api-deadline.ts';
import { sleepMs } from '../util/wait.ts';

export const SAMPLER_NAMESPACE = 'default';
export const SAMPLER_CONFIGMAP = 'cpchaos-register';
/** The write probe's own register: blind writes only, so it never contends with the compare-and-swap register. */
export const PROBE_CONFIGMAP = 'cpchaos-probe';
export const PROBE_KEY = 'probe';

/**
 * The objects a run writes into the cluster, named for the run so parallel runs on one cluster never share them:
 * the compare-and-swap register and the probe (blind writes, and `wait: {api: ...}`). The observer deletes both at
 * the end; the journal names them for `cpchaos cleanup`.
 */
export function runObjects(runId: string): { readonly register: string; readonly probe: string } {
  const suffix = runId === '' ? '' : `-${runId}`;
  return { register: `${SAMPLER_CONFIGMAP}${suffix}`, probe: `${PROBE_CONFIGMAP}${suffix}` };
}
export const SAMPLER_KEY = 'value';
/** Blind writes write BLIND_WRITE_BASE + their op id: values no compare-and-swap produces. */
export const BLIND_WRITE_BASE = 1_000_000_000;

/** Reads the final read makes at most, and the pause between them (a failed one leaves the register unjudged). */
const FINAL_READ_ATTEMPTS = 3;
const FINAL_READ_RETRY_PAUSE_MS = 500;
/** How long creating a register may go unanswered (once, before sampling: the cluster may be slow, not the run). */
const REGISTER_CREATE_DEADLINE_MS = 10_000;

export type SamplerPhase = 'invoke' | 'ok' | 'fail' | 'info';

export interface SamplerOp {
  readonly process: string;
  readonly target: string;
  readonly opId: number;
  readonly phase: SamplerPhase;
  readonly f: 'read' | 'cas' | 'write';
  readonly value?: number | [number, number];
  readonly result?: number;
  readonly error?: string;
  /** The register, when not the default one. */
  readonly key?: string;
  readonly t: number;
}

export interface WriteSamplerOptions {
  readonly process: string;
  readonly target: string;
  readonly kubeConfig: KubeConfig;
  readonly intervalMs: number;
  readonly deadlineMs: number;
  readonly onOp: (op: SamplerOp) => void;
  /** After a failed read, try an unconditional write too (the VIP sampler: outages show on the write path). */
  readonly blindWrites?: boolean;
  /** Shared across samplers so operation ids are unique in a run. */
  readonly nextOpId: () => number;
  /**
   * 'cas' (default): read, then compare-and-swap. 'write': blind writes only, to measure write availability without
   * a read in front that can hang (a read on a member without a leader waits out its deadline).
   */
  readonly mode?: 'cas' | 'write';
  /** The register's ConfigMap, and its key in the history (none: the compare-and-swap register). */
  readonly register: { readonly configMap: string; readonly key?: string };
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** An operation's error as the samplers record it: the HTTP status and the message's first line. */
export function describeSamplerError(error: unknown): string {
  const code = statusCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return (code ? `HTTP ${code}: ` : '') + message.split('\n')[0]!.slice(0, 200);
}

/** Errors after which the write certainly did not happen: the server refused it before storing anything. */
function definitelyFailed(error: unknown): boolean {
  const code = statusCode(error);
  // etcd refuses a proposal outright when it knows no leader: nothing was written.
  if (code === 503 && /no leader/i.test(String((error as { body?: unknown }).body ?? '') + String((error as Error).message ?? '')))
    return true;
  if (code !== undefined) return code === 409 || code === 404 || code === 400 || code === 422;
  const text = String((error as { message?: unknown }).message ?? '') + String((error as { cause?: { code?: unknown } }).cause?.code ?? '');
  // Closed before the TLS handshake completed (Node's _tls_wrap onConnectEnd): the request was never sent. A load
  // balancer with no server up does this to every connection (HAProxy accepts it, then closes it).
  return /ECONNREFUSED|ENOENT|socket hang up before|before secure TLS connection was established/i.test(text);
}

function valueOf(cm: V1ConfigMap): number {
  const text = cm.data?.[SAMPLER_KEY];
  return text === undefined ? 0 : Number(text);
}

export class WriteSampler {
  private readonly core: CoreV1Api;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: WriteSamplerOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
  }

  private get configMap(): string {
    return this.options.register.configMap;
  }

  /** Creates the register if it does not exist yet; a create unanswered for `deadlineMs` is aborted and fails. */
  static async ensureRegister(kubeConfig: KubeConfig, configMap: string, deadlineMs = REGISTER_CREATE_DEADLINE_MS): Promise<void> {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    try {
      await requestWithDeadline(`the creation of ConfigMap ${SAMPLER_NAMESPACE}/${configMap}`, deadlineMs, (options) =>
        core.createNamespacedConfigMap(
          {
            namespace: SAMPLER_NAMESPACE,
            body: { metadata: { name: configMap, namespace: SAMPLER_NAMESPACE }, data: { [SAMPLER_KEY]: '0' } },
          },
          options,
        ),
      );
    } catch (error) {
      if (statusCode(error) !== 409) throw error;
    }
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.busy || this.stopped) return;
      this.busy = true;
      this.inFlight = (this.options.mode === 'write' ? this.blindWrite() : this.step()).finally(() => {
        this.busy = false;
      });
    }, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.inFlight;
  }

  private emit(op: Omit<SamplerOp, 'process' | 'target' | 't'>): void {
    const key = this.options.register.key;
    this.options.onOp({ ...op, process: this.options.process, target: this.options.target, ...(key ? { key } : {}), t: Date.now() });
  }

  /** An unconditional write of a value no compare-and-swap can produce (they count up from 0). */
  private async blindWrite(): Promise<void> {
    const opId = this.options.nextOpId();
    const value = BLIND_WRITE_BASE + opId;
    this.emit({ opId, phase: 'invoke', f: 'write', value });
    try {
      await requestWithDeadline(`write of ${this.configMap} via ${this.options.target}`, this.options.deadlineMs, (options) =>
        this.core.replaceNamespacedConfigMap(
          {
            name: this.configMap,
            namespace: SAMPLER_NAMESPACE,
            body: { metadata: { name: this.configMap, namespace: SAMPLER_NAMESPACE }, data: { [SAMPLER_KEY]: String(value) } },
          },
          options,
        ),
      );
      this.emit({ opId, phase: 'ok', f: 'write', value });
    } catch (error) {
      this.emit({ opId, phase: definitelyFailed(error) ? 'fail' : 'info', f: 'write', value, error: describeSamplerError(error) });
    }
  }

  /**
   * A last read after everything else stopped: it shows which acknowledged writes survived. A read that fails (a busy
   * machine, the end of an election) is tried again, up to `attempts` reads `retryPauseMs` apart, each recorded as its
   * own operation: without one that succeeds, no-lost-writes cannot judge the register.
   */
  async finalRead(attempts = FINAL_READ_ATTEMPTS, retryPauseMs = FINAL_READ_RETRY_PAUSE_MS): Promise<void> {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleepMs(retryPauseMs);
      const readId = this.options.nextOpId();
      this.emit({ opId: readId, phase: 'invoke', f: 'read' });
      try {
        const current = await requestWithDeadline(
          `final read of ${this.configMap} via ${this.options.target}`,
          this.options.deadlineMs,
          (options) => this.core.readNamespacedConfigMap({ name: this.configMap, namespace: SAMPLER_NAMESPACE }, options),
        );
        this.emit({ opId: readId, phase: 'ok', f: 'read', result: valueOf(current) });
        return;
      } catch (error) {
        this.emit({ opId: readId, phase: 'fail', f: 'read', error: describeSamplerError(error) });
      }
    }
  }

  /** One read, then a compare-and-swap from the value read to value + 1 (the ConfigMap's resourceVersion guards it). */
  private async step(): Promise<void> {
    const readId = this.options.nextOpId();
    this.emit({ opId: readId, phase: 'invoke', f: 'read' });
    let current: V1ConfigMap;
    try {
      current = await requestWithDeadline(`read of ${this.configMap} via ${this.options.target}`, this.options.deadlineMs, (options) =>
        this.core.readNamespacedConfigMap({ name: this.configMap, namespace: SAMPLER_NAMESPACE }, options),
      );
    } catch (error) {
      // A read changes nothing: a failed read is simply a failed read. Still try to write (blindly), so an
      // outage is observed on the write path too, as a client would experience it.
      this.emit({ opId: readId, phase: 'fail', f: 'read', error: describeSamplerError(error) });
      if (this.options.blindWrites === true) await this.blindWrite();
      return;
    }
    const value = valueOf(current);
    this.emit({ opId: readId, phase: 'ok', f: 'read', result: value });
    const casId = this.options.nextOpId();
    const next = value + 1;
    this.emit({ opId: casId, phase: 'invoke', f: 'cas', value: [value, next] });
    try {
      await requestWithDeadline(`compare-and-swap of ${this.configMap} via ${this.options.target}`, this.options.deadlineMs, (options) =>
        this.core.replaceNamespacedConfigMap(
          {
            name: this.configMap,
            namespace: SAMPLER_NAMESPACE,
            body: { ...current, data: { ...(current.data ?? {}), [SAMPLER_KEY]: String(next) } },
          },
          options,
        ),
      );
      this.emit({ opId: casId, phase: 'ok', f: 'cas', value: [value, next] });
    } catch (error) {
      this.emit({
        opId: casId,
        phase: definitelyFailed(error) ? 'fail' : 'info',
        f: 'cas',
        value: [value, next],
        error: describeSamplerError(error),
      });
    }
  }
}
