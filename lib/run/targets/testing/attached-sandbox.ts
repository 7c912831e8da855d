// For tests and benchmarks of the existing provider: a running sandbox serving its control socket (what `cpchaos
// sandbox up` does), so that an executors file's `cpchaos sandbox fault|undo|etcd` commands reach it, and the
// existing target attached to it through its kubeconfig.
import type { AppliedFault, FaultRequest } from '../../../faults/catalogue.ts';
import { SANDBOX_RUN_ENV } from '../../../cluster/sandbox/control/control-client.ts';
import { SandboxControlServer } from '../../../cluster/sandbox/control/control-server.ts';
import { controlSocketPath } from '../../../cluster/sandbox/control/protocol.ts';
import type { StartedSandbox } from '../../../cluster/sandbox/sandbox-cluster.ts';
import { SandboxProvider } from '../../../cluster/sandbox/sandbox-provider.ts';
import { ExistingClusterProvider } from '../../../cluster/existing/existing-provider.ts';
import type { ProfileChoice } from '../../../harvester/profiles.ts';
import type { SandboxProfileName } from '../../../sandbox/profile.ts';
import type { Scenario } from '../../../scenario/types.ts';
import { existingTarget, sandboxTopologyFor, type ClusterTarget } from '../cluster-targets.ts';

export interface AttachedSandbox {
  readonly sandbox: StartedSandbox;
  readonly control: SandboxControlServer;
  /** The fault requests the sandbox received through its control socket. */
  readonly received: FaultRequest[];
  stop(): Promise<void>;
}

/** A sandbox shaped for the scenario, serving its control socket, with the fault requests it received. */
export async function startAttachableSandbox(scenario: Scenario, profile: SandboxProfileName): Promise<AttachedSandbox> {
  const sandbox = await new SandboxProvider().start({ topology: sandboxTopologyFor(scenario), profile });
  const received: FaultRequest[] = [];
  try {
    const counted = {
      inject: (request: FaultRequest): Promise<AppliedFault> => {
        received.push(request);
        return sandbox.inject(request);
      },
      etcdMembership: () => sandbox.etcdMembership(),
    };
    const control = await SandboxControlServer.listen(counted, controlSocketPath(sandbox.runDir));
    process.env[SANDBOX_RUN_ENV] = sandbox.runId;
    return {
      sandbox,
      control,
      received,
      stop: async () => {
        delete process.env[SANDBOX_RUN_ENV];
        await control.close();
        await sandbox.stop();
      },
    };
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
}

export interface AttachOptions {
  readonly dryRun?: boolean;
  readonly onDryRunLine?: (line: string) => void;
  readonly profile?: ProfileChoice;
}

/** The existing target on the sandbox's kubeconfig, with the executors file given, its context allowed. */
export function attachedTarget(sandbox: StartedSandbox, executorsFile: string, options: AttachOptions = {}): ClusterTarget {
  return existingTarget(ExistingClusterProvider.fromFile(executorsFile), {
    kubeconfigPath: sandbox.endpoints.kubeconfigPath,
    allowContexts: [`cpchaos-${sandbox.runId}`],
    ...options,
  });
}
