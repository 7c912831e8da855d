// A thin typed wrapper over the kind CLI: create, list, get nodes and kubeconfig, export logs, delete.
import type { ToolRunner } from './tools.ts';

export interface CreateClusterRequest {
  readonly name: string;
  readonly configFile: string;
  readonly image: string;
  /** kind writes the cluster's kubeconfig here (and nowhere else: the user's ~/.kube/config stays untouched). */
  readonly kubeconfigPath: string;
  /** How long kind itself waits for the control plane to be Ready (`--wait`). */
  readonly controlPlaneWaitMs: number;
  /** Deadline of the whole `kind create cluster` call (image pull included). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** `--wait` takes a Go duration; whole seconds keep it readable in the recorded command lines. */
function goSeconds(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

export class KindCli {
  constructor(private readonly tools: ToolRunner) {}

  async version(signal?: AbortSignal): Promise<string> {
    return this.tools.run('kind', ['version'], { what: 'checking the kind CLI', timeoutMs: 10_000, signal });
  }

  async createCluster(request: CreateClusterRequest): Promise<void> {
    await this.tools.run(
      'kind',
      [
        'create',
        'cluster',
        '--name',
        request.name,
        '--config',
        request.configFile,
        '--image',
        request.image,
        '--kubeconfig',
        request.kubeconfigPath,
        '--wait',
        goSeconds(request.controlPlaneWaitMs),
      ],
      { what: `creating kind cluster ${request.name}`, timeoutMs: request.timeoutMs, signal: request.signal },
    );
  }

  /** Names of every kind cluster on this Docker host. */
  async getClusters(signal?: AbortSignal): Promise<string[]> {
    return lines(await this.tools.run('kind', ['get', 'clusters'], { what: 'listing kind clusters', signal }));
  }

  /** Container names of the cluster's nodes, the external load balancer included. */
  async getNodes(name: string, signal?: AbortSignal, timeoutMs?: number): Promise<string[]> {
    return lines(
      await this.tools.run('kind', ['get', 'nodes', '--name', name], {
        what: `listing the nodes of kind cluster ${name}`,
        signal,
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      }),
    );
  }

  async getKubeconfig(name: string, signal?: AbortSignal): Promise<string> {
    return this.tools.run('kind', ['get', 'kubeconfig', '--name', name], {
      what: `reading the kubeconfig of kind cluster ${name}`,
      signal,
    });
  }

  /** Copies the nodes' logs (journal, containers, kubelet) into `dir`. */
  async exportLogs(name: string, dir: string, signal?: AbortSignal): Promise<void> {
    await this.tools.run('kind', ['export', 'logs', dir, '--name', name], {
      what: `exporting the logs of kind cluster ${name}`,
      timeoutMs: 5 * 60_000,
      signal,
    });
  }

  /** Deletes the cluster's containers; kind answers success for a cluster that does not exist. */
  async deleteCluster(name: string, kubeconfigPath?: string, signal?: AbortSignal): Promise<void> {
    await this.tools.run('kind', ['delete', 'cluster', '--name', name, ...(kubeconfigPath ? ['--kubeconfig', kubeconfigPath] : [])], {
      what: `deleting kind cluster ${name}`,
      timeoutMs: 2 * 60_000,
      signal,
    });
  }
}
