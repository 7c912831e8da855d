// The docker CLI calls the kind provider makes: node addresses, kill/start/pause/unpause/remove, and exec.
import { DeadlineError, SetupError } from '../../util/errors.ts';
import { ClusterCommandError, type ToolRunner } from './tools.ts';

/** Go template printing a container's address on each of its networks (kind nodes sit on the one `kind` network). */
export const ADDRESS_FORMAT = '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}';

export interface ExecOptions {
  readonly what: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
}

export class DockerCli {
  constructor(private readonly tools: ToolRunner) {}

  /** Fails with a SetupError when the CLI is missing or the daemon does not answer. */
  async assertDaemon(signal?: AbortSignal): Promise<void> {
    try {
      await this.tools.run('docker', ['info', '--format', '{{.ServerVersion}}'], {
        what: 'asking the Docker daemon for its version',
        timeoutMs: 20_000,
        signal,
      });
    } catch (error) {
      if (error instanceof ClusterCommandError || error instanceof DeadlineError) {
        throw new SetupError(
          `the kind provider needs a running Docker daemon, and \`docker info\` did not get an answer from one: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async address(container: string, signal?: AbortSignal): Promise<string> {
    const out = await this.tools.run('docker', ['inspect', '-f', ADDRESS_FORMAT, container], {
      what: `reading the address of node ${container}`,
      signal,
    });
    const address = out.trim();
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
      throw new Error(`reading the address of node ${container}: docker inspect printed "${address}", expected one IPv4 address`);
    }
    return address;
  }

  async kill(container: string): Promise<void> {
    await this.tools.run('docker', ['kill', container], { what: `killing node ${container}` });
  }

  async start(container: string): Promise<void> {
    await this.tools.run('docker', ['start', container], { what: `starting node ${container}` });
  }

  async pause(container: string): Promise<void> {
    await this.tools.run('docker', ['pause', container], { what: `pausing node ${container}` });
  }

  async unpause(container: string): Promise<void> {
    await this.tools.run('docker', ['unpause', container], { what: `unpausing node ${container}` });
  }

  async removeForce(container: string): Promise<void> {
    await this.tools.run('docker', ['rm', '-f', container], { what: `removing node ${container}` });
  }

  /** Runs argv inside the node container (no shell unless argv asks for one) and returns its stdout. */
  async exec(container: string, argv: readonly string[], options: ExecOptions): Promise<string> {
    return this.tools.run('docker', ['exec', container, ...argv], options);
  }

  /** Runs argv inside the container with `input` on its stdin (`docker exec -i`). */
  async execWithInput(container: string, argv: readonly string[], input: string, options: ExecOptions): Promise<string> {
    return this.tools.run('docker', ['exec', '-i', container, ...argv], { ...options, input });
  }
}
