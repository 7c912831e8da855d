// The read sampler: availability measured without writing anything. Every interval it reads one object every
// cluster has (the kube-system Namespace) through one endpoint. A GET without a resourceVersion is served from etcd
// with a quorum read (kube-apiserver's storage: "consistent read" unless resourceVersion is set, k8s.io/apiserver
// pkg/storage/etcd3/store.go Get), so an acknowledged read means the endpoint's API server reached an etcd majority.
// Each read is reported as invoke, then ok or fail (a read changes nothing: a failed read simply failed).
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { startPeriodic } from '../util/periodic.ts';
import { requestWithDeadline } from '../util/api-deadline.ts';
import { describeSamplerError, type SamplerOp } from './write-sampler.ts';

/** The object read: a Namespace every Kubernetes cluster has. */
export const READ_SAMPLE_NAMESPACE = 'kube-system';
/** The key read operations carry in the history: not a register any writer writes. */
export const READ_SAMPLE_KEY = 'read:namespaces/kube-system';
/** The process name of the read sampler in the history. */
export const READ_SAMPLER_PROCESS = 'reader';

export interface ReadSamplerOptions {
  readonly target: string;
  readonly kubeConfig: KubeConfig;
  readonly intervalMs: number;
  readonly deadlineMs: number;
  readonly onOp: (op: SamplerOp) => void;
  readonly nextOpId: () => number;
}

export class ReadSampler {
  private readonly core: CoreV1Api;
  private stopTimer: (() => void) | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReadSamplerOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
  }

  start(): void {
    this.stopTimer = startPeriodic(
      this.options.intervalMs,
      () => (this.inFlight = this.read()),
      () => undefined, // read() reports its own failures as operations
    );
  }

  /** Stops sampling; the read in flight ends (within its deadline) before this does. */
  async stop(): Promise<void> {
    this.stopTimer?.();
    await this.inFlight;
  }

  private emit(op: Omit<SamplerOp, 'process' | 'target' | 't' | 'key' | 'f'>): void {
    this.options.onOp({
      ...op,
      f: 'read',
      process: READ_SAMPLER_PROCESS,
      target: this.options.target,
      key: READ_SAMPLE_KEY,
      t: Date.now(),
    });
  }

  private async read(): Promise<void> {
    const opId = this.options.nextOpId();
    this.emit({ opId, phase: 'invoke' });
    try {
      await requestWithDeadline(
        `read of Namespace ${READ_SAMPLE_NAMESPACE} via ${this.options.target}`,
        this.options.deadlineMs,
        (options) => this.core.readNamespace({ name: READ_SAMPLE_NAMESPACE }, options),
      );
      this.emit({ opId, phase: 'ok' });
    } catch (error) {
      this.emit({ opId, phase: 'fail', error: describeSamplerError(error) });
    }
  }
}
