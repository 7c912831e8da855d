// The Kubernetes API calls the kind provider makes on Nodes, through client-node with the kind kubeconfig. Each
// request has a deadline that drops its connection (api-request.ts): through kind's load balancer, a connection
// given to a dead API server hangs for 20 s, longer than the waits below allow.
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { API_REQUEST_TIMEOUT_MS, requestWithDeadline, type RequestOptions } from './api-request.ts';
import { mergePatch } from '../../util/patch-options.ts';
import { forceDeleteNode } from '../core/force-delete.ts';
import { loadKubeConfig } from '../../util/kubeconfig.ts';
import { DeadlineError, errorMessage } from '../../util/errors.ts';
import { sleepMs, waitFor } from '../../util/wait.ts';

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

export function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** A failure another try may not see: no answer (refused, reset, timed out) or a 5xx (no etcd quorum yet, say). */
function isTransient(error: unknown): boolean {
  const code = statusCode(error);
  return code === undefined || code >= 500;
}

/** How long setup calls keep retrying transient failures. */
const SETUP_RETRY_MS = 60_000;

export class NodeApi {
  private coreApi: CoreV1Api | undefined;

  constructor(
    private readonly kubeconfigPath: string,
    private readonly setupRetryMs: number = SETUP_RETRY_MS,
    private readonly requestTimeoutMs: number = API_REQUEST_TIMEOUT_MS,
  ) {}

  /** One request, aborted (its connection closed) when it takes longer than requestTimeoutMs. */
  private request<T>(what: string, call: (options: RequestOptions) => Promise<T>, base?: RequestOptions): Promise<T> {
    return requestWithDeadline(`${what} (kind API)`, this.requestTimeoutMs, call, base);
  }

  /**
   * A setup call, tried again while it fails transiently: right after `kind create cluster` kind's load balancer
   * may still be bringing its backends into rotation (2 s checks, 2 successes), so its first calls can be refused.
   */
  private async retried<T>(what: string, call: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.setupRetryMs;
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (!isTransient(error)) throw error;
        if (Date.now() >= deadline)
          throw new DeadlineError(`${what} (last error: ${errorMessage(error)})`, this.setupRetryMs, { cause: error });
      }
      await sleepMs(500);
    }
  }

  /** Created on first use: the kubeconfig exists once kind created the cluster. */
  private get core(): CoreV1Api {
    this.coreApi ??= loadKubeConfig(this.kubeconfigPath).makeApiClient(CoreV1Api);
    return this.coreApi;
  }

  /**
   * Creates the namespace unless it exists; true when this call created it. A new kind cluster has only default,
   * kube-system, kube-public, kube-node-lease and local-path-storage.
   */
  async ensureNamespace(name: string): Promise<boolean> {
    return this.retried(`creating namespace ${name}`, () => this.ensureNamespaceOnce(name));
  }

  private async ensureNamespaceOnce(name: string): Promise<boolean> {
    try {
      await this.request(`reading namespace ${name}`, (o) => this.core.readNamespace({ name }, o));
      return false;
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
    }
    try {
      await this.request(`creating namespace ${name}`, (o) =>
        this.core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } }, o),
      );
      return true;
    } catch (error) {
      if (statusCode(error) === 409) return false;
      throw error;
    }
  }

  /** Deletes the namespace (and with it what is in it); one already gone is fine. */
  async deleteNamespace(name: string): Promise<void> {
    try {
      await this.request(`deleting namespace ${name}`, (o) => this.core.deleteNamespace({ name }, o));
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
    }
  }

  /** Names of the namespaces there are, sorted. */
  async namespaceNames(): Promise<string[]> {
    return (await this.request('listing namespaces', (o) => this.core.listNamespace({}, o))).items
      .map((ns) => ns.metadata?.name ?? '')
      .sort();
  }

  private readNode(name: string): Promise<V1Node> {
    return this.request(`reading Node ${name}`, (o) => this.core.readNode({ name }, o));
  }

  async list(): Promise<V1Node[]> {
    return (await this.request('listing Nodes', (o) => this.core.listNode({}, o))).items;
  }

  async labelNode(name: string, labels: Readonly<Record<string, string>>): Promise<void> {
    await this.retried(`labelling Node ${name}`, () =>
      this.request(`labelling Node ${name}`, (o) => this.core.patchNode({ name, body: { metadata: { labels } } }, o), mergePatch()),
    );
  }

  /** Deletes the Node object (a Node already gone is fine); force also strips its finalizers (core/force-delete.ts). */
  async deleteNode(name: string, force: boolean): Promise<void> {
    try {
      if (force) await forceDeleteNode(this.core, name, 'kind', (what, call, base) => this.request(what, call, base));
      else await this.request(`deleting Node ${name}`, (o) => this.core.deleteNode({ name }, o));
    } catch (error) {
      if (statusCode(error) === 404) return;
      throw error;
    }
  }

  async exists(name: string): Promise<boolean> {
    try {
      await this.readNode(name);
      return true;
    } catch (error) {
      if (statusCode(error) === 404) return false;
      throw error;
    }
  }

  async waitGone(name: string, timeoutMs: number): Promise<void> {
    await waitFor(`Node ${name} to be gone from the API after its deletion`, async () => !(await this.exists(name)), {
      timeoutMs,
      intervalMs: 500,
    });
  }

  async waitNotReady(name: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await waitFor(
      `Node ${name} to stop being Ready (its kubelet was stopped by kubeadm reset)`,
      async () => !isReady(await this.readNode(name)),
      { timeoutMs, intervalMs: 1000, signal },
    );
  }

  /** Waits until every named node is registered and Ready. */
  async waitAllReady(names: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await waitFor(
      `all ${names.length} kind nodes (${names.join(', ')}) to be registered and Ready`,
      async () => {
        const ready = new Set((await this.list()).filter(isReady).map((n) => n.metadata?.name));
        return names.every((name) => ready.has(name));
      },
      { timeoutMs, intervalMs: 1000, signal },
    );
  }
}
