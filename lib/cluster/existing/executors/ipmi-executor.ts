// The IPMI executor: chassis power through a node's BMC with ipmitool. The user name comes from an environment
// variable the file names; the password is handed to ipmitool in its environment as IPMI_PASSWORD and read with -E,
// so it is never in argv (visible in ps) nor in the file.
import type { FaultKind } from '../../../faults/catalogue.ts';
import { run } from '../../../util/exec.ts';
import type { FaultAction, FaultStep } from './action.ts';
import type { IpmiSettings } from './config-types.ts';
import { formatArgv, isSafeValue } from './template.ts';

export type PowerAction = 'off' | 'on' | 'cycle';

export type IpmiRunner = (
  file: string,
  args: readonly string[],
  options: { readonly timeoutMs: number; readonly env: Record<string, string> },
) => Promise<unknown>;

/** What IPMI does for each fault kind it supports, and the undo. */
export const IPMI_ACTIONS: Partial<Record<FaultKind, { readonly apply: PowerAction; readonly undo?: PowerAction }>> = {
  kill: { apply: 'off', undo: 'on' },
  restart: { apply: 'cycle' },
};

export interface IpmiExecutorOptions {
  /** Where the credentials' variables are read (default process.env). */
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly runner?: IpmiRunner | undefined;
  /** Dry-run: unset variables are shown as $NAME instead of failing (nothing runs). */
  readonly dryRun?: boolean | undefined;
}

export class IpmiExecutor {
  private readonly env: NodeJS.ProcessEnv;
  private readonly runner: IpmiRunner;

  constructor(
    private readonly settings: IpmiSettings,
    private readonly options: IpmiExecutorOptions = {},
  ) {
    this.env = options.env ?? process.env;
    this.runner = options.runner ?? run;
  }

  /** Problems with the environment (variables unset), naming the variables, never their values. */
  checkEnvironment(): string[] {
    const problems: string[] = [];
    for (const [what, name] of [
      ['user', this.settings.userEnv],
      ['password', this.settings.passwordEnv],
    ] as const) {
      if (!this.env[name]) problems.push(`ipmi: environment variable ${name} (the BMC ${what}) is not set`);
    }
    return problems;
  }

  private credentials(): { user: string; password: string } {
    const { userEnv, passwordEnv } = this.settings;
    if (this.options.dryRun) return { user: this.env[userEnv] || `$${userEnv}`, password: '' };
    const problems = this.checkEnvironment();
    if (problems.length > 0) throw new Error(problems.join('; '));
    return { user: this.env[userEnv] as string, password: this.env[passwordEnv] as string };
  }

  power(node: { readonly name: string; readonly bmc?: string | undefined }, action: PowerAction): FaultAction {
    const bmc = node.bmc;
    if (!bmc) throw new Error(`node ${node.name} has no bmc: add nodes.${node.name}.bmc to the executors file`);
    if (!isSafeValue(bmc)) throw new Error(`node ${node.name}: refusing BMC address ${JSON.stringify(bmc)}`);
    const { user, password } = this.credentials();
    const args = ['-I', this.settings.interface, '-H', bmc, '-U', user, '-E', 'chassis', 'power', action];
    return {
      describe: formatArgv([this.settings.command, ...args]),
      argv: [this.settings.command, ...args],
      run: async () => {
        await this.runner(this.settings.command, args, { timeoutMs: this.settings.timeoutMs, env: { IPMI_PASSWORD: password } });
      },
    };
  }

  step(kind: FaultKind, node: { readonly name: string; readonly bmc?: string | undefined }): FaultStep {
    const actions = IPMI_ACTIONS[kind];
    if (!actions) throw new Error(`ipmi cannot carry out ${kind}`);
    return {
      node: node.name,
      apply: this.power(node, actions.apply),
      ...(actions.undo ? { undo: this.power(node, actions.undo) } : {}),
    };
  }
}
