// The cluster target `cpchaos run` uses, from its flags.
import { ExistingClusterProvider } from '../cluster/existing/existing-provider.ts';
import type { ProviderName } from '../cluster/core/providers.ts';
import { existingTarget, sandboxTarget, type ClusterTarget } from '../run/targets/cluster-targets.ts';
import { kindTarget } from '../run/targets/kind-target.ts';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './options.ts';
import { isProfileChoice, PROFILE_CHOICES } from '../harvester/profiles.ts';

export interface TargetFlags {
  readonly 'promotion-policy'?: string | undefined;
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly executors?: string | undefined;
  readonly 'allow-context'?: readonly string[] | undefined;
  readonly 'kill-switch'?: string | undefined;
  readonly profile?: string | undefined;
  readonly 'dry-run'?: boolean | undefined;
  readonly 'kind-image'?: string | undefined;
  readonly 'kind-logs'?: string | undefined;
  readonly 'kind-config-dir'?: string | undefined;
}

const EXISTING_ONLY = ['kubeconfig', 'context', 'executors', 'allow-context', 'kill-switch', 'profile'] as const;
const KIND_ONLY = ['kind-image', 'kind-logs', 'kind-config-dir'] as const;

export interface TargetHooks {
  /** Prints a dry-run line. */
  readonly onDryRunLine: (line: string) => void;
  /** The kill switch tripped: faults are being undone; the run must stop. */
  readonly onKillSwitch: (reason: string) => void;
  /** A line from the harness's own controllers (kind's promote loop): what they did and what failed. */
  readonly onLog?: ((line: string) => void) | undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function targetFromFlags(provider: ProviderName, flags: TargetFlags, hooks: TargetHooks): ClusterTarget {
  if (provider !== 'existing') {
    const misplaced = EXISTING_ONLY.filter((flag) => flags[flag] !== undefined);
    if (misplaced.length > 0) throw new UsageError(`--${misplaced.join(', --')}: only for --provider existing`);
  }
  if (provider !== 'kind') {
    const misplaced = KIND_ONLY.filter((flag) => flags[flag] !== undefined);
    if (misplaced.length > 0) throw new UsageError(`--${misplaced.join(', --')}: only for --provider kind`);
  }
  switch (provider) {
    case 'sandbox':
      return sandboxTarget({ promotionPolicy: flags['promotion-policy'] });
    case 'existing': {
      if (flags['promotion-policy'] !== undefined) {
        throw new UsageError(
          '--promotion-policy: an existing cluster promotes by its own rules; the policy is only for the sandbox (and kind)',
        );
      }
      const profile = flags.profile ?? 'auto';
      if (!isProfileChoice(profile)) throw new UsageError(`--profile: expected ${PROFILE_CHOICES.join(', ')}, got "${profile}"`);
      return existingTarget(ExistingClusterProvider.fromFile(flags.executors), {
        profile,
        kubeconfigPath: flags.kubeconfig,
        context: flags.context,
        allowContexts: flags['allow-context'] ?? [],
        dryRun: flags['dry-run'] === true,
        onDryRunLine: hooks.onDryRunLine,
        onKillSwitch: hooks.onKillSwitch,
        ...(flags['kill-switch'] ? { killSwitch: { path: flags['kill-switch'] } } : {}),
      });
    }
    case 'kind': {
      const configDir = flags['kind-config-dir'];
      if (configDir !== undefined && !isDirectory(configDir)) {
        throw new UsageError(
          `--kind-config-dir: no such folder: ${configDir} (a folder of kind configs named like fixtures/kind/: cp3-w1.yaml, ...)`,
        );
      }
      return kindTarget({
        promotionPolicy: flags['promotion-policy'],
        image: flags['kind-image'],
        logsDir: flags['kind-logs'],
        ...(configDir !== undefined ? { provider: { configDir: resolve(configDir) } } : {}),
        ...(hooks.onLog ? { onLog: hooks.onLog } : {}),
      });
    }
  }
}
