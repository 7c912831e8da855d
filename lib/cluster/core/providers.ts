// The providers a scenario can run on, by name.

export const PROVIDER_NAMES = ['sandbox', 'kind', 'existing'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}
