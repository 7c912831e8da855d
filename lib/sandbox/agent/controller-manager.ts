// The sandbox's controller manager: leader-elected, runs each controller's reconcile pass on a fixed period.
import type { FailoverApiClient } from './api-client.ts';
import { LeaderElector } from './leader-election.ts';

export interface Controller {
  readonly name: string;
  reconcile(context: { readonly leadingSinceMs: number }): Promise<unknown>;
}

export interface ControllerManagerOptions {
  readonly identity: string;
  readonly leaseMs: number;
  readonly periodMs: number;
  readonly onError: (what: string, error: unknown) => void;
  readonly onLeadership?: (leading: boolean) => void;
  /** The client the leader election renews its Lease through; default the controllers' (whose kept lists its calls would drop). */
  readonly electionApi?: FailoverApiClient;
}

export const CONTROLLER_LEASE_NAME = 'cpchaos-controller-manager';

export class ControllerManager {
  private readonly elector: LeaderElector;
  private loop: NodeJS.Timeout | undefined;
  private leadingSinceMs = 0;
  private running = false;

  constructor(
    private readonly api: FailoverApiClient,
    private readonly controllers: readonly Controller[],
    private readonly options: ControllerManagerOptions,
  ) {
    this.elector = new LeaderElector(options.electionApi ?? api, {
      leaseName: CONTROLLER_LEASE_NAME,
      namespace: 'kube-system',
      identity: options.identity,
      leaseMs: options.leaseMs,
      retryMs: Math.max(100, Math.floor(options.leaseMs / 3)),
      onStartedLeading: () => this.startLeading(),
      onStoppedLeading: () => this.stopLeading(),
      onError: options.onError,
    });
  }

  start(): void {
    this.elector.start();
  }

  stop(): void {
    this.elector.stop();
    this.stopLeading();
  }

  private startLeading(): void {
    this.leadingSinceMs = Date.now();
    this.options.onLeadership?.(true);
    this.loop = setInterval(() => {
      if (this.running) return;
      this.running = true;
      void this.pass().finally(() => {
        this.running = false;
      });
    }, this.options.periodMs);
  }

  private stopLeading(): void {
    if (this.loop) this.options.onLeadership?.(false);
    clearInterval(this.loop);
    this.loop = undefined;
  }

  /** Every controller in turn; their lists are shared within the pass (FailoverApiClient.inPass). */
  private async pass(): Promise<void> {
    await this.api.inPass(async () => {
      for (const controller of this.controllers) {
        if (!this.elector.isLeader) return;
        try {
          await controller.reconcile({ leadingSinceMs: this.leadingSinceMs });
        } catch (error) {
          this.options.onError(controller.name, error);
        }
      }
    });
  }
}
