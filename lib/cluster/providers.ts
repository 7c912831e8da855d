// The providers a scenario can run on, by name.
import { SetupError } from '../util/errors.ts';
import { SandboxProvider } from './sandbox/sandbox-provider.ts';

export const PROVIDER_NAMES = ['sandbox', 'kind', 'existing'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}

export function sandboxProvider(): SandboxProvider {
  return new SandboxProvider();
}

/** Fails clearly for providers that cannot run scenarios yet. */
export function assertRunnableProvider(name: ProviderName): asserts name is 'sandbox' {
  if (name !== 'sandbox') {
    throw new SetupError(`provider "${name}" cannot run scenarios yet: only the sandbox provider is implemented (see README, Targets)`);
  }
}
